/**
 * When to poll next, pure. Until a generation of this run has finished, plain exponential
 * backoff. After that the typical generation time is known: sleep until the next task is due,
 * then poll at the base interval while tasks are due, so results are seen promptly without
 * polling a task that cannot be ready yet.
 */
export const DEFAULT_POLL_INTERVAL_MS = 2_000;
export const MAX_POLL_INTERVAL_MS = 10_000;
export const POLL_BACKOFF = 1.5;
/** Once generation times are known, a task is polled from this fraction of the typical time on. */
export const DUE_FRACTION = 0.9;

export interface PaceInput {
  baseMs: number;
  backoffMs: number;
  /** How long this run's finished generations took. */
  durations: readonly number[];
  /** When each task in flight was sent, in ms since the epoch. */
  since: Iterable<number>;
  now: number;
}

export function nextPollIn(p: PaceInput): number {
  if (p.durations.length === 0) return p.backoffMs;
  const sorted = [...p.durations].sort((a, b) => a - b);
  const typical = sorted[sorted.length >> 1]!;
  let soonest = Infinity;
  for (const s of p.since) soonest = Math.min(soonest, s + typical * DUE_FRACTION - p.now);
  if (soonest <= 0) return p.baseMs;
  return Math.max(p.baseMs, Math.min(soonest, p.backoffMs));
}

/** The backoff after a round: back to the base when anything happened, else grown up to the cap. */
export function nextBackoff(backoffMs: number, baseMs: number, active: boolean): number {
  return active ? baseMs : Math.min(MAX_POLL_INTERVAL_MS, Math.round(backoffMs * POLL_BACKOFF));
}
