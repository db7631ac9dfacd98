/**
 * `clipform models`: the catalog grouped by family; `models AIR`: one model in full, with the
 * source and confidence of every rule; `models import FILE` / `models pull AIR`: a model from
 * Runware's published per-model JSON Schema, pinned in the project's models/ folder.
 */
import { formatDiagnostic } from "../diagnostics.js";
import { ClipformError } from "../errors.js";
import type { ImageModelSpec, ModelSpec } from "../models/catalog.js";
import { imageModelLines, imageModelSheet, imagePriceRowText } from "../images/describe.js";
import { capabilitiesText, durationsText, framesText, priceRowText, sizesText } from "../models/describe.js";
import { loadProjectCatalog } from "../manifest/project-models.js";
import { findProjectRoot } from "../project/root.js";
import { closest } from "../util/suggest.js";
import type { Command } from "./commands.js";
import type { Context } from "./context.js";

function listImageModels(ctx: Context, models: ImageModelSpec[]): void {
  if (models.length === 0) return;
  ctx.out(ctx.color.bold("Image models (keyframes: `images:` entries, imageInference)"));
  for (const m of models) for (const line of imageModelLines(m)) ctx.out(line);
  ctx.out("");
}

function showImageModel(ctx: Context, m: ImageModelSpec): void {
  const c = ctx.color;
  ctx.out(`${c.bold(m.air)}  ${m.name} (${m.family}) · image model · coverage ${m.coverage} · defined in ${m.origin}`);
  if (m.docsUrl) ctx.out(`  ${m.docsUrl}`);
  for (const r of imageModelSheet(m)) rule(ctx, r.label, r.text, r.rule);
  ctx.out(`  prices${m.prices.rows.length ? "" : `           ${c.red("unpriced")}: plans show it and refuse budget checks they cannot make`}`);
  for (const r of m.prices.rows) ctx.out(`    ${imagePriceRowText(r).padEnd(40)} ${r.source}: ${r.note}`);
  if (m.prices.rows.length) ctx.out(c.dim("    other sizes and step counts: derived by pixel count × steps"));
  for (const d of m.disagreements ?? []) ctx.out(c.yellow(`  disagreement: ${d}`));
  const refs = Object.entries(m.references ?? {});
  if (refs.length) ctx.out("  sources");
  for (const [tag, ref] of refs) ctx.out(`    ${tag.padEnd(28)} ${[ref.url, ref.date, ref.note].filter(Boolean).join(" · ")}`);
}

function listModels(ctx: Context, models: ModelSpec[], images: ImageModelSpec[]): void {
  const c = ctx.color;
  const families = new Map<string, ModelSpec[]>();
  for (const m of models) families.set(m.family, [...(families.get(m.family) ?? []), m]);
  for (const [family, list] of [...families].sort(([a], [b]) => a.localeCompare(b))) {
    ctx.out(c.bold(family));
    for (const m of list) {
      const life = m.lifecycle.retires ? c.yellow(` deprecated, retires ${m.lifecycle.retires}`) : m.lifecycle.status === "unknown" ? c.yellow(" may be retired") : "";
      const own = m.origin.startsWith("built-in") ? "" : c.dim(` (this project: ${m.origin})`);
      ctx.out(`  ${c.bold(m.air)}  ${m.name}${m.coverage === "partial" ? c.dim(" (partial)") : ""}${life}${own}`);
      ctx.out(`    ${capabilitiesText(m)} · sizes ${sizesText(m)}`);
      ctx.out(`    durations ${durationsText(m)} · frames ${framesText(m)}`);
      const prices = m.prices.rows.map((r) => `${priceRowText(r)} ${c.dim(r.source)}`).join("; ");
      ctx.out(`    price ${prices || c.red("unpriced")}`);
    }
    ctx.out("");
  }
  listImageModels(ctx, images);
  ctx.out(c.dim("[conflict]: sources disagree (the union is accepted, with a warning); [unconfirmed]: warns only. `clipform models AIR` shows one model with its sources."));
}

function rule(ctx: Context, label: string, text: string, r: { confidence: string; sources?: string[]; note?: string; readings?: { source: string }[] } | undefined): void {
  const c = ctx.color;
  ctx.out(`  ${label.padEnd(16)} ${text}`);
  if (!r) return;
  const src = r.sources?.length ? ` · sources ${r.sources.join(", ")}` : "";
  ctx.out(c.dim(`  ${"".padEnd(16)} ${r.confidence}${src}${r.note ? ` · ${r.note}` : ""}`));
  for (const reading of r.readings ?? []) ctx.out(c.dim(`  ${"".padEnd(16)} reading: ${JSON.stringify(reading)}`));
}

