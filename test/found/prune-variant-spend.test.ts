/**
 * A variant reroll (`apply --replace ADDR#N`) keeps the replaced video among the takes while its
 * task stays in the clip's entry. Pruning that take must record what the video was charged:
 * lifetime spend (status --json) stays what the simulator charged (session test, invariant c).
 */
import { describe, expect, it } from "vitest";
import { cleanupAfterAll, FAST, readLockFile, simEnv, simProject, startSim } from "../helpers/apply-sim.js";
import { ok } from "../helpers/inproc.js";

cleanupAfterAll();

const charged = (stats: { chargedByTask: Record<string, number> }) => Object.values(stats.chargedByTask).reduce((s, x) => s + x, 0);
const spent = async (dir: string, env: Record<string, string>) => (JSON.parse(await ok(dir, env, "status", "--json")) as { totals: { spent_usd: number } }).totals.spent_usd;

describe("prune after a variant reroll", () => {
  it("records the replaced video's real cost: lifetime spend still equals the charges", async () => {
    const sim = await startSim({ latencyMs: 5 });
    const env = simEnv(sim);
    const dir = simProject(1);
    await ok(dir, env, "apply", ...FAST);
    const first = readLockFile(dir).clips["clip-01"]!.tasks[0]!.taskUUID;
    await ok(dir, env, "apply", ...FAST, "--replace", "clip-01#1");
    // The replaced video's take is whole: its task went with it.
    expect(readLockFile(dir).clips["clip-01"]!.tasks.map((t) => t.taskUUID)).not.toContain(first);
    const paid = charged(sim.stats());
    expect(paid).toBeCloseTo(2 * 0.1848, 4);
    expect(await spent(dir, env)).toBeCloseTo(paid, 4);

    const out = await ok(dir, env, "prune");
    expect(out).toMatch(/\$0\.18/);
    expect(await spent(dir, env)).toBeCloseTo(paid, 4);
    const pruned = (readLockFile(dir) as { pruned?: Record<string, { costUsd: number }> }).pruned ?? {};
    expect(pruned[first]?.costUsd).toBeCloseTo(0.1848, 4);
  });
});
