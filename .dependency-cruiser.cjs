/**
 * clipform's layers, lowest first: a module may import its own layer and the layers below it,
 * never one above (type-only imports included). test/layers.test.ts runs these rules over src/;
 * `npx depcruise src --config .dependency-cruiser.cjs` shows the same from a shell. The README's
 * "Development" section says what each layer is for; keep the two in step.
 *
 * A row with several layers holds peers: they sit at the same height and import neither each other.
 */
const LAYERS = [
  { core: "^src/(core/|errors\\.ts$|diagnostics\\.ts$)" },
  { util: "^src/util/" },
  { render: "^src/render/" },
  { money: "^src/money/" },
  { project: "^src/project/" },
  { models: "^src/models/" },
  { images: "^src/images/" },
  { manifest: "^src/manifest/" },
  { lockfile: "^src/lockfile/" },
  { plan: "^src/plan/" },
  { media: "^src/media/" },
  { runware: "^src/runware/", sim: "^src/sim/" },
  { pipeline: "^src/pipeline\\.ts$" },
  { apply: "^src/apply/" },
  { quote: "^src/quote/" },
  { status: "^src/status/" },
  { report: "^src/report/" },
  { watch: "^src/watch/" },
  { cli: "^src/(cli/|index\\.ts$|schemas\\.ts$)" },
];

const forbidden = [];
LAYERS.forEach((row, i) => {
  const above = LAYERS.slice(i + 1).flatMap((r) => Object.entries(r));
  for (const [name, path] of Object.entries(row)) {
    const peers = Object.entries(row).filter(([n]) => n !== name);
    for (const [upper, upperPath] of [...above, ...peers]) {
      forbidden.push({
        name: `${name}-imports-${upper}`,
        comment: `${name} sits ${peers.some(([n]) => n === upper) ? "beside" : "below"} ${upper}: it may not import it (.dependency-cruiser.cjs lists the layers)`,
        severity: "error",
        from: { path },
        to: { path: upperPath },
      });
    }
  }
});

// Every file under src/ belongs to a layer: a new folder is placed in the list above first.
const everyLayer = LAYERS.flatMap((r) => Object.values(r));
forbidden.push(
  { name: "unlayered-file", comment: "this file is in no layer: add its folder to .dependency-cruiser.cjs", severity: "error", from: { path: "^src/", pathNot: everyLayer }, to: {} },
  { name: "unlayered-import", comment: "this import points at a file in no layer: add its folder to .dependency-cruiser.cjs", severity: "error", from: { path: "^src/" }, to: { path: "^src/", pathNot: everyLayer } },
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden,
  options: {
    // Type-only imports count: a type from an upper layer ties the layers as much as a value does.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    includeOnly: "^src/",
  },
};
