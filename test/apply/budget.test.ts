/**
 * Never pay by surprise: budgets refuse before anything is sent, and stop submission during a run
 * when actual charges turn out higher than the estimate.
 */
import { randomUUID } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  actionsOf,
  apply,
  cleanupAfterAll,
  lockPathOf,
  planJson,
  readLock,
  recordedCost,
  run,
  simEnv,
  SIM_PRICE,
  simProject,
  startSim,
  type LockEntryJson,
} from "../helpers/apply-sim.js";

cleanupAfterAll();

/**
 * A lockfile whose only entry is a clip no manifest declares anymore, charged $0.01 for a
 * klingai:3@1 5 s result: the plan learns $0.01 per result, far below the simulator's real price.
 */
function cheapHistory(dir: string): void {
  const task = randomUUID();
  const entry: LockEntryJson = {
    fingerprint: "0".repeat(64),
    manifest: "specs/old.yaml",
    model: "klingai:3@1",
    request: { model: "klingai:3@1", positivePrompt: "an old clip", width: 1280, height: 720, duration: 5 },
    numberResults: 1,
    tasks: [{ taskUUID: task, numberResults: 1, status: "succeeded", submittedAt: "2026-01-01T00:00:00.000Z", finishedAt: "2026-01-01T00:05:00.000Z" }],
    results: [{ taskUUID: task, videoUUID: randomUUID(), costUsd: 0.01 }],
  };
  const lock = { format_version: 1, lineage: randomUUID(), serial: 1, clips: { "old-clip": entry } };
  writeFileSync(lockPathOf(dir), JSON.stringify(lock, null, 2) + "\n");
}

describe.concurrent("apply: budgets", () => {
  it("--max-cost below the estimate: exit 1, says it exceeds, sends nothing", async () => {
    const sim = await startSim();
    const dir = simProject(3);
    const r = await apply(dir, sim, ["--max-cost", "0.5"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: estimated \$0\.55 exceeds the --max-cost of \$0\.50\. Nothing was sent\./);
    expect(sim.stats().requests).toBe(0);
    expect(existsSync(lockPathOf(dir))).toBe(false);
    expect(existsSync(join(dir, ".clipform/apply.lock"))).toBe(false);
  });

  it("a manifest budget exceeded: exit 1, says it exceeds, sends nothing", async () => {
    const sim = await startSim();
    const dir = simProject(3, {}, { budget: 0.4 });
    const r = await apply(dir, sim);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exceeds the specs\/clips\.yaml budget of \$0\.40\. Nothing was sent\./);
    expect(sim.stats().requests).toBe(0);
    expect(existsSync(lockPathOf(dir))).toBe(false);
  });

  it("a saved plan's own --max-cost is enforced", async () => {
    const sim = await startSim();
    const dir = simProject(3);
    const saved = await run(["plan", "--out", "p.json", "--max-cost", "0.5"], { cwd: dir });
    expect(saved.code).toBe(1); // plan says apply would refuse
    const r = await run(["apply", "p.json", "--poll-interval", "20"], { cwd: dir, env: simEnv(sim) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exceeds the --max-cost of \$0\.50\. Nothing was sent\./);
    expect(sim.stats().requests).toBe(0);
  });

  /** A budget given to `apply PLANFILE` on the command line must not be silently dropped. */
  it("apply PLANFILE --max-cost below the estimate: refused, nothing sent", async () => {
    const sim = await startSim();
    const dir = simProject(3);
    expect((await run(["plan", "--out", "p.json"], { cwd: dir })).code).toBe(0);
    const r = await run(["apply", "p.json", "--max-cost", "0.1", "--poll-interval", "20"], { cwd: dir, env: simEnv(sim) });
    expect(sim.stats().videoInference).toBe(0);
    expect(sim.stats().requests).toBe(0);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/max-cost/);
  });

  it("a budget that fits the estimate is applied", async () => {
    const sim = await startSim();
    const dir = simProject(2, {}, { budget: 0.5 });
    const r = await apply(dir, sim, ["--max-cost", "0.37"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats().videoInference).toBe(2);
    expect(recordedCost(readLock(dir))).toBeCloseTo(2 * SIM_PRICE, 4);
  });

  it("mid-run: actual charges above the learned estimate stop submission (default concurrency)", async () => {
    const sim = await startSim({ latencyMs: 60 });
    const dir = simProject(10);
    cheapHistory(dir);
    const plan = await planJson(dir, ["--max-cost", "0.3"]);
    expect(plan.changes.filter((c) => c.action === "create").every((c) => c.price_source === "learned" && c.estimated_cost_usd === 0.01)).toBe(true);
    expect(plan.summary.estimated_cost_usd).toBeCloseTo(0.1, 6);

    const r = await apply(dir, sim, ["--max-cost", "0.3", "--json"]);
    expect(r.code).toBe(1);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const stop = events.find((e) => e.event === "budget-stop");
    expect(stop).toMatchObject({ scope: "--max-cost", limitUsd: 0.3 });
    const summary = events.at(-1)!;
    expect(summary).toMatchObject({ event: "summary" });
    expect(summary.skipped).toBeGreaterThan(0);
    const skipped = events.filter((e) => e.event === "skipped");
    expect(skipped.length).toBe(summary.skipped);
    for (const s of skipped) expect(s.reason).toMatch(/budget/);

    // Nothing is sent once spent + in flight + the next job would cross the limit. The generations
    // already in flight when the first real charge arrived could not be recalled: the recorded
    // spend stays within the limit plus their cost.
    const accepted = sim.stats().videoInference;
    expect(accepted).toBeLessThan(10);
    const lock = readLock(dir);
    const spent = recordedCost(lock);
    expect(spent).toBeCloseTo(accepted * SIM_PRICE, 4);
    expect(events.filter((e) => e.event === "submitted")).toHaveLength(accepted);
    const firstCharge = events.findIndex((e) => e.event === "succeeded");
    const inFlightAtFirstCharge = events.slice(0, firstCharge).filter((e) => e.event === "submitted").length;
    expect(spent).toBeLessThanOrEqual(0.3 + inFlightAtFirstCharge * SIM_PRICE + 1e-9);
    const plan2 = await planJson(dir);
    expect(Object.values(actionsOf(plan2)).filter((a) => a === "create")).toHaveLength(10 - accepted);
  });

  /**
   * With one generation in flight at a time, the first result shows the real price ($0.1848) is
   * far above the $0.01 estimate. Submitting a second clip then makes the actual spend $0.3696,
   * past --max-cost 0.3, with nothing else in flight to excuse it: "stop submitting before actual
   * costs cross it" is broken if the engine keeps estimating at $0.01 after seeing real charges.
   */
  it("mid-run, one at a time: no submission after the actual spend shows the next one would cross the limit", async () => {
    const sim = await startSim({ latencyMs: 40 });
    const dir = simProject(10);
    cheapHistory(dir);
    const r = await apply(dir, sim, ["--max-cost", "0.3", "--concurrency", "1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/budget\s+--max-cost \$0\.30 reached/);
    expect(r.stderr).toMatch(/Apply finished with problems/);
    const spent = recordedCost(readLock(dir));
    // Nothing was in flight when the first charge ($0.1848) was known, so the limit holds exactly.
    expect(spent).toBeLessThanOrEqual(0.3 + 1e-9);
    expect(sim.stats().videoInference).toBe(1);
  });
});
