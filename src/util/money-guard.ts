/**
 * Money read back from the lockfile (or anywhere it was recorded) is checked before it is summed,
 * averaged into a learned price or counted against a budget: a hand-edited or hostile lockfile
 * with `costUsd: -100` or `1e400` (JSON.parse gives Infinity) must not make the next estimate
 * negative, print "Spent $Infinity", or open a budget. Pure and dependency-free, so the plan,
 * the lockfile code and the API client can all use it.
 */

/**
 * The largest charge believed for one generated video, in USD: the dearest video models cost a few
 * dollars per video at their longest; anything over ten times that is taken as an error, not a price.
 * The same ceiling the API client applies to costs as they arrive.
 */
export const MAX_COST_PER_GENERATION_USD = 50;

export type CostProblem = "not-a-number" | "not-finite" | "negative" | "absurd";

/** Why `value` is not a believable cost of `generations` videos, or undefined when it is one. */
export function costProblem(value: unknown, generations = 1): CostProblem | undefined {
  if (typeof value !== "number" || Number.isNaN(value)) return "not-a-number";
  if (!Number.isFinite(value)) return "not-finite";
  if (value < 0) return "negative";
  if (value > MAX_COST_PER_GENERATION_USD * Math.max(1, generations)) return "absurd";
  return undefined;
}

/** The cost when it is believable, else undefined (absent stays absent). */
export function saneCost(value: unknown, generations = 1): number | undefined {
  return value !== undefined && costProblem(value, generations) === undefined ? (value as number) : undefined;
}

/** For sums: a cost that is absent or not believable counts as nothing. */
export function costOrZero(value: unknown): number {
  return saneCost(value) ?? 0;
}
