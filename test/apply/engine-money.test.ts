/**
 * The engine's money rules, in-process with the fake API and clock: a price probe under a budget,
 * cost anomalies recorded and never counted as $0, inline video data kept out of the lockfile.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { desired, lockWith } from "../helpers/plan-data.js";
import { FakeApi, PRICE, rig, type Rig } from "./fake-api.js";

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});
const track = (r: Rig) => (rigs.push(r), r);
const clips = (n: number) => Array.from({ length: n }, (_, i) => desired(`c${i}`, { positivePrompt: `Shot number ${i}` }));
const batches = (r: Rig) => {
  const sizes: number[] = [];
  r.api.onSubmit = (tasks) => sizes.push(tasks.length);
  return sizes;
};

describe("apply engine: price probe", () => {
  it("a server charging 10x the catalog price: one probe is sent alone, and spend stays within the limit plus one generation", async () => {
    const r = track(rig(clips(10), lockWith({}), { budgets: [{ scope: "--max-cost", limitUsd: 1 }], api: (clock) => Object.assign(new FakeApi(clock), { cost: 10 * PRICE }) }));
    const sizes = batches(r);
    const s = await r.engine.run();
    expect(sizes[0]).toBe(1);
    expect(r.events.filter((e) => e.type === "price-probe")).toHaveLength(1);
    // Without the probe, five generations (5 x $0.1848 estimated <= $1) leave at once: $9.24.
    expect(s.spentUsd).toBeLessThanOrEqual(1 + 10 * PRICE);
    expect(r.api.submits).toHaveLength(1);
    expect(r.events.find((e) => e.type === "note" && /more than the \$0\.1848 estimated/.test(e.message))).toBeDefined();
    expect(r.events.find((e) => e.type === "budget-stop")).toMatchObject({ scope: "--max-cost" });
  });

  it("a probe charged what was estimated widens to full concurrency", async () => {
    const r = track(rig(clips(10), lockWith({}), { budgets: [{ scope: "--max-cost", limitUsd: 5 }] }));
    const sizes = batches(r);
    const s = await r.engine.run();
    expect(sizes[0]).toBe(1);
    expect(Math.max(...sizes.slice(1))).toBeGreaterThan(1);
    expect(s).toMatchObject({ succeeded: 10, skipped: 0 });
  });

  it("without a budget nothing is probed", async () => {
    const r = track(rig(clips(4), lockWith({})));
    const sizes = batches(r);
    await r.engine.run();
    expect(sizes[0]).toBe(4);
    expect(r.events.some((e) => e.type === "price-probe")).toBe(false);
  });
});

describe("apply engine: cost anomalies and inline videos", () => {
  it("an anomalous cost is recorded with its raw value, shown, never a charge, and the budget counts the estimate instead", async () => {
    const r = track(
      rig(clips(5), lockWith({}), {
        concurrency: 1,
        budgets: [{ scope: "--max-cost", limitUsd: 2.5 * PRICE }],
        api: (clock) => Object.assign(new FakeApi(clock), { cost: undefined, decorate: (it: object) => ({ ...it, costAnomaly: { raw: "-100", reason: "negative" as const } }) }),
      }),
    );
    const s = await r.engine.run();
    // Counting the anomalies as $0 would send all five.
    expect(r.api.submits).toHaveLength(2);
    expect(s.spentUsd).toBe(0);
    const res = r.onDisk().clips.c0!.results[0]!;
    expect(res.costUsd).toBeUndefined();
    expect(res.costAnomaly).toEqual({ raw: "-100", reason: "negative" });
    expect(r.events.find((e) => e.type === "cost-anomaly")).toMatchObject({ address: "c0", raw: "-100", reason: "negative", message: expect.stringMatching(/ignored \(negative\)/) });
  });

  it("a video sent inline (a data: URI) is saved to disk, never written into the lockfile", async () => {
    const r = track(rig(clips(2), lockWith({}), { api: (clock) => Object.assign(new FakeApi(clock), { decorate: (it: object) => ({ ...it, videoURL: "data:video/mp4;base64,AAAAIGZ0eXBpc29t" }) }) }));
    const s = await r.engine.run();
    expect(s).toMatchObject({ succeeded: 2, downloaded: 2 });
    expect(readFileSync(r.lockPath, "utf8")).not.toContain("data:");
    const res = r.onDisk().clips.c0!.results[0]!;
    expect(res.videoURL).toBeUndefined();
    expect(existsSync(join(r.dir, res.file!))).toBe(true);
  });
});
