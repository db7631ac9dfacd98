/**
 * Budget accounting during a run, pure (no I/O, no clock): money charged so far, per manifest,
 * plus what is committed in flight, against each limit. Estimates can be wrong and charges
 * cannot, so once a model and duration has been charged more per result than estimated, later
 * work of the same kind is expected to cost that much.
 */
import { priceKey, roundUsd } from "../money/usd.js";
import type { BudgetLimit, GenJob } from "./types.js";

/** Work committed and not finished, as budgets see it. */
export interface Committed {
  manifest: string | undefined;
  estimateUsd: number;
}

export interface BudgetStop {
  scope: string;
  limitUsd: number;
  committedUsd: number;
}

export class BudgetBook {
  #spent = 0;
  readonly #spentBy = new Map<string, number>();
  readonly #chargedPerResult = new Map<string, number>();

  constructor(readonly limits: readonly BudgetLimit[]) {}

  /** Money charged in this run. */
  get spentUsd(): number {
    return this.#spent;
  }

  /** Records a charge for a clip of `manifest`; per-result costs teach the expected price. */
  charge(manifest: string, costUsd: number, perResult: { model: string; duration: unknown; costs: (number | undefined)[] }): void {
    for (const c of perResult.costs) {
      if (c === undefined || typeof perResult.duration !== "number") continue;
      const k = priceKey(perResult.model, perResult.duration);
      this.#chargedPerResult.set(k, Math.max(this.#chargedPerResult.get(k) ?? 0, c));
    }
    this.#spent += costUsd;
    this.#spentBy.set(manifest, (this.#spentBy.get(manifest) ?? 0) + costUsd);
  }

  /** What a job is expected to cost: the plan's estimate, or more when this run was charged more. */
  expected(job: GenJob): number {
    const seen = this.#chargedPerResult.get(priceKey(job.clip.generation.model, job.clip.generation.duration));
    return seen === undefined ? job.estimateUsd : Math.max(job.estimateUsd, seen * job.count);
  }

  /**
   * The first limit `job` would cross, counting money spent, work in flight and the jobs already
   * taken for the same batch; undefined when it fits them all.
   */
  wouldCross(job: GenJob, taken: readonly GenJob[], inflight: Iterable<Committed>): BudgetStop | undefined {
    const flights = [...inflight];
    for (const b of this.limits) {
      if (b.manifest && b.manifest !== job.clip.manifest) continue;
      const counts = (manifest: string | undefined) => !b.manifest || manifest === b.manifest;
      const reserved = taken.filter((t) => counts(t.clip.manifest)).reduce((s, t) => s + this.expected(t), 0);
      const inFlight = flights.filter((f) => counts(f.manifest)).reduce((s, f) => s + f.estimateUsd, 0);
      const spent = b.manifest ? (this.#spentBy.get(b.manifest) ?? 0) : this.#spent;
      const committed = inFlight + spent + reserved;
      if (committed + this.expected(job) > b.limitUsd + 1e-9) return { scope: b.scope, limitUsd: b.limitUsd, committedUsd: roundUsd(committed) };
    }
    return undefined;
  }
}
