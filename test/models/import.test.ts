/**
 * Users extend the catalog: a project's models/ folder overrides or adds definitions (checked
 * against the model schema, errors at FILE:LINE:COL), `models import FILE` turns Runware's
 * per-model JSON Schema into one, and `models pull AIR` fetches it (here from the simulator,
 * which serves /resolve/<AIR> from the catalog).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getModel } from "../../src/models/catalog.js";
import { loadProject } from "../../src/manifest/index.js";
import { toRequestSchema } from "../../src/models/runware-schema.js";
import { cleanupAfterAll, run, startSim } from "../helpers/apply-sim.js";
import { makeProject, posOf, valuePos } from "../helpers/manifest-fixtures.js";

cleanupAfterAll();

const clip = (fields: string) => `version: 1\nclips:\n  harbor:\n    positivePrompt: A slow dolly shot across a quiet harbor at dawn\n${fields}`;

describe("a project's own models", () => {
  it("an override allows a new duration without waiting for a release", () => {
    const yaml = clip("    model: klingai:5@3\n    width: 1920\n    height: 1080\n    duration: 8\n");
    const before = loadProject({ root: makeProject({ "specs/a.yaml": yaml }) });
    expect(before.diagnostics.map((d) => [d.line, d.col, d.code])).toEqual([[valuePos(yaml, "duration").line, valuePos(yaml, "duration").col, "unsupportedDuration"]]);
    const after = loadProject({ root: makeProject({ "specs/a.yaml": yaml, "models/kling-master.json": JSON.stringify({ air: "klingai:5@3", durations: { values: [5, 8, 10] } }) }) });
    expect(after.diagnostics).toEqual([]);
    // Per-second list price, computed for the new duration.
    expect(after.catalog.get("klingai:5@3")!.origin).toBe("models/kling-master.json");
  });

  it("a new model can start from a built-in one (extends) and change only what differs", () => {
    const yaml = clip("    model: acme:2@1\n    width: 1920\n    height: 1080\n    duration: 7\n");
    const def = JSON.stringify({ air: "acme:2@1", extends: "klingai:5@3", name: "Acme Two", family: "Acme", durations: { values: [5, 7] } });
    const project = loadProject({ root: makeProject({ "specs/a.yaml": yaml, "models/acme-two.json": def }) });
    expect(project.diagnostics).toEqual([]);
    const m = project.catalog.get("acme:2@1")!;
    expect({ family: m.family, sizes: m.sizes.values, durations: m.durations.values, page: m.page }).toEqual({ family: "Acme", sizes: ["1920x1080", "1080x1080", "1080x1920"], durations: [5, 7], page: undefined });
    const bad = loadProject({ root: makeProject({ "specs/a.yaml": yaml, "models/acme-two.json": JSON.stringify({ air: "acme:2@1", extends: "klingai:9@9" }) }) });
    expect(bad.diagnostics).toContainEqual(expect.objectContaining({ file: "models/acme-two.json", message: 'extends: unknown built-in model "klingai:9@9"' }));
  });

  it("a broken definition is reported at its line and column, and the model stays unknown", () => {
    const def = `{\n  "air": "acme:1@1",\n  "name": "Acme",\n  "durations": { "confidence": "verified", "values": ["five"] }\n}\n`;
    const project = loadProject({ root: makeProject({ "specs/a.yaml": clip("    model: acme:1@1\n"), "models/acme.json": def }) });
    const mine = project.diagnostics.filter((d) => d.file === "models/acme.json");
    expect(mine.length).toBeGreaterThan(0);
    expect(mine).toContainEqual(expect.objectContaining({ ...posOf(def, '"five"'), severity: "error", message: expect.stringMatching(/durations\.values\[0\] must be a number/) }));
    expect(project.diagnostics).toContainEqual(expect.objectContaining({ file: "specs/a.yaml", code: "invalidModel" }));
  });
});

describe("clipform models import / pull", () => {
  it("pull fetches the published schema and pins it in models/; its rules then check the manifest at the right line", async () => {
    const sim = await startSim();
    const dir = makeProject({ "specs/a.yaml": clip("    model: google:3@3\n    width: 1920\n    height: 1080\n    duration: 5\n") });
    const r = await run(["models", "pull", "google:3@3", "--schemas-url", sim.url], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Wrote models/google-3-3.json: google:3@3 pinned from");
    expect(r.code).toBe(0);
    const pinned = JSON.parse(readFileSync(join(dir, "models/google-3-3.json"), "utf8"));
    const builtin = getModel("google:3@3")!;
    expect(pinned.sizes.values).toEqual(builtin.sizes.values);
    expect(pinned.durations).toMatchObject({ confidence: "verified", values: [4, 6, 7, 8] });
    expect(pinned.CFGScale.supported).toBe(false);
    expect(pinned.seed.supported).toBe(true);
    expect(pinned.providerSettings.schema).toEqual(builtin.providerSettings!.schema);
    expect(pinned.prices).toEqual(builtin.prices);
    expect(pinned.references.RS.url).toBe(`${sim.url}/resolve/google%3A3%403`);

    // The built-in rule was a conflict (warn); Runware's own schema makes it verified (reject).
    const v = await run(["validate"], { cwd: dir });
    const yaml = readFileSync(join(dir, "specs/a.yaml"), "utf8");
    const at = valuePos(yaml, "duration");
    expect(v.stderr).toContain(`specs/a.yaml:${at.line}:${at.col}: duration 5 is not supported by google:3@3`);
    expect(v.code).toBe(1);
  });

  it("pull of a model Runware does not know fails clearly and writes nothing", async () => {
    const sim = await startSim();
    const dir = makeProject({ "specs/a.yaml": clip("    model: klingai:1@2\n") });
    const r = await run(["models", "pull", "acme:9@9", "--schemas-url", sim.url], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Runware publishes no schema for acme:9@9/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(existsSync(join(dir, "models"))).toBe(false);
  });

  it("import turns a saved schema of a new model into a definition; unpriced until the project gives a price", async () => {
    const schema = toRequestSchema({ ...getModel("minimax:2@1")!, air: "acme:1@1", name: "Acme One" });
    const dir = makeProject({
      "specs/a.yaml": clip("    model: acme:1@1\n    width: 1366\n    height: 768\n    duration: 6\n"),
      "acme.schema.json": JSON.stringify({ requestSchema: schema, responseSchema: null, documentation: "https://example.com/acme" }),
    });
    const r = await run(["models", "import", "acme.schema.json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no price is known/);
    const plan = await run(["plan", "--json"], { cwd: dir });
    expect(plan.code).toBe(0);
    const change = JSON.parse(plan.stdout).changes[0];
    expect(change).toMatchObject({ address: "harbor", action: "create", estimated_cost_usd: null, price_source: "unpriced" });

    // A budget cannot be checked against an unpriced change: the plan refuses rather than count $0.
    const budget = await run(["plan", "--max-cost", "100"], { cwd: dir });
    expect(budget.code).toBe(1);
    expect(budget.stderr).toMatch(/1 result has no known price, so the --max-cost of \$100\.00 cannot be checked/);

    // The project gives it a price: the same file, with a price row added by hand.
    const file = join(dir, "models/acme-1-1.json");
    const def = JSON.parse(readFileSync(file, "utf8"));
    def.prices.rows = [{ usd: 0.05, per: "second", source: "documented", note: "our contract price" }];
    writeFileSync(file, JSON.stringify(def, null, 2));
    const priced = JSON.parse((await run(["plan", "--json"], { cwd: dir })).stdout).changes[0];
    expect(priced).toMatchObject({ estimated_cost_usd: 0.3, price_source: "documented" });

    // The embedded simulator knows the project's models too: the whole loop works offline.
    const applied = await run(["apply", "--sim", "--auto-approve", "--poll-interval", "20"], { cwd: dir });
    expect(applied.stderr).toMatch(/Apply complete: 1 succeeded, 0 failed/);
    expect(applied.code).toBe(0);
  });
});
