/**
 * Adaptive concurrency: a 429 halves the generations allowed in flight; each submit round
 * without one lets the limit grow back by one, up to what the user asked for.
 */
export const DEFAULT_CONCURRENCY = 8;

export class AdaptiveLimit {
  #limit: number;
  #rateLimitedRecently = false;

  constructor(readonly max: number) {
    this.#limit = Math.max(1, max);
  }

  get value(): number {
    return this.#limit;
  }

  /** The API said slow down. Returns the new limit when it changed. */
  rateLimited(): number | undefined {
    this.#rateLimitedRecently = true;
    const next = Math.max(1, Math.floor(this.#limit / 2));
    if (next === this.#limit) return undefined;
    this.#limit = next;
    return next;
  }

  /** A submit round ended. Returns the new limit when it grew back. */
  roundDone(): number | undefined {
    const grow = !this.#rateLimitedRecently && this.#limit < this.max;
    this.#rateLimitedRecently = false;
    if (!grow) return undefined;
    return ++this.#limit;
  }
}
