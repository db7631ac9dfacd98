/**
 * Money as it arrives from the API is checked before anything uses it. A cost that is not a
 * finite, non-negative number of sane size never becomes a charge, a learned price or a budget
 * figure: it is kept as an anomaly with its raw value, for the user to see.
 */

import { costProblem, MAX_COST_PER_GENERATION_USD, type CostProblem } from "../util/money-guard.js";
import { COST_PROBLEM_TEXT } from "../money/unknown-cost.js";

export { MAX_COST_PER_GENERATION_USD };

export interface CostAnomaly {
  /** The value as received, as text (JSON's 1e400 arrives as Infinity). */
  raw: string;
  reason: CostProblem;
}

export type CostCheck = { ok: true; usd: number } | { ok: false; anomaly: CostAnomaly };

/**
 * Checks a cost read from the API. `generations` is how many videos it pays for (a quote of a
 * 4-result task may cost four times the ceiling). Absent (undefined or null) is not an anomaly:
 * the caller sees `undefined`.
 */
export function checkCost(raw: unknown, generations = 1): CostCheck | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = typeof raw === "string" ? raw : safeText(raw);
  const reason = costProblem(raw, generations);
  return reason === undefined ? { ok: true, usd: raw as number } : { ok: false, anomaly: { raw: text, reason } };
}

/** A sentence for people: "cost -100 ignored (negative)". */
export function describeAnomaly(anomaly: CostAnomaly): string {
  const shown = anomaly.raw.length > 40 ? `${anomaly.raw.slice(0, 40)}…` : anomaly.raw;
  const why = COST_PROBLEM_TEXT[anomaly.reason];
  return `cost ${shown} ignored (${why}): not counted as a charge`;
}

function safeText(value: unknown): string {
  try {
    return typeof value === "number" ? String(value) : ((JSON.stringify(value) as string | undefined) ?? String(value));
  } catch {
    return String(value);
  }
}
