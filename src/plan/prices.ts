/**
 * Prices for the cost preview. The best figure wins: what this project was actually charged
 * (learned from the lockfile), then the catalog's (src/models/prices.ts: observed, documented,
 * derived, third-party). Every estimate says which it used; no figure at all is "unpriced".
 */
import { builtinCatalog, type Catalog } from "../models/catalog.js";
import { catalogPrice, type CatalogPriceSource, type PricedRequest } from "../models/prices.js";
import { saneCost } from "../util/money-guard.js";
import type { Lockfile } from "../lockfile/schema.js";
import { priceKey, roundUsd } from "../money/usd.js";
import { imagePrice } from "../images/price.js";

/** "quoted": the API's own price for the request, asked with a dry run (src/quote). */
export type PriceSource = CatalogPriceSource | "learned" | "quoted";

export interface PriceQuote {
  usd: number;
  source: PriceSource;
  note: string;
}

/**
 * The request's size, resolution and settings, when given, choose among per-size and audio prices.
 * Images (keyframes) have no duration: their price comes from size and steps.
 */
export type PriceBook = (model: string, duration: number | undefined, request?: Omit<PricedRequest, "duration"> & { steps?: number }) => PriceQuote | undefined;

export { priceKey, roundUsd } from "../money/usd.js";

export function priceBook(lock: Lockfile, catalog: Catalog = builtinCatalog()): PriceBook {
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
  return (model, duration, request) => {
    const image = catalog.image(model);
    if (image) return imagePrice(image, request ?? {});
    if (duration === undefined) return undefined;
    const l = learned.get(priceKey(model, duration));
    if (l) {
      return { usd: roundUsd(l.sum / l.n), source: "learned", note: `average of ${l.n} result${l.n === 1 ? "" : "s"} this project was charged` };
    }
    const m = catalog.get(model);
    return m ? catalogPrice(m, { ...request, duration }) : undefined;
  };
}
