/**
 * Budget accounting during a run, pure (no I/O, no clock): money charged so far, per manifest,
 * plus what is committed in flight, against each limit. Estimates can be wrong and charges
 * cannot, so once a model and duration has been charged more per result than estimated, later
 * work of the same kind is expected to cost that much.
 *
 * Three rules keep a budget closed when prices are unknown:
 * - a result whose charge is unknown or anomalous counts its estimate, never $0;
 * - work with no price at all never fits a budget that covers it;
 * - a price probe: under a budget, a (model, duration, size) priced only by the catalog (not
 *   quoted, not learned from this project's charges) is first sent as ONE generation, one probe
 *   at a time; once a charge for it is seen, the real price is used and the rest may follow at
 *   full concurrency. So the spend can pass a budget by at most what one probe really costs
 *   beyond its estimate.
 */
import { priceKey, roundUsd } from "../money/usd.js";
import type { BudgetLimit, GenJob } from "./types.js";

/** A probe's charge within this fraction above its estimate matches it; above, a note says budgets use the charge. */
export const PROBE_TOLERANCE = 0.05;

/** Work committed and not finished, as budgets see it. */
export interface Committed {
  manifest: string | undefined;
  estimateUsd: number;
}

export interface BudgetStop {
  scope: string;
  limitUsd: number;
  committedUsd: number;
  /** Why it stops: the money, or work with no price at all. */
  reason?: "unpriced";
}

/** What a job's price rests on: a quote or this project's charges (trusted), or the catalog (probed first under a budget). */
export const probeKey = (generation: object): string => {
  const g = generation as { model?: unknown; duration?: unknown; width?: unknown; height?: unknown; resolution?: unknown };
  return `${String(g.model)}|${String(g.duration)}|${String(g.width ?? "")}x${String(g.height ?? "")}|${String(g.resolution ?? "")}`;
};

export class BudgetBook {
  #spent = 0;
  /** Estimates counted for results charged nothing believable (unknown or anomalous cost). */
  #assumed = 0;
  readonly #spentBy = new Map<string, number>();
  readonly #assumedBy = new Map<string, number>();
  readonly #chargedPerResult = new Map<string, number>();
  /** Probe keys with a believable charge seen in this run. */
  readonly #probed = new Set<string>();

  constructor(readonly limits: readonly BudgetLimit[]) {}

  /** Money charged in this run (believable charges only). */
  get spentUsd(): number {
    return this.#spent;
  }

  /**
   * Records a finished task of a clip of `manifest`: believable per-result costs are charges and
   * teach the expected price; a result with no believable cost counts `perResultEstimateUsd`.
   * Returns a note when a probe (the first charge of its kind) cost more than estimated.
   */
  /** `charge` for a finished task's record: its manifest, model, duration and costs. */
  chargeRecorded(r: { manifest: string; model: string; duration: unknown; results: { costUsd?: number }[] }, probe: string | undefined, perResultEstimateUsd: number): string | undefined {
    return this.charge(r.manifest, probe, { model: r.model, duration: r.duration, costs: r.results.map((x) => x.costUsd), perResultEstimateUsd });
  }

