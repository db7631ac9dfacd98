import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, exampleProject, project } from "../helpers/cli.js";

const CLIP = `version: 1
clips:
  tram:
    model: klingai:3@1
    positivePrompt: A yellow tram climbs a steep hill at dawn
    width: 1280
    height: 720
`;

describe("clipform validate", () => {
  it("accepts the repository's example project", async () => {
    const r = await cli(["validate"], { cwd: exampleProject() });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^ok: 12 clips in 4 manifests/);
    expect(r.code).toBe(0);
  });

  it("reports every problem as FILE:LINE:COL, exits 1, and prints no stack trace", async () => {
    const dir = project({
      "specs/bad.yaml": `version: 1
clips:
  tram:
    model: klingai:3@1
    positivPrompt: A tram
    duration: 7
    width: 1280
`,
    });
    const r = await cli(["validate"], { cwd: dir });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toEqual([
      'specs/bad.yaml:5:5: unknown field "positivPrompt" in clips.tram; did you mean "positivePrompt"?',
      "specs/bad.yaml:6:15: duration 7 is not supported by klingai:3@1 (allowed: 5, 10 seconds)",
      "specs/bad.yaml:7:12: width and height must be set together for klingai:3@1: height is missing",
      "error: 3 problems found; nothing was planned or sent",
    ]);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it("points an unterminated quote at where it opens", async () => {
    const dir = project({ "specs/q.yaml": `version: 1\nclips:\n  a:\n    positivePrompt: "never closed\n    model: klingai:3@1\n  b:\n    duration: 5\n` });
    const r = await cli(["validate"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("specs/q.yaml:4:21: unterminated quoted string");
  });

  it("says clearly when there is no project, and how to start one", async () => {
    const r = await cli(["validate"], { cwd: project({}) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no clipform project here: no clipform\.yaml in .+ or any folder above, and no specs folder\. Run `clipform init` to start one here, or name the manifests to read\.\n$/);
  });
});

describe("clipform plan", () => {
  it("prints the JSON contract", async () => {
    const r = await cli(["plan", "--json"], { cwd: exampleProject() });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.format_version).toBe("1");
    expect(j.changes).toHaveLength(12);
    for (const c of j.changes) expect(Object.keys(c)).toEqual(expect.arrayContaining(["address", "action", "reason", "estimated_cost_usd"]));
    expect(j.summary).toMatchObject({ create: 12, estimated_cost_usd: 2.6796 });
  });

  it("--detailed-exitcode: 2 with changes, 0 with nothing to do", async () => {
    const dir = project({ "specs/a.yaml": CLIP });
    expect((await cli(["plan", "--detailed-exitcode"], { cwd: dir })).code).toBe(2);
    const empty = project({ "specs/a.yaml": "version: 1\nclips: {}\n" });
    const r = await cli(["plan", "--detailed-exitcode"], { cwd: empty });
    expect(r.stdout).toContain("No changes.");
    expect(r.code).toBe(0);
  });

  it("--markdown for pull-request comments", async () => {
    const r = await cli(["plan", "--markdown"], { cwd: project({ "specs/a.yaml": CLIP }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("### clipform plan");
    expect(r.stdout).toContain("| 🟢 | `tram` | create | klingai:3@1 | 5s 1280x720 ×1 | $0.1848 | observed |");
  });

  it("fails, after showing the plan, when the estimate exceeds --max-cost or a manifest budget", async () => {
    const dir = project({ "specs/a.yaml": CLIP });
    const r = await cli(["plan", "--max-cost", "0.10"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Budget EXCEEDED --max-cost: this plan $0.18 of $0.10 (over by $0.08)");
    expect(r.stderr).toContain("error: estimated $0.18 exceeds the --max-cost of $0.10; apply would refuse");
    const budgeted = project({ "specs/a.yaml": CLIP.replace("clips:", "budget:\n  maxCost: 0.1\nclips:") });
    expect((await cli(["plan"], { cwd: budgeted })).stderr).toContain("exceeds the specs/a.yaml budget of $0.10");
  });

  it("--out saves a versioned plan tied to the manifests and the lockfile", async () => {
    const dir = project({ "specs/a.yaml": CLIP });
    const r = await cli(["plan", "--out", "tram.plan.json"], { cwd: dir });
    expect(r.code).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, "tram.plan.json"), "utf8"));
    expect(saved).toMatchObject({ kind: "clipform-plan", format_version: 1, lockfile: { exists: false } });
    expect(saved.project_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.plan.changes[0]).toMatchObject({ address: "tram", action: "create" });
  });

  it("refuses a corrupt lockfile with a clear error and leaves it untouched", async () => {
    const dir = project({ "specs/a.yaml": CLIP, "clipform.lock.json": '{"format_version": 1, "lineage": "x",' });
    const before = readFileSync(join(dir, "clipform.lock.json"), "utf8");
    const r = await cli(["plan"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: clipform\.lock\.json.*not valid JSON/);
    expect(readFileSync(join(dir, "clipform.lock.json"), "utf8")).toBe(before);
    writeFileSync(join(dir, "clipform.lock.json"), '{"format_version": 1, "lineage": "not-a-uuid", "serial": 1, "clips": {}}');
    expect((await cli(["plan"], { cwd: dir })).stderr).toContain("at lineage: must match format \"uuid\"");
  });

  it("rejects unknown flags and commands with usage, exit 1", async () => {
    const dir = project({ "specs/a.yaml": CLIP });
    const r = await cli(["plan", "--jsno"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Unknown option '--jsno'");
    expect((await cli(["plna"], { cwd: dir })).stderr).toContain('unknown command "plna"');
  });

  it("colours only when asked: FORCE_COLOR on, NO_COLOR (the default here) off", async () => {
    const dir = project({ "specs/a.yaml": CLIP });
    expect((await cli(["plan"], { cwd: dir })).stdout).not.toContain("\x1b[");
    expect((await cli(["plan"], { cwd: dir, env: { FORCE_COLOR: "1" } })).stdout).toContain("\x1b[");
  });
});
