/**
 * The spend ledger and charges it does not know: a result whose cost the API did not send, or
 * sent as something unbelievable, was paid all the same. It counts at its generation's estimate
 * (never $0), is told apart as an estimate, and budgets see it.
 */
import { describe, expect, it } from "vitest";
import { ledgerOf, priceFromBook } from "../../src/lockfile/ledger.js";
import type { LockResult } from "../../src/lockfile/schema.js";
import { plan } from "../../src/plan/plan.js";
import { planToJson, renderMarkdown, renderText } from "../../src/plan/render.js";
import { palette } from "../../src/render/colors.js";
import { priceBook } from "../../src/plan/prices.js";
import { costUnknownText, spentText } from "../../src/money/unknown-cost.js";
import { planPrune } from "../../src/lockfile/prune.js";
import { desired, entryFor, lockWith } from "../helpers/plan-data.js";

const KLING_5S = 0.1848; // klingai:3@1, 5 s, 1280x720: the catalog's price (and what these entries were charged)

/** A lockfile of three clips: one charged normally, one sent a negative cost, one sent no cost at all. */
function anomalousLock() {
  const paid = desired("paid");
  const odd = desired("odd", { positivePrompt: "A tram in the fog" });
  const silent = desired("silent", { positivePrompt: "Gulls over a boat" }, 2);
  const bad = (r: LockResult): LockResult => {
    const { costUsd: _drop, ...rest } = r;
    return { ...rest, costAnomaly: { raw: "-100", reason: "negative" } };
  };
  const noCost = (r: LockResult): LockResult => {
    const { costUsd: _drop, ...rest } = r;
    return rest;
  };
  const oddEntry = entryFor(odd);
  const silentEntry = entryFor(silent);
  const lock = lockWith({
    paid: entryFor(paid),
    odd: { ...oddEntry, results: oddEntry.results.map(bad) },
    silent: { ...silentEntry, results: silentEntry.results.map(noCost) },
  });
  return { lock, clips: [paid, odd, silent] };
}

