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

/** The flights of a resumed clip's recorded tasks; undefined when the clip has no entry any more. */
export function resumedFlights(ch: Change, clip: DesiredClip | undefined, o: { store: LockStore; prices: PriceBook; now: () => Date }): InFlight[] | undefined {
  const entry = o.store.entry(ch.address);
  if (!entry) return undefined;
  return (ch.resumeTasks ?? []).map((t) => {
    const task = o.store.task(ch.address, t);
    const resendable = task && !task.acceptedAt && clip && clip.fingerprint === entry.fingerprint;
    const price = clip ? o.prices(clip.generation.model, clip.generation.duration, clip.generation) : undefined;
    const job: GenJob | undefined = resendable
      ? { address: ch.address, clip, count: task.numberResults, fresh: false, estimateUsd: price ? price.usd * task.numberResults : undefined, ...(price ? { priceSource: price.source } : {}) }
      : undefined;
    return { address: ch.address, taskUUID: t, estimateUsd: 0, since: o.now().getTime(), ...(job ? { job } : {}) };
  });
}