function showModel(ctx: Context, m: ModelSpec): void {
  const c = ctx.color;
  ctx.out(`${c.bold(m.air)}  ${m.name} (${m.family}) · coverage ${m.coverage} · defined in ${m.origin}`);
  if (m.docsUrl) ctx.out(`  ${m.docsUrl}`);
  const l = m.lifecycle;
  rule(ctx, "lifecycle", `${l.status}${l.retires ? `, retires ${l.retires}` : ""}${m.releaseDate ? ` (released ${m.releaseDate})` : ""}`, l);
  rule(ctx, "capabilities", capabilitiesText(m), m.capabilities);
  rule(ctx, "sizes", sizesText(m), m.sizes);
  if (m.resolution) rule(ctx, "resolution", m.resolution.values.join(", "), m.resolution);
  rule(ctx, "durations", durationsText(m), m.durations);
  rule(ctx, "frame images", framesText(m), m.frames);
  for (const [name, input] of Object.entries(m.inputs ?? {})) rule(ctx, `inputs.${name}`, `${input.kind}${input.max ? `, at most ${input.max}` : ""}`, input);
  for (const key of ["positivePrompt", "negativePrompt"] as const) {
    const p = m[key];
    const text = !p.supported ? "not taken" : `${p.required ? "required" : p.requiredWithoutFrames ? "required without a frame image" : "optional"}${p.max ? `, ${p.min ?? 1}–${p.max} characters` : ""}`;
    rule(ctx, key, text, p);
  }
  const cfg = m.CFGScale;
  rule(ctx, "CFGScale", cfg.supported ? `${cfg.min ?? 0}–${cfg.max ?? 1}${cfg.step ? ` step ${cfg.step}` : ""}${cfg.default !== undefined ? ` (default ${cfg.default})` : ""}` : "not taken", cfg);
  rule(ctx, "seed", m.seed.supported ? "taken (an input)" : "not taken (the result reports it)", m.seed);
  if (m.providerSettings) rule(ctx, "providerSettings", JSON.stringify(m.providerSettings.schema.properties ?? m.providerSettings.schema), m.providerSettings);
  else rule(ctx, "providerSettings", "none", undefined);
  if (m.imageLimits) {
    const i = m.imageLimits;
    rule(ctx, "input images", [i.minSide && i.maxSide ? `${i.minSide}–${i.maxSide} px per side` : "", i.maxBytes ? `≤ ${Math.round(i.maxBytes / 1048576)} MB` : "", i.formats?.join("/") ?? ""].filter(Boolean).join(", "), i);
  }
  ctx.out(`  prices${m.prices.rows.length ? "" : `           ${c.red("unpriced")}: plans show it and refuse budget checks they cannot make`}${m.prices.audioSetting ? ` (audio: providerSettings.${m.prices.audioSetting})` : ""}`);
  for (const r of m.prices.rows) ctx.out(`    ${priceRowText(r).padEnd(40)} ${r.source}: ${r.note}`);
  for (const d of m.disagreements ?? []) ctx.out(c.yellow(`  disagreement: ${d}`));
  const refs = Object.entries(m.references ?? {});
  if (refs.length) ctx.out("  sources");
  for (const [tag, ref] of refs) ctx.out(`    ${tag.padEnd(28)} ${[ref.url ?? ref.ref, ref.date, ref.note].filter(Boolean).join(" · ")}`);
}

export const modelsCommand: Command = {
  usage: "[AIR] [--json] | import FILE | pull AIR [--schemas-url URL]",
  options: {
    json: { type: "boolean", help: "print the definitions as JSON" },
    "schemas-url": { type: "string", arg: "URL", help: "where `pull` fetches model schemas (default https://schemas.runware.ai, or RUNWARE_SCHEMAS_URL)" },
  },
  async run(ctx, values, positionals) {
    const [first, arg] = positionals;
    if (first === "import" || first === "pull") {
      const { importCommand } = await import("./models-import.js");
      return importCommand(ctx, first, arg, values);
    }
    const { catalog, diagnostics } = loadProjectCatalog(findProjectRoot(ctx.cwd).root);
    for (const d of diagnostics) ctx.err(formatDiagnostic(d));
    if (first === undefined) {
      if (values.json) ctx.out(JSON.stringify([...catalog.all(), ...catalog.images()], null, 2));
      else listModels(ctx, catalog.all(), catalog.images());
      return diagnostics.length ? 1 : 0;
    }
    const image = catalog.image(first);
    if (image) {
      if (values.json) ctx.out(JSON.stringify(image, null, 2));
      else showImageModel(ctx, image);
      return diagnostics.length ? 1 : 0;
    }
    const m = catalog.get(first);
    if (!m) {
      const hint = closest(first, [...catalog.ids(), ...catalog.images().map((x) => x.air)]);
      throw new ClipformError("USAGE", `unknown model "${first}"${hint ? `; did you mean "${hint}"?` : ""} (\`clipform models\` lists them)`);
    }
    if (values.json) ctx.out(JSON.stringify(m, null, 2));
    else showModel(ctx, m);
    return diagnostics.length ? 1 : 0;
  },
};
