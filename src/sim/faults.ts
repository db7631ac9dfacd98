/**
 * Request-level faults for POST /v1, decided by a seeded stream so a run can be replayed:
 * the n-th API request of two simulators started with the same seed meets the same fault.
 */
import type { Rng } from "./rng.js";

export type Fault =
  | { kind: "none" }
  | { kind: "rateLimit" }
  | { kind: "serverError"; status: 500 | 503 }
  /** "before": the request is not acted on; "after": it is (a generation may start) but no response is written. */
  | { kind: "reset"; when: "before" | "after" };

export interface FaultRates {
  rateLimitRate: number;
  errorRate: number;
  resetRate: number;
}

const NONE: Fault = { kind: "none" };
const RATE_LIMIT: Fault = { kind: "rateLimit" };

/**
 * Returns a function giving the fault for each next API request. One uniform draw falls into
 * consecutive slices [rate-limit | server error | reset | none]; a second draw picks the variant
 * (500 or 503, before or after), and is always taken so every request uses the same amount of stream.
 */
export function createFaultPlan(rates: FaultRates, rng: Rng): () => Fault {
  const errorEnd = rates.rateLimitRate + rates.errorRate;
  const resetEnd = errorEnd + rates.resetRate;
  return () => {
    const slice = rng.next();
    const firstHalf = rng.next() < 0.5;
    if (slice < rates.rateLimitRate) return RATE_LIMIT;
    if (slice < errorEnd) return { kind: "serverError", status: firstHalf ? 500 : 503 };
    if (slice < resetEnd) return { kind: "reset", when: firstHalf ? "before" : "after" };
    return NONE;
  };
}