  charge(manifest: string, probe: string | undefined, perResult: { model: string; duration: unknown; costs: (number | undefined)[]; perResultEstimateUsd: number }): string | undefined {
    let charged = 0;
    let assumed = 0;
    for (const c of perResult.costs) {
      if (c === undefined) {
        assumed += perResult.perResultEstimateUsd;
        continue;
      }
      charged += c;
      if (typeof perResult.duration !== "number") continue;
      const k = priceKey(perResult.model, perResult.duration);
      this.#chargedPerResult.set(k, Math.max(this.#chargedPerResult.get(k) ?? 0, c));
    }
    this.#spent += charged;
    this.#assumed += assumed;
    this.#spentBy.set(manifest, (this.#spentBy.get(manifest) ?? 0) + charged);
    this.#assumedBy.set(manifest, (this.#assumedBy.get(manifest) ?? 0) + assumed);
    const known = perResult.costs.filter((c) => c !== undefined);
    if (probe === undefined || known.length === 0 || this.#probed.has(probe)) return undefined;
    this.#probed.add(probe);
    const per = Math.max(...known);
    const est = perResult.perResultEstimateUsd;
    if (per <= est * (1 + PROBE_TOLERANCE) + 1e-9) return undefined;
    return `${perResult.model} (${String(perResult.duration)} s) was charged $${roundUsd(per)} per result, more than the $${roundUsd(est)} estimated: budgets count the charge from now on`;
  }

  /** What a job is expected to cost: the plan's estimate, or more when this run was charged more; undefined when nothing prices it. */
  expected(job: GenJob): number | undefined {
    const g = job.clip.generation;
    const seen = typeof g.duration === "number" ? this.#chargedPerResult.get(priceKey(g.model, g.duration)) : undefined;
    if (seen === undefined) return job.estimateUsd;
    return Math.max(job.estimateUsd ?? 0, seen * job.count);
  }

  /** Whether `job` must go alone as a price probe: a budget covers it and its price is neither quoted, learned nor charged in this run. */
  needsProbe(job: GenJob): boolean {
    if (job.priceSource === "quoted" || job.priceSource === "learned" || this.#probed.has(probeKey(job.clip.generation))) return false;
    return this.limits.some((b) => !b.manifest || b.manifest === job.clip.manifest);
  }

  /**
   * The first limit `job` would cross, counting money spent (or assumed), work in flight and the
   * jobs already taken for the same batch; undefined when it fits them all.
   */
  wouldCross(job: GenJob, taken: readonly GenJob[], inflight: Iterable<Committed>): BudgetStop | undefined {
    const round = this.round(inflight);
    for (const t of taken) round.take(t);
    return round.check(job);
  }

  /**
   * A submit round: what is committed when it starts (spent, assumed, in flight) is summed once
   * per limit, and each job taken adds its expected cost, so admitting n jobs costs O(n + in
   * flight), not O(n × in flight).
   */
  round(inflight: Iterable<Committed>): BudgetRound {
    return new BudgetRound(this, inflight);
  }

  /** Spent plus assumed, for one manifest or (undefined) in all. */
  spentFor(manifest: string | undefined): number {
    return manifest ? (this.#spentBy.get(manifest) ?? 0) + (this.#assumedBy.get(manifest) ?? 0) : this.#spent + this.#assumed;
  }
}

/** See BudgetBook.round. With no limits, every check is O(1). */
export class BudgetRound {
  /** Per limit (same order as book.limits): money committed so far in this round. */
  readonly #committed: number[];

  constructor(
    private readonly book: BudgetBook,
    inflight: Iterable<Committed>,
  ) {
    const { limits } = book;
    this.#committed = limits.map((b) => book.spentFor(b.manifest));
    if (limits.length === 0) return;
    for (const f of inflight) {
      limits.forEach((b, i) => {
        if (!b.manifest || f.manifest === b.manifest) this.#committed[i]! += f.estimateUsd;
      });
    }
  }

  /** The first limit `job` would cross on top of what this round committed; undefined when it fits. */
  check(job: GenJob): BudgetStop | undefined {
    const { limits } = this.book;
    for (let i = 0; i < limits.length; i++) {
      const b = limits[i]!;
      if (b.manifest && b.manifest !== job.clip.manifest) continue;
      const committed = this.#committed[i]!;
      const cost = this.book.expected(job);
      if (cost === undefined) return { scope: b.scope, limitUsd: b.limitUsd, committedUsd: roundUsd(committed), reason: "unpriced" };
      if (committed + cost > b.limitUsd + 1e-9) return { scope: b.scope, limitUsd: b.limitUsd, committedUsd: roundUsd(committed) };
    }
    return undefined;
  }

  /** `job` goes in this round: it counts against every limit that covers it. */
  take(job: GenJob): void {
    const { limits } = this.book;
    for (let i = 0; i < limits.length; i++) {
      const b = limits[i]!;
      if (!b.manifest || b.manifest === job.clip.manifest) this.#committed[i]! += this.book.expected(job) ?? 0;
    }
  }
}
