/**
 * Sizes, size classes and durations as the definitions state them: shared by the rules (what a
 * model accepts) and the prices (what a request costs).
 */
import type { DurationSet } from "./definition.js";
import type { ModelSpec } from "./catalog.js";

export const sizeKey = (w: unknown, h: unknown) => `${String(w)}x${String(h)}`;

/** Named size classes by pixel count, as prices and `resolution` name them. */
const CLASSES: [string, number][] = [
  ["360p", 640 * 360],
  ["480p", 854 * 480],
  ["540p", 960 * 540],
  ["720p", 1280 * 720],
  ["1080p", 1920 * 1080],
  ["1440p", 2560 * 1440],
  ["4K", 3840 * 2160],
];

/** The class of a width×height: the nearest by pixel count (960x960 is 720p, 1440x1440 is 1080p). */
export function sizeClass(width: number, height: number): string {
  const area = width * height;
  let best = CLASSES[0]![0];
  let bestD = Infinity;
  for (const [name, px] of CLASSES) {
    const d = Math.abs(Math.log(area / px));
    if (d < bestD) {
      best = name;
      bestD = d;
    }
  }
  return best;
}

export const sameClass = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

const EPS = 1e-9;

export function inDurationSet(set: DurationSet, d: number): boolean {
  if (set.values?.some((v) => Math.abs(v - d) < EPS)) return true;
  const r = set.range;
  if (!r || d < r.min - EPS || d > r.max + EPS) return false;
  if (!r.step) return true;
  const k = (d - r.min) / r.step;
  return Math.abs(k - Math.round(k)) < 1e-6;
}

export function describeDurations(set: DurationSet): string {
  const parts: string[] = [];
  if (set.values?.length) parts.push(set.values.join(", "));
  if (set.range) parts.push(`${set.range.min} to ${set.range.max}${set.range.step ? ` in steps of ${set.range.step}` : ""}`);
  return parts.length ? `${parts.join(", or ")} seconds` : "any duration";
}

export const hasDurationRule = (set: DurationSet) => Boolean(set.values?.length || set.range);

/** The durations that apply to a request of this size (a size-specific set wins). */
export function durationsFor(m: ModelSpec, size: string | undefined): DurationSet & { label?: string } {
  const d = m.durations;
  const special = size ? d.bySize?.find((b) => b.sizes.includes(size)) : undefined;
  if (special) return { ...special, label: `at ${size}` };
  return { values: d.values, range: d.range };
}
