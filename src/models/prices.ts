/**
 * What one result of a request costs, from the model definition's price rows: per clip at a
 * duration, or per second times the duration; by size or size class; with or without audio.
 * No row that fits means no price: the caller says "unpriced", never $0.
 */
import type { PriceRow } from "./definition.js";
import type { ModelSpec } from "./catalog.js";
import { sameClass, sizeClass, sizeKey } from "./sizes.js";
import { settingAt } from "./settings.js";

export type CatalogPriceSource = PriceRow["source"];

export interface CatalogPrice {
  /** USD for one result (one video). */
  usd: number;
  source: CatalogPriceSource;
  note: string;
}

export interface PricedRequest {
  duration: number;
  width?: number;
  height?: number;
  resolution?: string;
  providerSettings?: unknown;
}

/** Best first: what was charged, then the list price, then a figure derived from one, then hearsay. */
const SOURCE_RANK: Record<CatalogPriceSource, number> = { observed: 0, documented: 1, derived: 2, "third-party": 3 };

export function audioOn(m: ModelSpec, req: PricedRequest): boolean {
  const p = m.prices;
  if (!p.audioSetting) return false;
  const v = settingAt(req.providerSettings, p.audioSetting);
  return typeof v === "boolean" ? v : (p.audioDefault ?? false);
}

export function catalogPrice(m: ModelSpec, req: PricedRequest): CatalogPrice | undefined {
  const size = req.width !== undefined && req.height !== undefined ? sizeKey(req.width, req.height) : undefined;
  const cls = req.resolution ?? (req.width !== undefined && req.height !== undefined ? sizeClass(req.width, req.height) : undefined);
  const audio = audioOn(m, req);
  let best: { row: PriceRow; rank: number[] } | undefined;
  for (const row of m.prices.rows) {
    if (row.per === "clip" && row.duration !== req.duration) continue;
    if (row.audio !== undefined && row.audio !== audio) continue;
    if (row.sizes && (!size || !row.sizes.includes(size))) continue;
    // A row for a size class applies to requests of that class; with no size sent, the
    // model's default size is unknown, so only a model with a single priced class matches.
    if (row.resolution && (cls ? !sameClass(row.resolution, cls) : !singleClass(m))) continue;
    const rank = [row.per === "clip" ? 0 : 1, row.sizes ? 0 : row.resolution ? 1 : 2, SOURCE_RANK[row.source]];
    if (!best || lexLess(rank, best.rank)) best = { row, rank };
  }
  if (!best) return undefined;
  const { row } = best;
  if (row.per === "clip") return { usd: row.usd, source: row.source, note: row.note };
  const usd = Math.round(row.usd * req.duration * 10000) / 10000;
  return { usd, source: row.source, note: `${row.note}; × ${req.duration} s` };
}

function singleClass(m: ModelSpec): boolean {
  return new Set(m.prices.rows.map((r) => r.resolution?.toLowerCase())).size === 1;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
