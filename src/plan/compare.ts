/**
 * The same shot on several models, side by side: clips whose addresses differ only by the
 * model's segment (a fan-out axis over `model`) are one comparison, with each model's cost.
 */
import { addressSegments, withSegment } from "../core/address.js";
import { slug } from "../manifest/expand.js";
import type { Change } from "./plan.js";

export interface Comparison {
  /** The shared address, with `*` where the model goes: harbor/* or harbor/*\/wide. */
  shot: string;
  variants: { model: string; address: string; change: Change }[];
}

export function comparisons(changes: readonly Change[]): Comparison[] {
  const groups = new Map<string, Comparison>();
  for (const ch of changes) {
    if (!ch.model) continue;
    const i = addressSegments(ch.address).indexOf(slug(ch.model));
    if (i <= 0) continue; // the model is not a fan-out segment of this address
    const shot = withSegment(ch.address, i, "*");
    const g = groups.get(shot) ?? { shot, variants: [] };
    g.variants.push({ model: ch.model, address: ch.address, change: ch });
    groups.set(shot, g);
  }
  return [...groups.values()].filter((g) => new Set(g.variants.map((v) => v.model)).size > 1).sort((a, b) => a.shot.localeCompare(b.shot));
}
