/**
 * A server or proxy that ignores X-Runware-Dry-Run turned `plan --quote` into 5 real generations
 * never journaled or recorded, and `apply --quote` into 15 submits for 5 clips. Dry runs are now
 * written ahead like any generation; one answered like a real task (acknowledged, no price) is
 * kept as paid and in flight, said as an error, and nothing more is sent to that endpoint to quote.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dryRunDir, type DryRunTask } from "../../src/quote/dry-runs.js";
import { cleanupAfterAll, simEnv, simProject, startSim } from "../helpers/apply-sim.js";
import { cli } from "./inproc.js";

cleanupAfterAll();

describe("a server that ignores the dry-run header", () => {
  it("plan --quote: every real generation recorded and said; apply --quote then sends nothing", async () => {
    const sim = await startSim({ dialects: ["ignores-dry-run"] });
    const dir = simProject(5);
    const env = simEnv(sim);
    const plan = await cli(["plan", "--quote"], dir, env);
    expect(plan.code).toBe(1);
    expect(plan.stderr.match(/the dry run was answered like a real task/g)?.length).toBe(5);
    expect(plan.stderr).toMatch(/5 dry runs were run for real by .*: they are recorded as paid and in flight in .*dry-runs/);
    // What the server generated is exactly what is recorded: no paid task unknown to clipform.
    const files = readdirSync(dryRunDir(dir));
    expect(files).toHaveLength(1);
    const recorded = (JSON.parse(readFileSync(join(dryRunDir(dir), files[0]!), "utf8")) as { dryRuns: DryRunTask[] }).dryRuns;
    expect(recorded.every((t) => t.ran)).toBe(true);
    expect(new Set(recorded.map((t) => t.taskUUID))).toEqual(new Set(sim.stats().acceptedTaskUUIDs));
    expect(new Set(recorded.map((t) => t.address))).toEqual(new Set(["clip-01", "clip-02", "clip-03", "clip-04", "clip-05"]));
    expect(sim.stats().videoInference).toBe(5);

    const apply = await cli(["apply", "--quote", "--auto-approve", "--poll-interval", "20"], dir, env);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/ran 5 earlier dry runs for real .*quoting there is refused, nothing was sent/);
    expect(sim.stats().videoInference).toBe(5);
  });

  it("an honoured dry run leaves no record behind", async () => {
    const sim = await startSim();
    const dir = simProject(2);
    const plan = await cli(["plan", "--quote"], dir, simEnv(sim));
    expect(plan.code).toBe(0);
    expect(sim.stats().videoInference).toBe(0);
    expect(readdirSync(dryRunDir(dir))).toEqual([]);
  });
});
