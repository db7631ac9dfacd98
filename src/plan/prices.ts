/**
 * Prices for the cost preview. The best figure wins: what this project was actually charged
 * (learned from the lockfile), then what the model pages' examples were charged (observed),
 * then the documented list price, then a derived figure. Every estimate says which it used.
 */
import { saneCost } from "../util/money-guard.js";
import { getModel, type Source } from "../models/catalog.js";
import type { Lockfile } from "../lockfile/schema.js";

export type PriceSource = Source | "learned";

export interface PriceQuote {
  usd: number;
  source: PriceSource;
  note: string;
}

export type PriceBook = (model: string, duration: number) => PriceQuote | undefined;

/** Prices are per model and duration. */
export const priceKey = (model: string, duration: number) => `${model}|${duration}`;

/** Rounds to the tenth of a cent used in prices (4 decimals), avoiding float noise in sums. */
export function roundUsd(n: number): number {
  return Math.round(n * 10000) / 10000;
}

export function priceBook(lock: Lockfile): PriceBook {
  const learned = new Map<string, { sum: number; n: number }>();
  for (const entry of Object.values(lock.clips)) {
    const duration = entry.request.duration;
    if (typeof duration !== "number") continue;
    for (const r of entry.results) {
      // A recorded cost that is negative, infinite or absurd never becomes a price.
      if (saneCost(r.costUsd) === undefined) continue;
      const k = priceKey(entry.model, duration);
      const acc = learned.get(k) ?? { sum: 0, n: 0 };
      acc.sum += r.costUsd!;
      acc.n += 1;
      learned.set(k, acc);
    }
  }
  return (model, duration) => {
    const l = learned.get(priceKey(model, duration));
    if (l) {
      return { usd: roundUsd(l.sum / l.n), source: "learned", note: `average of ${l.n} result${l.n === 1 ? "" : "s"} this project was charged` };
    }
    const p = getModel(model)?.prices[duration];
    return p ? { usd: p.usd, source: p.source, note: p.note } : undefined;
  };
}
