/** Planning keyframe images: pure data in, changes out, like clips (create, no-op, replace, reuse, budgets). */
import { describe, expect, it } from "vitest";
import { fingerprintOf, type DesiredClip, type GenerationFields } from "../../src/manifest/index.js";
import { archiveEntry } from "../../src/lockfile/takes.js";
import { plan } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { planToJson } from "../../src/plan/render.js";
import { desired, entryFor, lockWith } from "../helpers/plan-data.js";

function image(address: string, over: Partial<GenerationFields> = {}, numberResults = 1): DesiredClip {
  const generation: GenerationFields = { taskType: "imageInference", model: "runware:107@1", positivePrompt: "A snowy station at dusk", width: 1024, height: 1024, outputFormat: "PNG", ...over };
  return { ...desired(address), kind: "image", generation, fingerprint: fingerprintOf(generation), numberResults };
}

const run = (clips: DesiredClip[], lock = lockWith({}), extra: { maxCost?: number } = {}) => plan({ clips, lock, prices: priceBook(lock), ...extra });

describe("planning images", () => {
  it("create: priced from the image catalog (documented at the row's size), with its own detail", () => {
    const p = run([image("station-key")]);
    expect(p.changes).toEqual([
      expect.objectContaining({ kind: "image", address: "station-key", action: "create", model: "runware:107@1", detail: "image 1024x1024 ×1", generate: 1, estimate: { usd: 0.0098, perResultUsd: 0.0098, source: "documented", note: expect.stringContaining("28 steps") } }),
    ]);
    expect(p.summary.estimated_cost_usd).toBe(0.0098);
    expect(p.byModel).toEqual([{ model: "runware:107@1", generations: 1, usd: 0.0098, sources: ["documented"] }]);
  });

  it("another size or step count is derived by pixels × steps, and says so", () => {
    const [c] = run([image("k", { width: 1280, height: 720, steps: 56 }, 2)]).changes;
    // 0.0098 × (1280·720)/(1024·1024) × 56/28, for 2 variants
    expect(c!.estimate).toMatchObject({ usd: 0.0345, perResultUsd: 0.017227, source: "derived" });
    expect(c!.estimate!.note).toMatch(/scaled by pixels × steps from 1024x1024 · 28 steps/);
    expect(c!.detail).toBe("image 1280x720 ×2");
  });

  it("an unpriced image model is never $0: the estimate is null and a budget cannot pass", () => {
    const p = run([image("k", { model: "runware:100@1" })], lockWith({}), { maxCost: 5 });
    expect(p.changes[0]!.estimate).toBeNull();
    expect(p.budgets).toEqual([expect.objectContaining({ scope: "--max-cost", ok: false, unpriced: 1 })]);
  });

  it("no-op once recorded; replace names the prompt when it changes", () => {
    const img = image("station-key");
    const lock = lockWith({ "station-key": entryFor(img) });
    expect(run([img], lock).changes.map((c) => c.action)).toEqual(["no-op"]);
    const edited = image("station-key", { positivePrompt: "A sunny station at noon" });
    const [c] = run([edited], lock).changes;
    expect(c).toMatchObject({ kind: "image", action: "replace", generate: 1, fields: [{ field: "positivePrompt", old: "A snowy station at dusk", new: "A sunny station at noon" }] });
  });

  it("a revert reuses the paid take at $0", () => {
    const a = image("station-key");
    const b = image("station-key", { positivePrompt: "A sunny station at noon" });
    const lock = lockWith({ "station-key": entryFor(b) });
    archiveEntry(lock, "station-key", entryFor(a));
    const [c] = run([a], lock).changes;
    expect(c).toMatchObject({ action: "reuse", generate: 0, estimate: { usd: 0 } });
    expect(c!.reason).toMatch(/paid before/);
  });

  it("an image and a video with the same fields never reuse each other", () => {
    const video = desired("clip", { model: "runware:107@1", positivePrompt: "A snowy station at dusk", width: 1024, height: 1024, outputFormat: "PNG", duration: undefined, CFGScale: undefined, outputQuality: undefined });
    const lock = lockWith({ clip: entryFor(video) });
    const [c] = run([video, image("key")], lock).changes.filter((x) => x.address === "key");
    expect(c!.action).toBe("create");
  });

  it("budgets count images: a manifest budget below the image's price fails", () => {
    const p = plan({ clips: [image("k")], lock: lockWith({}), prices: priceBook(lockWith({})), manifests: [{ file: "specs/clips.yaml", clips: 1, budget: 0.005 }] });
    expect(p.budgets).toEqual([expect.objectContaining({ scope: "specs/clips.yaml budget", estimatedUsd: 0.0098, ok: false })]);
  });

  it("plan JSON: the same change objects, with kind", () => {
    const p = run([image("station-key"), desired("arrival")]);
    const json = planToJson(p) as { changes: Record<string, unknown>[] };
    expect(json.changes.map((c) => [c.address, c.kind, c.action, c.price_source])).toEqual([
      ["arrival", "video", "create", "observed"],
      ["station-key", "image", "create", "documented"],
    ]);
  });

  it("deleting an image's entry keeps its kind", () => {
    const lock = lockWith({ old: entryFor(image("old")) });
    expect(run([], lock).changes).toEqual([expect.objectContaining({ kind: "image", address: "old", action: "delete" })]);
  });
});

describe("lifetime budgets with images in flight", () => {
  it("an image task still in flight counts at its catalog price against its manifest's budget", () => {
    const img = image("k", { width: 2048, height: 2048 }); // 4 × 0.0098 = 0.0392
    const entry = entryFor(img, 0);
    entry.tasks = [{ taskUUID: "00000000-0000-4000-8000-00000000ffff", numberResults: 1, status: "submitted", submittedAt: "2026-01-01T00:00:00Z", acceptedAt: "2026-01-01T00:00:01Z" }];
    const lock = lockWith({ k: entry });
    const p = plan({ clips: [img, image("other")], lock, prices: priceBook(lock), manifests: [{ file: "specs/clips.yaml", clips: 2, budget: 0.045 }] });
    expect(p.budgets).toEqual([expect.objectContaining({ spentUsd: 0.0392, estimatedUsd: 0.0098, ok: false })]);
  });
});

describe("money shown for images", () => {
  it("a sub-cent total keeps 4 decimals instead of reading $0.00; other totals keep 2", async () => {
    const { usd } = await import("../../src/util/usd.js");
    expect([usd(0.0011), usd(0.0098), usd(0), usd(2.3149), usd(-0.001)]).toEqual(["$0.0011", "$0.01", "$0.00", "$2.31", "-$0.0010"]);
  });
});
