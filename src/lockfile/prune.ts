/**
 * `clipform prune`, pure: which kept takes to drop and what they cost. The kept takes of a
 * request are dropped together, and only when none of them is live (live.ts: used, picked,
 * chained from, cut into a film, in flight); their cost stays in the ledger as a pruned record
 * (pruning a record does not un-spend it), and the picks remembered for that request go with them.
 */
import { saneCost } from "../util/money-guard.js";
import { resultPrice, type ResultPrice } from "./ledger.js";
import { roundUsd } from "../money/usd.js";
import type { Lockfile, LockPruned, LockTake } from "./schema.js";
import { liveTakes, whyKept, type LiveInput, type LiveReason } from "./live.js";
import { resultKind, type ResultKind } from "../images/kind.js";

export interface DroppedTake {
  fingerprint: string;
  address: string;
  manifest: string;
  tasks: number;
  results: number;
  /** What its results are (keyframe images or videos). */
  kind: ResultKind;
  costUsd: number;
  /** Recorded files of the take, relative to the project root. */
  files: string[];
}

export interface PrunePlan {
  lock: Lockfile;
  dropped: DroppedTake[];
  totalUsd: number;
  /** Takes kept because a result's charge is unknown and no price estimates it: pruned, it would be recorded as $0 for good. */
  unpriced: { fingerprint: string; address: string }[];
  /** Kept takes (in scope) that are live, with why. */
  live: { fingerprint: string; address: string; reasons: LiveReason[] }[];
}

/**
 * What the take itself was charged: results of its own tasks. A result whose charge is unknown
 * counts at its estimate (as in the ledger), so pruning it never lowers lifetime spend.
 */
function takeCost(t: LockTake, price: ResultPrice | undefined): number | undefined {
  const own = t.results.filter((r) => t.tasks.some((x) => x.taskUUID === r.taskUUID));
  if (own.every((r) => saneCost(r.costUsd) !== undefined)) return roundUsd(own.reduce((s, r) => s + saneCost(r.costUsd)!, 0));
  const unknown = price ? resultPrice(price, t.model, t.request) : undefined;
  if (unknown === undefined) return undefined;
  return roundUsd(own.reduce((s, r) => s + (saneCost(r.costUsd) ?? unknown), 0));
}

export function planPrune(lock: Lockfile, o: { now: Date; match?: (address: string) => boolean; price?: ResultPrice } & LiveInput): PrunePlan {
  const live = liveTakes(lock, o);
  const takes = { ...lock.takes };
  const pruned: Record<string, LockPruned> = { ...lock.pruned };
  const dropped: DroppedTake[] = [];
  const unpriced: PrunePlan["unpriced"] = [];
  const kept: PrunePlan["live"] = [];
  for (const [fp, t] of Object.entries(lock.takes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (o.match && !o.match(t.address)) continue;
    const reasons = whyKept(live, t);
    if (reasons.length > 0) {
      kept.push({ fingerprint: fp, address: t.address, reasons });
      continue;
    }
    const costUsd = takeCost(t, o.price);
    if (costUsd === undefined) {
      unpriced.push({ fingerprint: fp, address: t.address });
      continue;
    }
    const key = [...t.tasks.map((x) => x.taskUUID)].sort()[0] ?? fp;
    pruned[key] = { address: t.address, manifest: t.manifest, fingerprint: fp, costUsd, results: t.results.length, prunedAt: o.now.toISOString() };
    delete takes[fp];
    dropped.push({ fingerprint: fp, address: t.address, manifest: t.manifest, tasks: t.tasks.length, results: t.results.length, kind: resultKind(t.request), costUsd, files: t.results.flatMap((r) => (r.file ? [r.file] : [])) });
  }
  return { lock: { ...lock, takes, pruned }, dropped, totalUsd: roundUsd(dropped.reduce((s, d) => s + d.costUsd, 0)), unpriced, live: kept };
}
