/**
 * The spend gate: the one place every submission passes (a new generation, a keyframe image, a
 * task sent again, a price probe), and the one place every charge is counted. Pure: no I/O, no
 * clock. `openGate` (gate-open.ts) builds it from a plan: it reads the lifetime ledger, the
 * project budget of clipform.yaml and each manifest's budget itself, so a caller passes only
 * its run's own limits (`--max-cost`, `watch --budget`) and cannot forget a scope.
 *
 * Every scope counts: what it had spent before the run (lifetime budgets only), what this run
 * was charged, and the estimates of the work in flight. A charge that cannot be believed (absent,
 * negative, not a finite number, text, over the ceiling, or below 5% of its estimate for a paid
 * kind, $0 included) counts at its estimate, never $0.
 *
 * The rule near a budget. A price kind (src/money/kind.ts) is *confirmed* in a run once one of
 * its results was charged no more than the gate expected (within 5%). Under a budget:
 * - a generation of a kind not confirmed in this run (whatever priced it: the catalog, a price
 *   learned from this project, or a quote) is a *probe*: it goes only while no other probe is
 *   in flight;
 * - while other work is in flight, a generation goes only if the budget has room for all the
 *   confirmed work in flight and itself at twice their estimates (a probe: for the confirmed
 *   work at twice, plus its own estimate). Otherwise it waits for the work in flight to settle;
 * - alone (nothing in flight), a generation goes when its estimate fits.
 * A charge above its estimate re-prices its kind at once (in flight and not yet sent: what no
 * longer fits is not sent) and the kind goes one at a time again until a charge confirms it.
 *
 * The guarantee. With any budget set, the spend past it is at most one generation's real charge,
 * whatever the server charges for a kind it has not charged yet in this run: at the last send,
 * either one generation was in flight and the rest fitted, or the confirmed work in flight fitted
 * at twice its price and at most one probe was in flight. The one assumption: within a run, a
 * server does not more than double a price it has already charged for a kind; one that does can
 * pass a budget by the extra it charges on the generations of that kind then in flight.
 */
import { implausiblyLow, priceKind, describeKind } from "../money/kind.js";
import { roundUsd } from "../money/usd.js";
import { saneCost } from "../util/money-guard.js";
import type { GenJob } from "./types.js";

/** A charge within this fraction above what the gate expected confirms a kind's price; above, it surprises. */
export const PRICE_TOLERANCE = 0.05;
/** Under a budget, work in flight must fit at this many times its estimate for more to join it. */
export const CONCURRENT_HEADROOM = 2;

export interface GateScope {
  scope: string;
  limitUsd: number;
  /** Which clips count against it (all when undefined). */
  manifest?: string;
  /** Lifetime budgets: what was spent before this run (the ledger, unknown charges at their estimates). */
  spentBeforeUsd?: number;
  /** Lifetime budgets also count tasks in flight from earlier runs (resumed); a run's own limits only what it sends. */
  lifetime?: boolean;
}

/** Why the gate sends nothing more: a budget the next generation would cross, or work with no price under one. */
export interface BudgetStop {
  scope: string;
  limitUsd: number;
  /** Spent plus in flight when the gate stopped. */
  committedUsd: number;
  /** What the next generation was expected to cost, and by how much it would have passed the budget. */
  nextUsd?: number;
  overByUsd?: number;
  /** "unpriced": work with no price under a budget; "waiting": work that fits only once tasks left running settle. */
  reason?: "unpriced" | "waiting";
}

/** A budget past its limit at the end of a run: by how much, and why. */
export interface BudgetExceeded {
  scope: string;
  limitUsd: number;
  spentUsd: number;
  overByUsd: number;
  why: string;
}

/** `wait`: the job fits, but not alongside the work in flight under `scope`; it goes once that settles. */
export type Admission = { go: true; probe: boolean; estimateUsd: number } | { go: false; wait: { scope: string; limitUsd: number } } | { go: false; stop: BudgetStop };

interface Flight {
  manifest: string | undefined;
  kind: string;
  estimateUsd: number;
  /** Per result, what the gate expected when it let it go. */
  perResultUsd: number;
  probe: boolean;
  /** Sent by this run (counts against the run's own limits); false for a task resumed from an earlier run. */
  run: boolean;
}

/** A settled task, as the gate counts it. */
export interface Settled {
  /** What budgets count: believable charges, and the estimate of every result charged nothing believable. */
  countedUsd: number;
  /** A note when the charge surprised (above what was expected): the kind is re-priced. */
  note?: string;
}

