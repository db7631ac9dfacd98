/**
 * Resuming: the tasks an earlier run recorded and did not see finish are polled again, never
 * sent blindly. Only a task the API never acknowledged may be sent again (with its UUID), if the
 * API says it does not know it: it was written ahead and the crash came before the request left.
 */
import type { DesiredClip } from "../manifest/index.js";
import type { LockStore } from "../lockfile/store.js";
import type { Change } from "../plan/plan.js";
import type { PriceBook } from "../plan/prices.js";
import type { GenJob, InFlight } from "./types.js";
import type { Admission, SpendGate } from "./gate.js";
import type { Outgoing } from "./send.js";
import { priceFromBook, resultPrice } from "../lockfile/ledger.js";
import { inFlight } from "../core/states.js";

/** A resumed task, with what the spend gate counts it at: the ledger's in-flight figure for it. */
export interface ResumedFlight extends InFlight {
  manifest: string;
  generation: object;
  count: number;
}

/** The flights of a resumed clip's recorded tasks; undefined when the clip has no entry any more. */
export function resumedFlights(ch: Change, clip: DesiredClip | undefined, o: { store: LockStore; prices: PriceBook; now: () => Date }): ResumedFlight[] | undefined {
  const entry = o.store.entry(ch.address);
  if (!entry) return undefined;
  // Priced as the ledger prices work in flight (committedByManifest), so the gate's lifetime budgets swap the same figure for the charge.
  const perResult = resultPrice(priceFromBook(o.prices), entry.model, entry.request) ?? 0;
  return (ch.resumeTasks ?? []).map((t) => {
    const task = o.store.task(ch.address, t);
    const resendable = task && !task.acceptedAt && clip && clip.fingerprint === entry.fingerprint;
    const price = clip ? o.prices(clip.generation.model, clip.generation.duration, clip.generation) : undefined;
    const job: GenJob | undefined = resendable
      ? { address: ch.address, clip, count: task.numberResults, fresh: false, estimateUsd: price ? price.usd * task.numberResults : undefined, ...(price ? { priceSource: price.source } : {}) }
      : undefined;
    const count = task?.numberResults ?? 1;
    return { address: ch.address, taskUUID: t, estimateUsd: perResult * count, since: o.now().getTime(), manifest: entry.manifest, generation: entry.request, count, ...(job ? { job } : {}) };
  });
}

/**
 * Clips whose change waits for the tasks of their earlier request (a kill, then an edit): their
 * new work neither goes nor copies while one of those tasks is in flight or its videos are being
 * fetched, so what was paid is recorded under the request it was made for, then kept as a take.
 */
export class Collecting {
  readonly #tasks = new Map<string, string[]>();

  add(ch: Change): void {
    if (ch.action !== "resume" && ch.resumeTasks?.length) this.#tasks.set(ch.address, ch.resumeTasks);
  }

  /** "wait" while they run here; "skip" when one is left unfinished (still running past its deadline); else "go". */
  state(address: string, o: { flying: (taskUUID: string) => boolean; downloading: (address: string) => boolean; store: LockStore }): "wait" | "go" | "skip" {
    const tasks = this.#tasks.get(address);
    if (!tasks) return "go";
    if (tasks.some(o.flying) || o.downloading(address)) return "wait";
    return tasks.some((t) => { const task = o.store.task(address, t); return task !== undefined && inFlight(task); }) ? "skip" : "go";
  }
}

/** Why a clip's new work was not sent: its earlier request's task did not finish in this run. */
export const STILL_COLLECTING = "not sent: a task of its earlier request is still running (it was polled, never paid twice); the next apply collects it, then sends this";

/**
 * A task written ahead but never received by the API is sent again with its recorded UUID, once,
 * like any new submission: not after Ctrl-C and not past a budget. One held back (`drop`ped from
 * the run, told by `skip`) stays recorded, unacknowledged, for the next apply.
 */
export function resendable(
  f: InFlight,
  o: { gate: SpendGate; stopping: boolean; store: LockStore; budgetStop: (a: Extract<Admission, { stop: unknown }>) => void; drop: () => void; skip: (address: string, why: string) => void },
): Outgoing | undefined {
  const job = f.job!;
  // A task this run sent passed the gate then and is still counted; one from an earlier run passes it now.
  const admitted = o.gate.sentThisRun(f.taskUUID);
  if (!admitted) o.gate.release(f.taskUUID);
  const a = o.stopping ? undefined : admitted ? ({ go: true, probe: false, estimateUsd: f.estimateUsd } as const) : o.gate.admit(job);
  if (!a?.go) {
    if (a && "stop" in a) o.budgetStop(a);
    o.gate.release(f.taskUUID); // not sent: nothing is committed for it in this run
    o.drop();
    o.skip(f.address, o.stopping ? "not sent again: apply was interrupted (the next apply resumes it)" : "not sent again: a budget leaves no room for it now (the next apply resumes it)");
    return undefined;
  }
  if (!admitted) o.gate.sent(f.taskUUID, job, a);
  f.estimateUsd = a.estimateUsd;
  return { job, taskUUID: f.taskUUID, count: o.store.task(f.address, f.taskUUID)?.numberResults ?? job.count, resend: true };
}