describe("the ledger with unknown charges", () => {
  it("counts each result of unknown cost at its estimate, says why, and keeps the estimated part apart", () => {
    const { lock } = anomalousLock();
    const ledger = ledgerOf(lock, priceFromBook(priceBook(lock)));
    expect(ledger.byClip.get("paid")).toMatchObject({ usd: KLING_5S, results: 0, estimatedUsd: 0 });
    expect(ledger.byClip.get("odd")).toMatchObject({ usd: KLING_5S, results: 1, estimatedUsd: KLING_5S, unpriced: 0, reasons: ["the API sent -100 (negative)"] });
    expect(ledger.byClip.get("silent")).toMatchObject({ usd: 2 * KLING_5S, results: 2, estimatedUsd: 2 * KLING_5S, reasons: ["the API sent no cost"] });
    expect(ledger.totalUsd).toBeCloseTo(4 * KLING_5S, 6);
    expect(ledger.unknown).toEqual({ results: 3, estimatedUsd: 0.5544, unpriced: 0 });
    expect(ledger.unknownByManifest.get("specs/clips.yaml")).toEqual({ results: 3, estimatedUsd: 0.5544, unpriced: 0 });
  });

  it("never counts an unknown charge as $0 silently: with no price, it is counted as unpriced", () => {
    const { lock } = anomalousLock();
    const ledger = ledgerOf(lock, () => undefined);
    expect(ledger.totalUsd).toBe(KLING_5S);
    expect(ledger.unknown).toEqual({ results: 3, estimatedUsd: 0, unpriced: 3 });
    expect(spentText(ledger.totalUsd, ledger.unknown)).toBe("≈$0.18 + 3 unknown");
  });

  it("a hand-edited lockfile's unbelievable costUsd is unknown too, never a charge", () => {
    const clip = desired("edited");
    const e = entryFor(clip);
    const lock = lockWith({ edited: { ...e, results: e.results.map((r) => ({ ...r, costUsd: 1e9 })) } });
    const ledger = ledgerOf(lock, priceFromBook(priceBook(lock)));
    expect(ledger.byClip.get("edited")).toMatchObject({ usd: KLING_5S, results: 1, reasons: ["the lockfile holds 1000000000 (over the $50 per-video ceiling)"] });
  });

  it("a manifest budget counts the estimates: spent can no longer be under-counted to let a plan through", () => {
    const { lock, clips } = anomalousLock();
    const more = desired("more", { positivePrompt: "A fox in the snow" });
    // Charged: $0.18. With the estimates of the 3 unknown results: $0.74. A $0.80 budget has no room for one more.
    const p = plan({ clips: [...clips, more], lock, prices: priceBook(lock), manifests: [{ file: "specs/clips.yaml", clips: 4, budget: 0.8 }] });
    expect(p.budgets).toEqual([expect.objectContaining({ scope: "specs/clips.yaml budget", spentUsd: 0.7392, estimatedUsd: KLING_5S, ok: false })]);
    expect(p.changes.find((c) => c.address === "odd")?.spentUsd).toBe(KLING_5S);
  });

  it("plan says its spent figures are partly estimates: ≈ in text and markdown, cost_unknown and counts in --json", () => {
    const { lock, clips } = anomalousLock();
    const p = plan({ clips, lock, prices: priceBook(lock) });
    expect(p.changes.map((c) => c.action)).toEqual(["no-op", "no-op", "no-op"]);
    expect(p.changes.find((c) => c.address === "odd")!.spentUnknown).toEqual({ results: 1, estimatedUsd: KLING_5S, unpriced: 0 });
    expect(p.changes.find((c) => c.address === "paid")!.spentUnknown).toBeUndefined();
    expect(p.summary).toMatchObject({ spent_unchanged_usd: 4 * KLING_5S, spent_unchanged_estimated_usd: 3 * KLING_5S, unknown_cost_results: 3, unpriced_cost_results: 0 });
    expect(renderText(p, { color: palette(false), manifests: 1, clips: 3 })).toContain("already spent on unchanged clips: ≈$0.74");
    expect(renderMarkdown(p)).toContain("already spent on unchanged clips ≈$0.74");
    const json = planToJson(p) as { changes: Array<{ address: string; cost_unknown?: unknown }> };
    expect(json.changes.find((c) => c.address === "silent")!.cost_unknown).toEqual({ results: 2, estimated_usd: 2 * KLING_5S, unpriced: 0 });
    // A lockfile whose charges are all known says nothing of estimates.
    const known = plan({ clips: clips.slice(0, 1), lock: lockWith({ paid: lock.clips.paid! }), prices: priceBook(lock) });
    expect(known.summary.unknown_cost_results).toBeUndefined();
    expect(renderText(known, { color: palette(false), manifests: 1, clips: 1 })).toContain("already spent on unchanged clips: $0.18");
  });

  it("pruning a take whose charge is unknown keeps its estimate in lifetime spend", () => {
    const { lock } = anomalousLock();
    const old = lock.clips.odd!;
    // odd was replaced: its anomalous take is kept, no clip uses it.
    const kept = { ...lock, clips: { paid: lock.clips.paid!, silent: lock.clips.silent! }, takes: { [old.fingerprint]: { address: "odd", manifest: old.manifest, model: old.model, request: old.request, tasks: old.tasks, results: old.results } } };
    const price = priceFromBook(priceBook(kept));
    const before = ledgerOf(kept, price);
    expect(before.byClip.get("odd")).toMatchObject({ usd: KLING_5S, results: 1 });
    const pruned = planPrune(kept, { now: new Date("2026-02-01T00:00:00Z"), price });
    expect(pruned.dropped).toEqual([expect.objectContaining({ address: "odd", costUsd: KLING_5S })]);
    expect(ledgerOf(pruned.lock, price).totalUsd).toBe(before.totalUsd);
    // Without a price, the unknown charge cannot be estimated: the take is kept, never recorded as $0 for good.
    const unpriced = planPrune(kept, { now: new Date("2026-02-01T00:00:00Z"), price: () => undefined });
    expect(unpriced.dropped).toEqual([]);
    expect(unpriced.unpriced).toEqual([{ fingerprint: old.fingerprint, address: "odd" }]);
    expect(unpriced.lock.takes).toEqual(kept.takes);
  });

  it("tells people what is unknown and why", () => {
    expect(spentText(1.5, { results: 0, estimatedUsd: 0, unpriced: 0 })).toBe("$1.50");
    expect(spentText(1.5, { results: 2, estimatedUsd: 0.37, unpriced: 0 })).toBe("≈$1.50");
    expect(costUnknownText({ results: 1, estimatedUsd: KLING_5S, unpriced: 0, reasons: ["the API sent -100 (negative)"] })).toBe(
      "cost unknown: the API sent -100 (negative); counted at its estimate, $0.1848",
    );
    expect(costUnknownText({ results: 2, estimatedUsd: 0, unpriced: 2, reasons: ["the API sent no cost"] })).toBe(
      "cost of 2 results unknown: the API sent no cost; no price is known for them, so they are counted as nothing",
    );
  });
});
