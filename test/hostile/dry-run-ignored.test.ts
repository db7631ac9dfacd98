/**
 * A server or proxy that ignores X-Runware-Dry-Run turned `plan --quote` into 5 real generations
 * never journaled or recorded, and `apply --quote` into 15 submits for 5 clips. Dry runs are now
 * written ahead like any generation; one answered like a real task (acknowledged, no price) is
 * kept as paid and in flight, said as an error, and nothing more is sent to that endpoint to quote.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dryRunDir, type DryRunTask } from "../../src/quote/dry-runs.js";
import { cleanupAfterAll, manifest, simEnv, simProject, startSim } from "../helpers/apply-sim.js";
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
    expect(plan.stderr).toMatch(/5 dry runs were run for real by .*: they are recorded as paid and in flight \(.*journal.*\): the next plan shows them as resume/);
    // What the server generated is exactly what is recorded: no paid task unknown to clipform.
    const files = readdirSync(dryRunDir(dir));
    expect(files).toHaveLength(1);
    const recorded = (JSON.parse(readFileSync(join(dryRunDir(dir), files[0]!), "utf8")) as { dryRuns: DryRunTask[] }).dryRuns;
    expect(recorded.every((t) => t.ran)).toBe(true);
    expect(new Set(recorded.map((t) => t.taskUUID))).toEqual(new Set(sim.stats().acceptedTaskUUIDs));
    expect(new Set(recorded.map((t) => t.address))).toEqual(new Set(["clip-01", "clip-02", "clip-03", "clip-04", "clip-05"]));
    expect(sim.stats().videoInference).toBe(5);

    // The next plan shows them in flight; apply --quote asks no quote and collects them, paying nothing more.
    const next = JSON.parse((await cli(["plan", "--json"], dir, env)).stdout) as { changes: { action: string }[] };
    expect(next.changes.map((c) => c.action)).toEqual(["resume", "resume", "resume", "resume", "resume"]);
    const apply = await cli(["apply", "--quote", "--auto-approve", "--poll-interval", "20"], dir, env);
    expect(apply.code, apply.stderr).toBe(0);
    expect(sim.stats().videoInference).toBe(5);
    const lock = JSON.parse(readFileSync(join(dir, "clipform.lock.json"), "utf8")) as { clips: Record<string, { tasks: { taskUUID: string }[]; results: { costUsd?: number }[] }> };
    expect(new Set(Object.values(lock.clips).flatMap((e) => e.tasks.map((t) => t.taskUUID)))).toEqual(new Set(sim.stats().acceptedTaskUUIDs));
    expect(Object.values(lock.clips).every((e) => e.results.length === 1 && e.results[0]!.costUsd! > 0)).toBe(true);
  });

  it("an endpoint that ran dry runs for real is not asked to quote again", async () => {
    const sim = await startSim({ dialects: ["ignores-dry-run"] });
    const dir = simProject(2);
    const env = simEnv(sim);
    expect((await cli(["plan", "--quote"], dir, env)).code).toBe(1);
    expect(sim.stats().videoInference).toBe(2);
    // A clip added later is not quoted there: the dry run would be paid again.
    writeFileSync(join(dir, "specs", "clips.yaml"), manifest(3));
    const again = await cli(["plan", "--quote"], dir, env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/ran 2 earlier dry runs for real .*quoting there is refused, nothing was sent/);
    expect(sim.stats().videoInference).toBe(2);
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
