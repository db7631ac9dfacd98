/**
 * Prices for the cost preview. The best figure wins: what this project was actually charged
 * (learned from the lockfile), then the catalog's (src/models/prices.ts: observed, documented,
 * derived, third-party). Every estimate says which it used; no figure at all is "unpriced".
 *
 * A learned price is per price kind (src/money/kind.ts: model, duration, size, audio and other
 * settings, inputs; an image's own size and steps), so a charge prices only requests that cost
 * the same. A charge too low to believe for a paid kind (below 5% of the catalog's price, $0
 * included) is never learned.
 */
import { builtinCatalog, type Catalog } from "../models/catalog.js";
import { catalogPrice, type CatalogPrice, type CatalogPriceSource, type PricedRequest } from "../models/prices.js";
import { saneCost } from "../util/money-guard.js";
import type { Lockfile } from "../lockfile/schema.js";
import { roundUsd } from "../money/usd.js";
import { implausiblyLow, priceKind } from "../money/kind.js";
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

export { roundUsd } from "../money/usd.js";

export function priceBook(lock: Lockfile, catalog: Catalog = builtinCatalog()): PriceBook {
  const listed = (model: string, duration: number | undefined, request: Record<string, unknown> | undefined): CatalogPrice | undefined => {
    const image = catalog.image(model);
    if (image) return imagePrice(image, request ?? {});
    if (duration === undefined) return undefined;
    const m = catalog.get(model);
    return m ? catalogPrice(m, { ...request, duration }) : undefined;
  };
  const learned = new Map<string, { sum: number; n: number }>();
  for (const entry of Object.values(lock.clips)) {
    const request = entry.request as Record<string, unknown>;
    const duration = typeof request.duration === "number" ? request.duration : undefined;
    if (duration === undefined && request.taskType !== "imageInference") continue;
    const k = priceKind({ ...request, model: entry.model });
    let reference: number | undefined | null = null;
    for (const r of entry.results) {
      // A recorded cost that is negative, infinite or absurd never becomes a price, nor one too low to believe.
      const c = saneCost(r.costUsd);
      if (c === undefined) continue;
      if (reference === null) reference = listed(entry.model, duration, request)?.usd;
      if (implausiblyLow(c, reference)) continue;
      const acc = learned.get(k) ?? { sum: 0, n: 0 };
      acc.sum += c;
      acc.n += 1;
      learned.set(k, acc);
    }
  }
  return (model, duration, request) => {
    const l = request ? learned.get(priceKind({ ...request, ...(duration !== undefined ? { duration } : {}), model })) : undefined;
    if (l) {
      return { usd: roundUsd(l.sum / l.n), source: "learned", note: `average of ${l.n} result${l.n === 1 ? "" : "s"} this project was charged for this kind` };
    }
    return listed(model, duration, request as Record<string, unknown> | undefined);
  };
}
