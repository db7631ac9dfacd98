/**
 * A project's own models come from the project, not from the folder a command runs in: the
 * `models` path of clipform.yaml (or models/ at the root), for validate, plan, apply --sim,
 * watch --apply --sim, `clipform models`, `models import` and the standalone simulator.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { getModel } from "../../src/models/catalog.js";
import { toRequestSchema } from "../../src/models/runware-schema.js";
import { cleanupAfterAll, run } from "../helpers/apply-sim.js";
import { makeProject } from "../helpers/manifest-fixtures.js";
import { start, type Running } from "../helpers/watch-process.js";

cleanupAfterAll();
const running: Running[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
});

const MANIFEST = "version: 1\nclips:\n  harbor:\n    model: acme:1@1\n    positivePrompt: A slow dolly shot across a quiet harbor at dawn\n    width: 1920\n    height: 1080\n    duration: 5\n";
const ACME = JSON.stringify({ air: "acme:1@1", extends: "klingai:5@3", name: "Acme One" });

/** A project whose config keeps its models in defs/, with a manifest that uses one of them. */
function project(config = "version: 1\nmodels: defs\n"): string {
  return makeProject({ "clipform.yaml": config, "defs/acme.json": ACME, "specs/a.yaml": MANIFEST });
}

describe("the project's models folder", () => {
  it("validate, plan and apply --sim read the config's folder, from any folder inside the project", async () => {
    const dir = project();
    const specs = join(dir, "specs");
    const v = await run(["validate"], { cwd: specs });
    expect(v.stderr).toBe("");
    expect(v.code).toBe(0);
    const p = await run(["plan", "--json"], { cwd: specs });
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).changes[0]).toMatchObject({ address: "harbor", action: "create" });
    const a = await run(["apply", "--sim", "--auto-approve", "--poll-interval", "20"], { cwd: specs });
    expect(a.stderr).toMatch(/Apply complete: 1 succeeded, 0 failed/);
    expect(a.code).toBe(0);
  });

  it("without a `models` setting, models/ at the root, even run from a subfolder", async () => {
    const dir = makeProject({ "clipform.yaml": "version: 1\n", "models/acme.json": ACME, "specs/a.yaml": MANIFEST });
    const v = await run(["validate"], { cwd: join(dir, "specs") });
    expect(v.stderr).toBe("");
    expect(v.code).toBe(0);
  });

  it("a problem in a definition is located in the config's folder", async () => {
    const dir = makeProject({ "clipform.yaml": "version: 1\nmodels: defs\n", "defs/acme.json": '{"air": "acme:1@1",\n "extends": "klingai:9@9"}', "specs/a.yaml": MANIFEST });
    const v = await run(["validate"], { cwd: join(dir, "specs") });
    expect(v.stderr).toContain('defs/acme.json:2:13: extends: unknown built-in model "klingai:9@9"');
    expect(v.code).toBe(1);
  });

  it("`clipform models` lists and shows the project's models from a subfolder", async () => {
    const dir = project();
    const list = await run(["models"], { cwd: join(dir, "specs") });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("acme:1@1");
    const one = await run(["models", "acme:1@1"], { cwd: join(dir, "specs") });
    expect(one.code).toBe(0);
    expect(one.stdout).toContain("defs/acme.json");
  });

  it("`models import` pins the definition in the config's folder, wherever it runs", async () => {
    const dir = project();
    const schema = toRequestSchema({ ...getModel("minimax:2@1")!, air: "acme:2@1", name: "Acme Two" });
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "specs", "acme2.schema.json"), JSON.stringify({ requestSchema: schema }));
    const r = await run(["models", "import", "acme2.schema.json"], { cwd: join(dir, "specs") });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Wrote ../defs/acme-2-1.json: acme:2@1 pinned");
    expect(JSON.parse(readFileSync(join(dir, "defs/acme-2-1.json"), "utf8")).air).toBe("acme:2@1");
    expect(existsSync(join(dir, "specs/models"))).toBe(false);
    expect(existsSync(join(dir, "models"))).toBe(false);
  });

  it("watch --apply --sim: the embedded simulator accepts the project's models", async () => {
    const dir = project();
    const w = start(["watch", "--apply", "--sim", "--max-cost", "20", "--budget", "20", "--poll-interval", "20"], { cwd: join(dir, "specs") });
    running.push(w);
    await w.waitFor(/Apply complete: 1 succeeded/, { timeoutMs: 30_000 });
    expect(w.output()).not.toMatch(/invalidModel|unknown model/);
  });
});

