/**
 * When to poll next, pure. Until a generation of this run has finished, exponential backoff, but
 * never more than a fraction of how long the oldest task has waited (so the first results are
 * seen at most that fraction late, not a whole backoff step). After that the typical generation
 * time is known: sleep until the next task is due, then poll at the base interval while tasks
 * are due, so results are seen promptly without polling a task that cannot be ready yet.
 */
export const DEFAULT_POLL_INTERVAL_MS = 2_000;
export const MAX_POLL_INTERVAL_MS = 10_000;
export const POLL_BACKOFF = 1.5;
/** Once generation times are known, a task is polled from this fraction of the typical time on. */
export const DUE_FRACTION = 0.9;
/** Before that, the wait between polls is at most this fraction of the oldest task's wait so far. */
export const FIRST_WAIT_FRACTION = 0.125;

export interface PaceInput {
  baseMs: number;
  backoffMs: number;
  /** How long this run's finished generations took. */
  durations: readonly number[];
  /** When each task in flight was sent, in ms since the epoch. */
  since: Iterable<number>;
  now: number;
}

/** How many of the latest generation times make "typical": recent ones say most about the API now. */
export const RECENT_DURATIONS = 256;

/** The median of this run's generation times; undefined before any finished. */
export function typicalDuration(durations: readonly number[]): number | undefined {
  if (durations.length === 0) return undefined;
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

export function nextPollIn(p: PaceInput): number {
  const typical = typicalDuration(p.durations);
  if (typical === undefined) {
    let oldest = p.now;
    for (const s of p.since) oldest = Math.min(oldest, s);
    return Math.min(p.backoffMs, Math.max(p.baseMs, Math.round((p.now - oldest) * FIRST_WAIT_FRACTION)));
  }
  let soonest = Infinity;
  for (const s of p.since) soonest = Math.min(soonest, s + typical * DUE_FRACTION - p.now);
  if (soonest <= 0) return p.baseMs;
  return Math.max(p.baseMs, Math.min(soonest, p.backoffMs));
}

/** The backoff after a round: back to the base when anything happened, else grown up to the cap. */
export function nextBackoff(backoffMs: number, baseMs: number, active: boolean): number {
  return active ? baseMs : Math.min(MAX_POLL_INTERVAL_MS, Math.round(backoffMs * POLL_BACKOFF));
}

/**
 * The tasks worth asking about now: every one until a generation of this run has finished, then
 * those due (sent at least DUE_FRACTION of the typical time ago) or at their deadline. A task not
 * due could not be done yet: polling it would make each tick cost O(tasks in flight).
 */
export function dueForPoll(flights: Iterable<{ taskUUID: string; since: number }>, o: { durations: readonly number[]; now: number; timeoutMs: number }): string[] {
  const typical = typicalDuration(o.durations);
  const ids: string[] = [];
  for (const f of flights) {
    const waited = o.now - f.since;
    if (typical === undefined || waited >= typical * DUE_FRACTION || waited >= o.timeoutMs) ids.push(f.taskUUID);
  }
  return ids;
}
