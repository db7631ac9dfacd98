/**
 * The price probe as a user meets it: a simulator charging 10x the catalog price, 5 clips (estimated $0.92)
 * under `--max-cost 1` at the default concurrency. One generation goes alone first; its charge shows
 * the real price; nothing more is sent once it would cross the limit. The README's bound holds:
 * the spend passes the limit by at most one generation's real charge.
 */
import { describe, expect, it } from "vitest";
import { OVERCHARGE_FACTOR } from "../../src/sim/dialects.js";
import { apply, cleanupAfterAll, readLock, recordedCost, SIM_PRICE, simProject, startSim } from "../helpers/apply-sim.js";

cleanupAfterAll();

describe("apply: price probe under a budget", () => {
  it("a server charging 10x: one probe, then the real price; spend within --max-cost plus one generation", async () => {
    const sim = await startSim({ dialects: ["overcharge"], latencyMs: 60 });
    const dir = simProject(5);
    const r = await apply(dir, sim, ["--max-cost", "1", "--json"]);
    expect(r.code).toBe(1);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.event === "price-probe")).toHaveLength(1);
    expect(events.find((e) => e.event === "budget-stop")).toMatchObject({ scope: "--max-cost", limitUsd: 1 });
    const spent = recordedCost(readLock(dir));
    // Without the probe all five (5 x $0.1848 estimated) leave at once: $9.24 charged.
    expect(spent).toBeLessThanOrEqual(1 + OVERCHARGE_FACTOR * SIM_PRICE + 1e-9);
    expect(sim.stats().videoInference).toBe(1);
  });

  it("a server charging the catalog price: after the probe, the rest go at full concurrency", async () => {
    const sim = await startSim({ latencyMs: 60 });
    const dir = simProject(6);
    const r = await apply(dir, sim, ["--max-cost", "5", "--json"]);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const firstDone = events.findIndex((e) => e.event === "succeeded");
    expect(events.slice(0, firstDone).filter((e) => e.event === "submitted")).toHaveLength(1);
    expect(sim.stats().videoInference).toBe(6);
  });
});