describe("clipform sim --models DIR", () => {
  async function resolves(args: string[], cwd: string, air: string): Promise<number> {
    const s = start(["sim", "--port", "0", ...args], { cwd });
    running.push(s);
    const out = await s.waitFor(/listening on (\S+)/);
    const url = /listening on (\S+)/.exec(out)![1]!;
    const res = await fetch(`${url.replace(/\/+$/, "")}/resolve/${encodeURIComponent(air)}`);
    await s.stop();
    return res.status;
  }

  it("accepts the models of the folder given, and those of the project it runs in by default", async () => {
    const dir = project();
    expect(await resolves(["--models", "defs"], dir, "acme:1@1")).toBe(200);
    expect(await resolves([], join(dir, "specs"), "acme:1@1")).toBe(200);
    const outside = makeProject({ "x.txt": "" });
    expect(await resolves([], outside, "acme:1@1")).toBe(404);
  });

  it("refuses a folder that does not exist, and definitions with errors, before listening", async () => {
    const dir = project();
    const missing = await run(["sim", "--models", "nowhere"], { cwd: dir });
    expect(missing.stderr).toMatch(/--models nowhere: no such folder/);
    expect(missing.code).toBe(1);
    const bad = makeProject({ "defs/acme.json": '{"air": "acme:1@1", "extends": "klingai:9@9"}' });
    const r = await run(["sim", "--models", "defs"], { cwd: bad });
    expect(r.stderr).toContain('defs/acme.json:1:32: extends: unknown built-in model "klingai:9@9"');
    expect(r.code).not.toBe(0);
  });
  it("prune prices a take of the project's own model from the project's catalog: an unknown charge is never recorded as $0", async () => {
    const dir = project();
    const sim = ["--sim", "--auto-approve", "--poll-interval", "20"];
    expect((await run(["apply", ...sim], { cwd: dir })).code).toBe(0);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "specs/a.yaml"), MANIFEST.replace("at dawn", "at dusk"));
    expect((await run(["apply", ...sim], { cwd: dir })).code).toBe(0);
    // Every charge is unknown (as if the API had sent none): no price can be learned from the record.
    const lockPath = join(dir, ".clipform", "sim", "clipform.lock.json");
    type Held = Record<string, { results: { costUsd?: number }[] }>;
    const lock = JSON.parse(readFileSync(lockPath, "utf8")) as { clips: Held; takes: Held };
    for (const t of [...Object.values(lock.takes), ...Object.values(lock.clips)]) for (const r of t.results) delete r.costUsd;
    writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
    const price = JSON.parse((await run(["plan", "--json", "--sim", "--replace", "harbor"], { cwd: dir })).stdout).summary.estimated_cost_usd as number;
    expect(price).toBeGreaterThan(0);
    const before = JSON.parse((await run(["status", "--json", "--sim"], { cwd: dir })).stdout).totals.spent_usd as number;
    const pruned = await run(["prune", "--sim"], { cwd: dir });
    expect(pruned.stderr).toBe("");
    expect(pruned.stdout).toContain(`Pruned 1 take that cost $${price.toFixed(2)}`);
    expect(JSON.parse((await run(["status", "--json", "--sim"], { cwd: dir })).stdout).totals.spent_usd).toBeCloseTo(before, 6);
  });
});
