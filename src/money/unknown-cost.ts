/**
 * A result whose charge is unknown: the API sent no cost, or one that cannot be believed (kept as
 * `costAnomaly`). The ledger counts it at its estimate; status, report and apply say why, in the
 * same words.
 */
import { costProblem, MAX_COST_PER_GENERATION_USD, type CostProblem } from "../util/money-guard.js";
import { unitUsd, usd } from "../util/usd.js";

export const COST_PROBLEM_TEXT: Record<CostProblem, string> = {
  negative: "negative",
  "not-finite": "not a finite number",
  "not-a-number": "not a number",
  absurd: `over the $${MAX_COST_PER_GENERATION_USD} per-video ceiling`,
};

const shown = (raw: string) => (raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);

/** Why a recorded result's charge is unknown ("the API sent -100 (negative)"), or undefined when it is known. */
export function unknownCostReason(r: { costUsd?: unknown; costAnomaly?: { raw: string; reason: CostProblem } }): string | undefined {
  if (r.costAnomaly) return `the API sent ${shown(r.costAnomaly.raw)} (${COST_PROBLEM_TEXT[r.costAnomaly.reason]})`;
  if (r.costUsd === undefined) return "the API sent no cost";
  const problem = costProblem(r.costUsd);
  // A lockfile edited by hand (or by another tool) can hold a charge that is not believable.
  return problem ? `the lockfile holds ${shown(String(r.costUsd))} (${COST_PROBLEM_TEXT[problem]})` : undefined;
}

/** Results whose charge is unknown, as the ledger sums them. */
export interface UnknownCosts {
  results: number;
  estimatedUsd: number;
  unpriced: number;
}

/**
 * A spend figure that may hold estimates, for people: `$1.79`, `≈$1.79` (some of it is an
 * estimate), `≈$1.79 + 2 unknown` (results with no price at all, counted as nothing).
 */
export function spentText(usdTotal: number, u: UnknownCosts | undefined): string {
  if (!u || u.results === 0) return usd(usdTotal);
  return `≈${usd(usdTotal)}${u.unpriced > 0 ? ` + ${u.unpriced} unknown` : ""}`;
}

/** "cost unknown: the API sent -100 (negative); counted at its estimate, $0.1848". */
export function costUnknownText(u: UnknownCosts & { reasons: readonly string[] }): string {
  const counted =
    u.unpriced === u.results
      ? `no price is known for ${u.results === 1 ? "it" : "them"}, so ${u.results === 1 ? "it is" : "they are"} counted as nothing`
      : `counted at ${u.results === 1 ? "its estimate" : "their estimates"}, ${unitUsd(u.estimatedUsd)}${u.unpriced ? ` (${u.unpriced} unpriced, counted as nothing)` : ""}`;
  const what = u.results === 1 ? "cost unknown" : `cost of ${u.results} results unknown`;
  return `${what}: ${u.reasons.join("; ")}; ${counted}`;
}
