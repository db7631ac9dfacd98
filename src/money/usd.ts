/**
 * Money arithmetic shared by the planner, the lockfile, the engine, status and report. It sits
 * below all of them (imports nothing of theirs), so none of them import each other for it.
 */

/** Rounds to the tenth of a cent used in prices (4 decimals), avoiding float noise in sums. */
export function roundUsd(n: number): number {
  return Math.round(n * 10000) / 10000;
}


