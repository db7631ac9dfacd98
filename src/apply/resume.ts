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
import { priceFromBook, resultPrice } from "../lockfile/ledger.js";

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
