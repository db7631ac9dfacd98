/**
 * `clipform apply` (the real binary) against the simulator in combined dialects: the way the
 * real API may answer, a hostile server, and failures reported under HTTP 500. Each run must
 * end, generate each clip exactly once, and record and download every paid variant.
 */
import { describe, expect, it } from "vitest";
import { apply, cleanupAfterAll, entryProblems, readLock, simProject, startSim, type ClipSpec } from "../helpers/apply-sim.js";

cleanupAfterAll();

const CLIPS: ClipSpec[] = [1, 2, 3, 1, 2, 3].map((numberResults, i) => ({
  id: `shot-${i + 1}`,
  prompt: `Shot ${i + 1}: a lighthouse keeper climbs the stairs at dusk, take ${i + 1}`,
  numberResults,
}));

function problems(dir: string): string[] {
  const lock = readLock(dir);
  return CLIPS.flatMap((c) => entryProblems(dir, c.id, lock, c.numberResults));
}

describe.concurrent("apply under simulator dialects", () => {
  it("the real API's variations: every clip once, every variant recorded and on disk", { timeout: 60_000 }, async () => {
    const sim = await startSim({
      latencyMs: 150,
      dialects: ["unknown-status", "nulls", "extra-fields", "one-by-one", "partial-batch", "redirect", "completed"],
    });
    const dir = simProject(CLIPS);
    const r = await apply(dir, sim, ["--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats()).toMatchObject({ videoInference: CLIPS.length, duplicatesRefused: 0 });
    expect(problems(dir)).toEqual([]);
    // --json says what the partial batch answers cost in polls.
    const events = r.stdout.trim().split("\n").map((line) => JSON.parse(line) as { event: string; repolls?: number; oneByOne?: boolean; requests?: number });
    const polling = events.find((e) => e.event === "polling");
    expect(polling).toMatchObject({ oneByOne: true, repolls: expect.any(Number) });
    expect(polling!.repolls).toBeGreaterThan(0);
    expect(polling!.requests).toBe(sim.stats().pollRequests);
    const costs = Object.values(readLock(dir).clips).flatMap((e) => e.results.map((res) => res.costUsd));
    expect(costs.every((c) => typeof c === "number" && c > 0)).toBe(true);
  });

  it("a hostile server (garbage, huge and slow bodies, bad costs, wrong taskUUIDs): ends, pays once, records no cost it cannot believe", { timeout: 60_000 }, async () => {
    const sim = await startSim({ latencyMs: 60, dialects: ["garbage", "huge-body", "slow-body", "bad-cost", "wrong-uuid"] });
    const dir = simProject(CLIPS);
    const r = await apply(dir, sim);
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats()).toMatchObject({ videoInference: CLIPS.length, duplicatesRefused: 0 });
    expect(problems(dir)).toEqual([]);
    const results = Object.values(readLock(dir).clips).flatMap((e) => e.results);
    expect(results.filter((res) => res.costUsd !== undefined)).toEqual([]);
  });

  it("failed generations reported under HTTP 500: each is its task's failure, the others are recorded", { timeout: 60_000 }, async () => {
    const sim = await startSim({ latencyMs: 60, failRate: 0.5, seed: 3, dialects: ["errors-5xx"] });
    const dir = simProject(CLIPS);
    const r = await apply(dir, sim);
    const stats = sim.stats();
    expect(stats).toMatchObject({ videoInference: CLIPS.length, duplicatesRefused: 0 });
    expect(stats.failedGenerations).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    const lock = readLock(dir);
    const failed = CLIPS.filter((c) => lock.clips[c.id]!.tasks[0]!.status === "failed");
    expect(failed).toHaveLength(stats.failedGenerations);
    const fine = CLIPS.filter((c) => !failed.includes(c));
    expect(fine.flatMap((c) => entryProblems(dir, c.id, lock, c.numberResults))).toEqual([]);
  });
});
