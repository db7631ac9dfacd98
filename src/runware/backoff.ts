/** Retry timing: exponential backoff with full jitter, honouring the server's Retry-After. */

export const BASE_DELAY_MS = 500;
export const MAX_BACKOFF_MS = 20_000;
/** The longest Retry-After we wait for; a server asking for more gets this much. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Delay before retry number `attempt` (0-based): uniformly random in [0, min(cap, base·2^attempt)],
 * but never shorter than the server's Retry-After (itself capped at MAX_RETRY_AFTER_MS).
 */
export function backoffDelay(attempt: number, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** attempt);
  const jittered = Math.floor(random() * ceiling);
  const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return Math.max(jittered, floor);
}

/** Parses a Retry-After header (delta seconds or HTTP date) into milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
