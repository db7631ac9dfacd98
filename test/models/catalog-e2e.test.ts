/**
 * Every model of the catalog, end to end: a valid clip written from its definition validates
 * without errors, plans with a price or an explicit "unpriced", and applies on the simulator
 * (which checks the request with the same rules and refuses anything the model would not take).
 * One manifest holds a clip per model, so the binary runs once.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { builtinCatalog, type ModelSpec } from "../../src/models/catalog.js";
import { durationsFor, inDurationSet } from "../../src/models/sizes.js";
import { catalogPrice } from "../../src/models/prices.js";
import { loadProject } from "../../src/manifest/index.js";
import { emptyLockfile } from "../../src/lockfile/io.js";
import { plan } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { apply, cleanupAfterAll, planJson, readLock, startSim } from "../helpers/apply-sim.js";
import { makeProject } from "../helpers/manifest-fixtures.js";

cleanupAfterAll();

const TODAY = new Date().toISOString().slice(0, 10);
const FRAME = "https://example.com/frames/lighthouse.jpg";
const PROMPT = "A lighthouse keeper walks along the pier at dusk, slow dolly shot";

/** A request every reading of every rule accepts. */
export function sampleClip(m: ModelSpec): Record<string, unknown> {
  const clip: Record<string, unknown> = { model: m.air };
  const p = m.positivePrompt;
  if (p.supported && (p.max === undefined || p.max >= PROMPT.length)) clip.positivePrompt = PROMPT;
  const frames = m.frames.required || m.sizes.fromImage === "always" || (p.requiredWithoutFrames && !clip.positivePrompt);
  if (frames) clip.inputs = { frameImages: [{ image: FRAME, frame: "first" }] };
  const agreed = m.sizes.values.filter((s) => (m.sizes.readings ?? []).every((r) => r.values.includes(s)));
  const size = !frames || m.sizes.fromImage === "never" ? agreed[0] : undefined;
  if (size) [clip.width, clip.height] = size.split("x").map(Number);
  else if (!frames && m.resolution) clip.resolution = m.resolution.values[0];
  const set = durationsFor(m, size);
  const candidates = [...(set.values ?? []), ...(set.range ? [set.range.min, set.range.max] : []), 5, 6, 8, 10];
  clip.duration = candidates.find((d) => inDurationSet(set, d) && (m.durations.readings ?? []).every((r) => inDurationSet(r, d))) ?? 5;
  return clip;
}

const retired = (m: ModelSpec) => m.lifecycle.retires !== undefined && m.lifecycle.retires <= TODAY;
const models = builtinCatalog().all().filter((m) => !retired(m));
const clipName = (m: ModelSpec) => m.air.replace(/[:@]/g, "-");

describe("every catalog model", () => {
  it("covers at least 30 models, and the retired ones are refused", () => {
    expect(models.length).toBeGreaterThanOrEqual(30);
    for (const m of builtinCatalog().all().filter(retired)) {
      const dir = makeProject({ "specs/a.yaml": stringify({ version: 1, clips: { old: sampleClip(m) } }) });
      const errors = loadProject({ root: dir }).diagnostics.filter((d) => d.severity === "error");
      expect(errors.map((e) => e.code)).toEqual(["retiredModel"]);
    }
  });

  it("a valid clip validates with no errors and plans with a price or as unpriced", () => {
    const clips = Object.fromEntries(models.map((m) => [clipName(m), sampleClip(m)]));
    const dir = makeProject({ "specs/all.yaml": stringify({ version: 1, clips }) });
    const project = loadProject({ root: dir });
    expect(project.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(project.clips).toHaveLength(models.length);
    const p = plan({ clips: project.clips, lock: emptyLockfile(), prices: priceBook(emptyLockfile(), project.catalog) });
    for (const m of models) {
      const change = p.changes.find((c) => c.address === clipName(m))!;
      const clip = project.clips.find((c) => c.address === clipName(m))!;
      expect(change.action).toBe("create");
      // A price from the catalog for exactly this request, or none: never a made-up $0.
      const expected = catalogPrice(m, { ...clip.generation, duration: clip.generation.duration! });
      expect({ air: m.air, usd: change.estimate?.usd ?? null }).toEqual({ air: m.air, usd: expected?.usd ?? null });
      if (m.prices.rows.length === 0) expect(change.estimate).toBeNull();
      if (expected) expect(expected.usd).toBeGreaterThan(0);
    }
    expect(p.changes.filter((c) => c.estimate).length).toBeGreaterThanOrEqual(25);
  });

  it("applies every clip end to end on the simulator, paying what the catalog says", async () => {
    const sim = await startSim();
    const clips = Object.fromEntries(models.map((m) => [clipName(m), sampleClip(m)]));
    const dir = makeProject({ "specs/all.yaml": stringify({ version: 1, clips }) });
    const planned = await planJson(dir);
    const unpriced = planned.changes.filter((c) => c.estimated_cost_usd === null).map((c) => c.address);
    expect(unpriced).toEqual(expect.arrayContaining(models.filter((m) => m.prices.rows.length === 0).map(clipName)));
    for (const c of planned.changes.filter((c) => c.estimated_cost_usd === null)) expect(c.price_source).toBe("unpriced");

    const r = await apply(dir, sim, ["--concurrency", "16"]);
    expect(r.stderr).toMatch(new RegExp(`Apply complete: ${models.length} succeeded, 0 failed`));
    expect(r.code).toBe(0);
    const lock = readLock(dir);
    for (const c of planned.changes) {
      const entry = lock.clips[c.address]!;
      expect({ address: c.address, results: entry.results.length }).toEqual({ address: c.address, results: 1 });
      // The simulator charges the catalog's price for the request sent: the plan's estimate.
      expect({ address: c.address, cost: entry.results[0]!.costUsd ?? null }).toEqual({ address: c.address, cost: c.estimated_cost_usd });
    }
  }, 60_000);
});
