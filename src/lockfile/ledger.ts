/**
 * The spend ledger: every charge ever recorded, in clip entries, kept takes and pruned takes.
 * Lifetime spend per clip, per manifest and in total reads it: replacing or pruning a take
 * never un-spends it. A video copied by reuse counts once, where it was paid.
 *
 * A result whose charge is unknown (the API sent no cost, or one that cannot be believed: see
 * `costAnomaly`) was paid all the same, so it counts at the estimate of its generation (the
 * plan's price for its model, duration and size), never $0: budgets stay conservative. Such
 * figures are told apart (`unknown`), so every view can say the total is partly an estimate.
 * So does a charge too low to believe for a paid kind (src/money/kind.ts: below 5% of the
 * estimate, $0 included).
 */
import { inFlight } from "../core/states.js";
import { costOrZero, saneCost } from "../util/money-guard.js";
import { roundUsd } from "../money/usd.js";
import { IMPLAUSIBLY_LOW_FRACTION, implausiblyLow } from "../money/kind.js";
import { unknownCostReason, type UnknownCosts } from "../money/unknown-cost.js";
import type { Lockfile, LockResult } from "./schema.js";

/** What one generated result of `model` and `request` is estimated to cost (the plan's price book), or undefined when unpriced. */
export type ResultPrice = (model: string, duration: number | undefined, request?: Record<string, unknown>) => number | undefined;

/** Results whose charge is unknown: how many, what their estimates add up to, and how many have no price at all. */
export type UnknownSpend = UnknownCosts;

export interface Spend extends UnknownSpend {
  /** Charges, plus the estimates of results whose charge is unknown (`estimatedUsd` of it). */
  usd: number;
  manifest: string;
  /** Why charges are unknown, each reason once ("the API sent -100 (negative)"). */
  reasons: string[];
}

export interface Ledger {
  /** Lifetime spend by clip address (including addresses no longer in any manifest). */
  byClip: Map<string, Spend>;
  byManifest: Map<string, number>;
  unknownByManifest: Map<string, UnknownSpend>;
  totalUsd: number;
  unknown: UnknownSpend;
}

export interface Payer {
  address: string;
  manifest: string;
  /** The believable charge, else undefined (unknown: absent or anomalous). */
  charged: number | undefined;
  /** When `charged` is undefined: why. */
  unknownWhy?: string;
  model: string;
  request: Record<string, unknown>;
}

const byAddress = <T>(rec: Record<string, T>) => Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** videoUUID → who paid for it: the entry or take holding its task, else the first address holding it. */
export function payersOf(lock: Lockfile): Map<string, Payer> {
  const out = new Map<string, Payer>();
  const holders = [
    ...byAddress(lock.clips).map(([address, e]) => ({ address, ...e })),
    ...byAddress(lock.takes ?? {}).map(([, t]) => t),
  ];
  const payer = (h: (typeof holders)[number], r: LockResult): Payer => {
    const charged = saneCost(r.costUsd);
    return { address: h.address, manifest: h.manifest, charged, model: h.model, request: h.request, ...(charged === undefined ? { unknownWhy: unknownCostReason(r) } : {}) };
  };
  for (const h of holders) {
    const own = new Set(h.tasks.map((t) => t.taskUUID));
    for (const r of h.results) if (own.has(r.taskUUID) && !out.has(r.videoUUID)) out.set(r.videoUUID, payer(h, r));
  }
  for (const h of holders) for (const r of h.results) if (!out.has(r.videoUUID)) out.set(r.videoUUID, payer(h, r));
  return out;
}

/** The price of one result of a recorded request: a video's by model and duration, a keyframe's by its size and steps. */
export function resultPrice(price: ResultPrice, model: string, request: Record<string, unknown>): number | undefined {
  const d = request.duration;
  if (typeof d === "number") return price(model, d, request);
  return request.taskType === "imageInference" ? price(model, undefined, request) : undefined;
}

