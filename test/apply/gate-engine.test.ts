/**
 * The spend gate inside the engine, in-process with the fake API and clock: prices that lie
 * (a stale learned price, a $0 charge, an image's charge) never open a budget; the spend past it
 * stays within one generation's real charge, and the run says which budget and by how much.
 */
import { afterEach, describe, expect, it } from "vitest";
import { fingerprintOf, type DesiredClip, type GenerationFields } from "../../src/manifest/index.js";
import { applyFailed, summaryText } from "../../src/apply/reporter.js";
import { desired, entryFor, lockWith } from "../helpers/plan-data.js";
import { FakeApi, PRICE, rig, type Rig } from "./fake-api.js";

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});
const track = (r: Rig) => (rigs.push(r), r);
const clips = (n: number, prompt = "Shot") => Array.from({ length: n }, (_, i) => desired(`c${i}`, { positivePrompt: `${prompt} number ${i}` }));
const charging = (cost: number) => (clock: ConstructorParameters<typeof FakeApi>[0]) => Object.assign(new FakeApi(clock), { cost });

describe("spend gate in the engine", () => {
  it("a stale learned price and a server charging 10x: --max-cost 1 over 4 edited clips sends one, stops, and says which budget and by how much", async () => {
    // The project learned $0.1848 for this kind; the clips were then edited (replace).
    const before = clips(4);
    const lock = lockWith(Object.fromEntries(before.map((c) => [c.address, entryFor(c)])));
    const r = track(rig(clips(4, "Edited shot"), lock, { budgets: [{ scope: "--max-cost", limitUsd: 1 }], api: charging(10 * PRICE) }));
    const s = await r.engine.run();
    // Sent all at once at the learned price, the four cost $7.39.
    expect(r.api.submits).toHaveLength(1);
    expect(s.spentUsd).toBeCloseTo(10 * PRICE, 6);
    expect(s.skipped).toBe(3);
    expect(s.budgetsExceeded).toEqual([{ scope: "--max-cost", limitUsd: 1, spentUsd: 1.848, overByUsd: 0.848, why: expect.stringMatching(/charged \$1\.848 per result, more than the \$0\.1848 estimated/) }]);
    expect(applyFailed(s)).toBe(true);
    expect(summaryText(s)).toMatch(/budget EXCEEDED --max-cost: spent \$1\.85 of \$1\.00 \(over by \$0\.85\)/);
    expect(r.events.find((e) => e.type === "budget-stop")).toMatchObject({ scope: "--max-cost", nextUsd: 1.848 });
  });

  it("a $0 charge is not believed: each counts at its estimate, so --max-cost 1 sends at most what its estimates fit", async () => {
    const r = track(rig(clips(10), lockWith({}), { budgets: [{ scope: "--max-cost", limitUsd: 1 }], api: charging(0) }));
    const s = await r.engine.run();
    // Believed, $0 confirms the kind at $0 and all ten go.
    expect(r.api.submits.length).toBe(5);
    expect(s.countedUsd).toBeCloseTo(5 * PRICE, 6);
    expect(s.countedUsd).toBeLessThanOrEqual(1);
    // Never confirmed, the kind went one at a time.
    expect(r.api.maxInFlight).toBe(1);
  });

  it("keyframe images: the probe's charge re-prices later images of its size, so --max-cost holds within one image", async () => {
    const image = (i: number): DesiredClip => {
      const generation: GenerationFields = { taskType: "imageInference", model: "runware:101@1", positivePrompt: `A snowy station, frame ${i}`, width: 1024, height: 1024, outputFormat: "PNG" };
      return { ...desired(`key${i}`), kind: "image", generation, fingerprint: fingerprintOf(generation) };
    };
    const est = 0.0013; // runware:101@1 at 1024x1024
    const r = track(rig([0, 1, 2, 3, 4].map(image), lockWith({}), { budgets: [{ scope: "--max-cost", limitUsd: 0.03 }], api: charging(10 * est) }));
    const s = await r.engine.run();
    // Priced at $0.0013 all along, all five went: $0.065.
    expect(s.spentUsd).toBeLessThanOrEqual(0.03 + 10 * est + 1e-9);
    expect(r.api.submits.length).toBeLessThanOrEqual(3);
    const note = r.events.find((e) => e.type === "note" && /per result/.test(e.message));
    expect(note).toMatchObject({ message: expect.stringMatching(/runware:101@1 \(image 1024x1024\) was charged \$0\.013 per result/) });
  });

  it("a task resumed from an earlier run counts against a lifetime budget once: its charge replaces its in-flight estimate", async () => {
    const c = desired("c0", { positivePrompt: "resumed" });
    const entry = entryFor(c, 0);
    entry.tasks[0]!.status = "submitted";
    entry.tasks[0]!.acceptedAt = "2026-01-01T00:00:00Z";
    const r = track(rig([c, ...clips(3).slice(1)], lockWith({ c0: entry }), { budgets: [{ scope: "p", limitUsd: 3 * PRICE + 0.01, lifetime: true, spentBeforeUsd: PRICE }] }));
    r.api.tasks.set(entry.tasks[0]!.taskUUID, { at: r.clock.t, numberResults: 1, done: false });
    const s = await r.engine.run();
    // PRICE in flight + 2 new = 3 x PRICE: all fit once, with nothing counted twice.
    expect(s.succeeded).toBe(3);
    expect(s.skipped).toBe(0);
    expect(s.budgetsExceeded).toEqual([]);
  });

  it("a probe lost in transit is sent again under its own admission: never held back as a second probe", async () => {
    const r = track(rig(clips(3), lockWith({}), { budgets: [{ scope: "--max-cost", limitUsd: 5 }], api: (clock) => Object.assign(new FakeApi(clock), { silentUnknown: false }) }));
    r.api.lose.add("00000000-0000-4000-9000-000000000001");
    const s = await r.engine.run();
    expect(s).toMatchObject({ succeeded: 3, skipped: 0, failed: 0 });
    expect(r.api.submits.filter((id) => id.endsWith("000000000001"))).toHaveLength(2);
    expect(s.budgetsExceeded).toEqual([]);
  });
});

