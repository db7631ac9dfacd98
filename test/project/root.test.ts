/**
 * The project root: `clipform.yaml` found by walking up from the current folder, one root and one
 * lockfile whatever folder a command runs in; path arguments that would start a second lockfile
 * refused; the simulator's record kept apart. Run as a user runs it: the binary, in temp folders.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWorkspace } from "../../src/project/workspace.js";
import { cli, project, simServer } from "../helpers/cli.js";

const SHOT = (id: string) => `version: 1\nclips:\n  ${id}:\n    model: klingai:3@1\n    positivePrompt: A tram crosses an iron bridge at night, ${id}\n`;

const CONFIG = `version: 1
manifests: [shots]
outDir: renders
lockfile: record/clipform.lock.json
concurrency: 2
budget: 25.5
`;

let sim: Awaited<ReturnType<typeof simServer>>;
beforeAll(async () => {
  sim = await simServer();
});
afterAll(() => sim?.stop());

describe("a project with clipform.yaml", () => {
  it("every command run in a subfolder uses the root, its manifests, its lockfile and its output folder", async () => {
    const dir = project({ "clipform.yaml": CONFIG, "shots/a.yaml": SHOT("a"), "shots/more/b.yaml": SHOT("b") });
    const sub = join(dir, "shots", "more");
    const applied = await cli(["apply", "--auto-approve"], { cwd: sub, env: sim.env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("Plan: 2 to create.");
    const lock = JSON.parse(readFileSync(join(dir, "record", "clipform.lock.json"), "utf8")) as { clips: Record<string, { results: { file: string }[] }> };
    expect(Object.keys(lock.clips).sort()).toEqual(["a", "b"]);
    expect(lock.clips.b!.results[0]!.file).toBe("renders/b.v1.mp4");
    expect(existsSync(join(dir, "renders", "b.v1.mp4"))).toBe(true);
    for (const d of [sub, join(dir, "shots"), dir]) expect(existsSync(join(d, "clipform.lock.json")), d).toBe(false);

    // The reported bug: `cd specs && clipform apply .` planned everything again against a new lockfile.
    const again = await cli(["plan", ".", "--detailed-exitcode"], { cwd: join(dir, "shots") });
    expect(again.stdout, again.stderr).toContain("No changes.");
    expect(again.code).toBe(0);
    const status = await cli(["status", "--json"], { cwd: sub });
    expect(JSON.parse(status.stdout).totals).toMatchObject({ clips: 2, generated: 2 });
  });

  it("a path argument is taken relative to the current folder and scopes the plan", async () => {
    const dir = project({ "clipform.yaml": CONFIG, "shots/a.yaml": SHOT("a"), "shots/more/b.yaml": SHOT("b") });
    const r = await cli(["plan", "b.yaml", "--json"], { cwd: join(dir, "shots", "more") });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { changes: { address: string }[] }).changes.map((c) => c.address)).toEqual(["b"]);
  });

  it("refuses, with the reason, a path outside the project or inside another project", async () => {
    const dir = project({ "clipform.yaml": CONFIG, "shots/a.yaml": SHOT("a"), "elsewhere/c.yaml": SHOT("c") });
    mkdirSync(join(dir, "inner", "shots"), { recursive: true });
    const outside = await cli(["plan", "../elsewhere"], { cwd: join(dir, "shots") });
    expect(outside.code).toBe(0); // elsewhere/ is inside this project: allowed
    const parent = join(dir, "..");
    const far = await cli(["plan", parent], { cwd: dir });
    expect(far.code).toBe(1);
    expect(far.stderr).toMatch(/is outside the project at .*: its clips would need a lockfile of their own/);

    writeFileSync(join(dir, "inner", "clipform.yaml"), "version: 1\nmanifests: [shots]\n");
    writeFileSync(join(dir, "inner", "shots", "d.yaml"), SHOT("d"));
    const nested = await cli(["apply", "--sim", "--auto-approve", "inner/shots"], { cwd: dir });
    expect(nested.code).toBe(1);
    expect(nested.stderr).toContain("inner/shots belongs to another clipform project (inner/clipform.yaml) with its own lockfile");
    expect(existsSync(join(dir, ".clipform", "sim", "clipform.lock.json"))).toBe(false);
    expect(nested.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it("reports every problem in clipform.yaml at FILE:LINE:COL, with a suggestion for a misspelt setting", async () => {
    const dir = project({ "clipform.yaml": "version: 1\nmanifest: [shots]\nbudget: lots\nlockfile: ../up.json\n", "shots/a.yaml": SHOT("a") });
    mkdirSync(join(dir, "shots", "deep"), { recursive: true });
    const r = await cli(["plan"], { cwd: join(dir, "shots", "deep") });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('../../clipform.yaml:2:1: unknown setting "manifest"; did you mean "manifests"?');
    expect(r.stderr).toContain('../../clipform.yaml:3:9: budget must be an amount in USD, like 50 or 12.50, got "lots"');
    expect(r.stderr).toContain('../../clipform.yaml:4:11: lockfile must stay inside the project (no ".."), got "../up.json"');
    expect(r.stderr).toContain("error: 3 problems in ../../clipform.yaml; nothing was planned or sent");
  });

  it("exposes the settings: budget and concurrency for the planner and apply", () => {
    const dir = project({ "clipform.yaml": CONFIG, "shots/a.yaml": SHOT("a") });
    const ws = openWorkspace(join(dir, "shots"), { paths: ["a.yaml"] });
    expect(ws.root).toBe(dir);
    expect(ws.paths).toEqual(["shots/a.yaml"]);
    expect(ws.config).toMatchObject({ manifests: ["shots"], outDir: "renders", concurrency: 2, budget: 25.5 });
    expect(ws.record).toEqual({ lockPath: join(dir, "record", "clipform.lock.json"), outDir: "renders", simulated: false });
    expect(openWorkspace(dir, { sim: true }).record).toEqual({ lockPath: join(dir, ".clipform", "sim", "clipform.lock.json"), outDir: ".clipform/sim/renders", simulated: true });
  });
});

describe("without clipform.yaml", () => {
  it("the current folder is the root, as before; but a folder under one that keeps a lockfile is refused, nothing written", async () => {
    const dir = project({ "specs/a.yaml": SHOT("a") });
    const applied = await cli(["apply", "--auto-approve"], { cwd: dir, env: sim.env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(existsSync(join(dir, "clipform.lock.json"))).toBe(true);

    const sub = join(dir, "specs");
    for (const args of [["apply", "--auto-approve", "."], ["plan", "."], ["status"]]) {
      const r = await cli(args, { cwd: sub, env: sim.env });
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toContain("../clipform.lock.json already records this project's clips: running here would start a second lockfile");
      expect(r.stderr).toContain("add clipform.yaml there (`clipform init`)");
    }
    expect(existsSync(join(sub, "clipform.lock.json"))).toBe(false);
    expect(existsSync(join(sub, ".clipform"))).toBe(false);
    expect((await cli(["validate", "."], { cwd: sub })).code).toBe(0);
  });
});

describe("the config file is not a manifest", () => {
  it("`plan .` at the root reads the manifests, not clipform.yaml", async () => {
    const dir = project({ "clipform.yaml": "version: 1\nmanifests: [shots]\n", "shots/a.yaml": SHOT("a") });
    const r = await cli(["validate", "."], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("ok: 1 clip in 1 manifest\n");
  });
});