export class SpendGate {
  readonly scopes: readonly GateScope[];
  /** Per scope: spent before the run plus counted this run; and the estimates in flight (all, and of probes). */
  readonly #spent: number[];
  readonly #inflight: number[];
  readonly #inflightProbes: number[];
  /** Per scope: how many tasks it counts in flight (sums of floats never tell "none" reliably). */
  readonly #inflightCount: number[];
  readonly #flights = new Map<string, Flight>();
  /** Per kind: the most charged per result in this run (a believable charge). */
  readonly #price = new Map<string, number>();
  readonly #confirmed = new Set<string>();
  #probesInFlight = 0;
  #countedRun = 0;
  #chargedRun = 0;
  /** The surprises of this run, for the end report. */
  readonly #surprises: string[] = [];

  constructor(scopes: readonly GateScope[]) {
    this.scopes = scopes;
    this.#spent = scopes.map((s) => (s.lifetime ? (s.spentBeforeUsd ?? 0) : 0));
    this.#inflight = scopes.map(() => 0);
    this.#inflightProbes = scopes.map(() => 0);
    this.#inflightCount = scopes.map(() => 0);
  }

  /** Believable charges of this run. */
  get chargedUsd(): number {
    return roundUsd(this.#chargedRun);
  }

  /** What this run counts against budgets: charges, and estimates where a charge was not believable. */
  get countedUsd(): number {
    return roundUsd(this.#countedRun);
  }

  #covers(s: GateScope, manifest: string | undefined, run: boolean): boolean {
    return (!s.manifest || s.manifest === manifest) && (run || s.lifetime === true);
  }

  /** What a job is expected to cost: its estimate, or more when this run was charged more per result for its kind. */
  expected(job: GenJob): number | undefined {
    const seen = this.#price.get(priceKind(job.clip.generation));
    if (seen === undefined) return job.estimateUsd;
    return roundUsd(Math.max(job.estimateUsd ?? 0, seen * job.count));
  }

  /** Whether `job` goes now, waits for work in flight to settle, or never goes (a budget would be crossed). */
  admit(job: GenJob): Admission {
    const manifest = job.clip.manifest;
    const covering = this.scopes.map((s, i) => [s, i] as const).filter(([s]) => this.#covers(s, manifest, true));
    const est = this.expected(job);
    if (covering.length === 0) return { go: true, probe: false, estimateUsd: est ?? 0 };
    const probe = !this.#confirmed.has(priceKind(job.clip.generation));
    for (const [s, i] of covering) {
      const committed = this.#spent[i]! + this.#inflight[i]!;
      if (est === undefined) return { go: false, stop: { scope: s.scope, limitUsd: s.limitUsd, committedUsd: roundUsd(committed), reason: "unpriced" } };
      if (committed + est > s.limitUsd + 1e-9) {
        return { go: false, stop: { scope: s.scope, limitUsd: s.limitUsd, committedUsd: roundUsd(committed), nextUsd: est, overByUsd: roundUsd(committed + est - s.limitUsd) } };
      }
    }
    if (probe && this.#probesInFlight > 0) return { go: false, wait: { scope: covering[0]![0].scope, limitUsd: covering[0]![0].limitUsd } };
    for (const [s, i] of covering) {
      if (this.#inflightCount[i]! === 0) continue;
      const confirmedInFlight = this.#inflight[i]! - this.#inflightProbes[i]!;
      const need = probe ? CONCURRENT_HEADROOM * confirmedInFlight + est! : CONCURRENT_HEADROOM * (confirmedInFlight + est!);
      if (this.#spent[i]! + need > s.limitUsd + 1e-9) return { go: false, wait: { scope: s.scope, limitUsd: s.limitUsd } };
    }
    return { go: true, probe, estimateUsd: est! };
  }

  /** `job` was let go (written ahead) as task `taskUUID`, at `admission`'s estimate. */
  sent(taskUUID: string, job: GenJob, admission: { probe: boolean; estimateUsd: number }): void {
    this.#add(taskUUID, { manifest: job.clip.manifest, kind: priceKind(job.clip.generation), estimateUsd: admission.estimateUsd, perResultUsd: admission.estimateUsd / Math.max(1, job.count), probe: admission.probe, run: true });
  }

  /**
   * A task of an earlier run, polled again (never sent unless the API does not know it): it
   * counts against lifetime budgets, whose spend before the run already holds it at
   * `estimateUsd` (the ledger's in-flight figure): that part moves to in flight, so its charge
   * replaces it once it comes.
   */
  resumed(taskUUID: string, o: { manifest: string | undefined; generation: object; estimateUsd: number; count: number }): void {
    const f: Flight = { manifest: o.manifest, kind: priceKind(o.generation), estimateUsd: o.estimateUsd, perResultUsd: o.estimateUsd / Math.max(1, o.count), probe: false, run: false };
    this.scopes.forEach((s, i) => {
      if (this.#covers(s, f.manifest, false)) this.#spent[i]! -= f.estimateUsd;
    });
    this.#add(taskUUID, f);
  }

  /** A resumed task sent again (the API did not know it): from now on it counts against the run's own limits too. */
  resent(taskUUID: string, job: GenJob, admission: { probe: boolean; estimateUsd: number }): void {
    this.#remove(taskUUID);
    this.sent(taskUUID, job, admission);
  }

  /** Whether `taskUUID` was let go by this run (and is still counted in flight): sent again, it has passed already. */
  sentThisRun(taskUUID: string): boolean {
    return this.#flights.get(taskUUID)?.run === true;
  }

  /** Work let go that never left (dropped before sending, refused by the API): nothing is committed for it any more. */
  release(taskUUID: string): void {
    this.#remove(taskUUID);
  }

  #add(taskUUID: string, f: Flight): void {
    this.#remove(taskUUID);
    this.#flights.set(taskUUID, f);
    if (f.probe) this.#probesInFlight++;
    this.scopes.forEach((s, i) => {
      if (!this.#covers(s, f.manifest, f.run)) return;
      this.#inflightCount[i]!++;
      this.#inflight[i]! += f.estimateUsd;
      if (f.probe) this.#inflightProbes[i]! += f.estimateUsd;
    });
  }

  #remove(taskUUID: string): Flight | undefined {
    const f = this.#flights.get(taskUUID);
    if (!f) return undefined;
    this.#flights.delete(taskUUID);
    if (f.probe) this.#probesInFlight--;
    this.scopes.forEach((s, i) => {
      if (!this.#covers(s, f.manifest, f.run)) return;
      this.#inflightCount[i]!--;
      this.#inflight[i]! -= f.estimateUsd;
      if (f.probe) this.#inflightProbes[i]! -= f.estimateUsd;
    });
    return f;
  }

  /**
   * A task is done (finished, failed, or unknown to the API): its results' charges replace its
   * estimate. `costs` are per result as the API sent them (undefined: none or not believable).
   * A task never settled (left running past its deadline) stays counted at its estimate.
   */
  settle(taskUUID: string, costs: readonly (number | undefined)[], generation?: object): Settled {
    const f = this.#remove(taskUUID);
    if (!f) return { countedUsd: 0 };
    let counted = 0;
    let charged = 0;
    let highest: number | undefined;
    let believed = 0;
    for (const raw of costs) {
      const c = saneCost(raw);
      if (c === undefined || implausiblyLow(c, f.perResultUsd)) {
        counted += f.perResultUsd;
        continue;
      }
      counted += c;
      charged += c;
      believed++;
      highest = Math.max(highest ?? 0, c);
    }
    this.#countedRun += counted;
    this.#chargedRun += charged;
    this.scopes.forEach((s, i) => {
      if (this.#covers(s, f.manifest, f.run)) this.#spent[i]! += counted;
    });
    if (highest === undefined) return { countedUsd: roundUsd(counted) };
    const expected = Math.max(f.perResultUsd, this.#price.get(f.kind) ?? 0);
    if (highest <= expected * (1 + PRICE_TOLERANCE) + 1e-9) {
      // Every believable charge within what was expected: the kind's price holds.
      if (believed === costs.length) this.#confirmed.add(f.kind);
      this.#price.set(f.kind, Math.max(this.#price.get(f.kind) ?? 0, highest));
      return { countedUsd: roundUsd(counted) };
    }
    return { countedUsd: roundUsd(counted), note: this.#surprise(f, highest, generation) };
  }

  /** A charge above its estimate: the kind is re-priced at once, in flight too, and goes one at a time until a charge confirms it. */
  #surprise(f: Flight, perResult: number, generation: object | undefined): string {
    this.#price.set(f.kind, perResult);
    this.#confirmed.delete(f.kind);
    for (const [id, other] of this.#flights) {
      if (other.kind !== f.kind || other.perResultUsd >= perResult) continue;
      const count = Math.max(1, Math.round(other.estimateUsd / Math.max(other.perResultUsd, 1e-12)));
      this.#remove(id);
      this.#add(id, { ...other, perResultUsd: perResult, estimateUsd: perResult * count });
    }
    const what = generation ? describeKind(generation) : "a generation";
    const note = `${what} was charged $${roundUsd(perResult)} per result, more than the $${roundUsd(f.perResultUsd)} estimated: its kind is re-priced at the charge, and what no longer fits a budget is not sent`;
    this.#surprises.push(note);
    return note;
  }

  /** The scopes past their limit now (spent, in flight not included), with why. */
  exceeded(): BudgetExceeded[] {
    const out: BudgetExceeded[] = [];
    this.scopes.forEach((s, i) => {
      const spent = roundUsd(this.#spent[i]!);
      if (spent <= s.limitUsd + 1e-9) return;
      const why = this.#surprises.length > 0 ? this.#surprises[0]! : s.lifetime && (s.spentBeforeUsd ?? 0) > s.limitUsd ? "it was past its limit before this run" : "charges above their estimates";
      out.push({ scope: s.scope, limitUsd: s.limitUsd, spentUsd: spent, overByUsd: roundUsd(spent - s.limitUsd), why });
    });
    return out;
  }
}
