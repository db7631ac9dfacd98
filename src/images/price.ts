/**
 * What one image costs, from the image model's price rows: the row's own figure for its size and
 * steps, otherwise derived from it by pixel count × steps (Runware prices these models by
 * resolution and steps). No row means no price: the caller says "unpriced", never $0.
 */
import type { ImageModelSpec } from "../models/catalog.js";
import type { CatalogPrice } from "../models/prices.js";

export interface PricedImage {
  width?: number;
  height?: number;
  steps?: number;
}

export function imagePrice(m: ImageModelSpec, req: PricedImage): CatalogPrice | undefined {
  const row = m.prices.rows[0];
  if (!row || req.width === undefined || req.height === undefined) return undefined;
  const exact = m.prices.rows.find((r) => r.width === req.width && r.height === req.height && (req.steps === undefined || r.steps === undefined || r.steps === req.steps));
  if (exact) return { usd: exact.usd, source: exact.source, note: exact.note };
  const stepsFactor = req.steps !== undefined && row.steps !== undefined ? req.steps / row.steps : 1;
  const usd = Math.round(row.usd * ((req.width * req.height) / (row.width * row.height)) * stepsFactor * 1e6) / 1e6;
  const steps = row.steps !== undefined ? ` at ${req.steps ?? row.steps} steps` : "";
  return { usd, source: "derived", note: `scaled by pixels${req.steps !== undefined ? " × steps" : ""} from ${row.width}x${row.height}${row.steps ? ` · ${row.steps} steps` : ""} ($${row.usd}, ${row.source})${steps}` };
}