/** A plan's price book (what a generation is estimated to cost) as the ledger's per-result price. */
export const priceFromBook =
  (book: (model: string, duration: number | undefined, request?: Record<string, unknown>) => { usd: number } | undefined): ResultPrice =>
  (model, duration, request) =>
    book(model, duration, request)?.usd;

const noUnknown = (): UnknownSpend => ({ results: 0, estimatedUsd: 0, unpriced: 0 });

/** `price` estimates results whose charge is unknown; without it they are all counted as unpriced. */
export function ledgerOf(lock: Lockfile, price?: ResultPrice): Ledger {
  const byClip = new Map<string, Spend>();
  const at = (address: string, manifest: string) => {
    let s = byClip.get(address);
    if (!s) byClip.set(address, (s = { usd: 0, manifest, ...noUnknown(), reasons: [] }));
    return s;
  };
  for (const p of payersOf(lock).values()) {
    const s = at(p.address, p.manifest);
    const est = price ? resultPrice(price, p.model, p.request) : undefined;
    // A charge too low to believe for a paid kind ($0 for a $0.18 video) counts at its estimate too.
    const low = p.charged !== undefined && implausiblyLow(p.charged, est);
    if (p.charged !== undefined && !low) {
      s.usd += p.charged;
      continue;
    }
    s.results++;
    const why = low ? `the API sent $${p.charged} (below ${IMPLAUSIBLY_LOW_FRACTION * 100}% of its estimate, not believable)` : p.unknownWhy;
    if (why && !s.reasons.includes(why)) s.reasons.push(why);
    if (est === undefined) s.unpriced++;
    else {
      s.usd += est;
      s.estimatedUsd += est;
    }
  }
  for (const [, p] of byAddress(lock.pruned ?? {})) at(p.address, p.manifest).usd += costOrZero(p.costUsd);
  const byManifest = new Map<string, number>();
  const unknownByManifest = new Map<string, UnknownSpend>();
  const unknown = noUnknown();
  let total = 0;
  for (const s of byClip.values()) {
    s.usd = roundUsd(s.usd);
    s.estimatedUsd = roundUsd(s.estimatedUsd);
    byManifest.set(s.manifest, roundUsd((byManifest.get(s.manifest) ?? 0) + s.usd));
    total += s.usd;
    if (s.results === 0) continue;
    const u = unknownByManifest.get(s.manifest) ?? noUnknown();
    unknownByManifest.set(s.manifest, addUnknown(u, s));
    addUnknown(unknown, s);
  }
  return { byClip, byManifest, unknownByManifest, totalUsd: roundUsd(total), unknown };
}

/** Adds `s`'s unknown charges to `into` (rounded), and returns `into`. */
export function addUnknown(into: UnknownSpend, s: UnknownSpend): UnknownSpend {
  into.results += s.results;
  into.estimatedUsd = roundUsd(into.estimatedUsd + s.estimatedUsd);
  into.unpriced += s.unpriced;
  return into;
}

/**
 * Money committed per manifest before a plan runs: lifetime spend plus tasks still in flight
 * (priced with `price`, per result), since money in flight counts as spent for budgets.
 */
export function committedByManifest(lock: Lockfile, price: ResultPrice, ledger: Ledger = ledgerOf(lock, price)): Map<string, { spentUsd: number; inFlightUsd: number }> {
  const out = new Map<string, { spentUsd: number; inFlightUsd: number }>();
  const at = (m: string) => {
    let c = out.get(m);
    if (!c) out.set(m, (c = { spentUsd: ledger.byManifest.get(m) ?? 0, inFlightUsd: 0 }));
    return c;
  };
  for (const m of ledger.byManifest.keys()) at(m);
  for (const e of Object.values(lock.clips)) {
    const flying = e.tasks.filter(inFlight).reduce((n, t) => n + t.numberResults, 0);
    if (flying === 0) continue;
    at(e.manifest).inFlightUsd += flying * (resultPrice(price, e.model, e.request) ?? 0);
  }
  for (const c of out.values()) c.inFlightUsd = roundUsd(c.inFlightUsd);
  return out;
}
