/**
 * `clipform pick`, pure: the takes of a clip's current request (its own tasks and earlier
 * rerolls kept among the takes), and which one the clip uses. The choice is recorded in the
 * lockfile (so in git); chained shots read the picked take.
 */
import { costOrZero } from "../util/money-guard.js";
import { ClipformError } from "../errors.js";
import { roundUsd } from "../money/usd.js";
import type { Lockfile, LockResult, LockTask } from "./schema.js";
import { countResults, resultKind, type ResultKind } from "../images/kind.js";
import { usedResults, usedTasks } from "./live.js";
import { own } from "../util/own.js";

export interface TakeInfo {
  /** 1-based, oldest first. */
  index: number;
  taskUUID: string;
  status: LockTask["status"];
  submittedAt: string;
  /** The UUIDs of its results: videos, or images for a keyframe (`kind`). */
  videos: string[];
  kind: ResultKind;
  costUsd: number;
  /** The clip's entry holds it (else it is kept among the takes). */
  current: boolean;
  /** The clip uses it (see usedTasks): the picked take, else the take its current variants came from. */
  picked: boolean;
}

export function takesOf(lock: Lockfile, address: string): TakeInfo[] {
  const entry = own(lock.clips, address);
  if (!entry) throw new ClipformError("USAGE", `${address} is not in the lockfile: nothing generated for it yet (see clipform status)`);
  const kept = own(lock.takes, entry.fingerprint);
  const seen = new Set<string>();
  const all = [...entry.tasks.map((t) => ({ t, current: true })), ...(kept?.tasks ?? []).map((t) => ({ t, current: false }))].filter(({ t }) => !seen.has(t.taskUUID) && seen.add(t.taskUUID));
  all.sort((a, b) => (a.t.submittedAt < b.t.submittedAt ? -1 : a.t.submittedAt > b.t.submittedAt ? 1 : 0)); // as byTime (takes.ts)
  const results = [...entry.results, ...(kept?.results ?? [])];
  const used = usedTasks(lock, address);
  return all.map(({ t, current }, i) => {
    const its = results.filter((r) => r.taskUUID === t.taskUUID);
    const videos = [...new Set(its.map((r) => r.videoUUID))];
    return {
      index: i + 1,
      taskUUID: t.taskUUID,
      status: t.status,
      submittedAt: t.submittedAt,
      videos,
      kind: resultKind(entry.request),
      costUsd: roundUsd(its.filter((r, k) => its.findIndex((x) => x.videoUUID === r.videoUUID) === k).reduce((s, r) => s + (costOrZero(r.costUsd)), 0)),
      current,
      picked: used.has(t.taskUUID),
    };
  });
}

/** Records that `address` uses the take `ref` (its number in takesOf, or a task UUID prefix). */
export function pickTake(lock: Lockfile, address: string, ref: string): { lock: Lockfile; take: TakeInfo } {
  const takes = takesOf(lock, address);
  const byIndex = /^\d+$/.test(ref) ? takes.filter((t) => t.index === Number(ref)) : [];
  const matches = byIndex.length ? byIndex : ref.length >= 4 ? takes.filter((t) => t.taskUUID.startsWith(ref.toLowerCase())) : [];
  if (matches.length !== 1) {
    const list = takes.map((t) => `${t.index} (${t.taskUUID.slice(0, 8)})`).join(", ");
    throw new ClipformError("USAGE", `${matches.length ? "ambiguous" : "no"} take "${ref}" for ${address}; its takes are ${list || "none"}`);
  }
  const take = matches[0]!;
  if (take.videos.length === 0) throw new ClipformError("USAGE", `take ${take.index} of ${address} has no ${take.kind}s (${take.status}): nothing to pick`);
  const entry = { ...own(lock.clips, address)!, picked: take.taskUUID };
  return { lock: { ...lock, clips: { ...lock.clips, [address]: entry } }, take: { ...take, picked: true } };
}

/**
 * The video a clip uses: variant `variant` (1-based, default 1) of its picked take when one was
 * picked (its own results or those kept among its request's takes), else of the clip's current
 * variants. Chained shots and sequences read this, and nothing else.
 */
export function pickedResult(lock: Lockfile, address: string, variant = 1): LockResult | undefined {
  return usedResults(lock, address)[variant - 1];
}
