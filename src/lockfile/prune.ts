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
 * What dropping the take takes out of the ledger: its results no holder left keeps (`kept`), each
 * counted once (`counted`). A take may hold a video whose task another record holds (a variant
 * reroll moves the old video here and leaves its task in the clip's entry), so counting only the
 * take's own tasks would record a paid video at $0. A result whose charge is unknown counts at its
 * estimate (as in the ledger), so pruning it never lowers lifetime spend.
 */
function takeCost(t: LockTake, kept: ReadonlySet<string>, counted: ReadonlySet<string>, price: ResultPrice | undefined): number | undefined {
  const lost = t.results.filter((r) => !kept.has(r.videoUUID) && !counted.has(r.videoUUID));
  if (lost.every((r) => saneCost(r.costUsd) !== undefined)) return roundUsd(lost.reduce((s, r) => s + saneCost(r.costUsd)!, 0));
  const unknown = price ? resultPrice(price, t.model, t.request) : undefined;
  if (unknown === undefined) return undefined;
  return roundUsd(lost.reduce((s, r) => s + (saneCost(r.costUsd) ?? unknown), 0));
}

/** Where a pruned take is recorded: by its first task, else its first video (a variant's take holds no task), else its request. */
function prunedKey(fp: string, t: LockTake): string {
  return [...t.tasks.map((x) => x.taskUUID)].sort()[0] ?? [...t.results.map((r) => r.videoUUID)].sort()[0] ?? fp;
}

export function planPrune(lock: Lockfile, o: { now: Date; match?: (address: string) => boolean; price?: ResultPrice } & LiveInput): PrunePlan {
  const live = liveTakes(lock, o);
  const takes = { ...lock.takes };
  const pruned: Record<string, LockPruned> = { ...lock.pruned };
  const dropped: DroppedTake[] = [];
  const unpriced: PrunePlan["unpriced"] = [];
  const kept: PrunePlan["live"] = [];
  const all = Object.entries(lock.takes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const candidates: [string, LockTake][] = [];
  for (const [fp, t] of all) {
    if (o.match && !o.match(t.address)) continue;
    const reasons = whyKept(live, t);
    if (reasons.length > 0) kept.push({ fingerprint: fp, address: t.address, reasons });
    else candidates.push([fp, t]);
  }
  // Videos that stay recorded whatever is dropped: in clip entries and in takes not dropped.
  const dropping = new Set(candidates.map(([fp]) => fp));
  const keptVideos = new Set([...Object.values(lock.clips), ...all.filter(([fp]) => !dropping.has(fp)).map(([, t]) => t)].flatMap((h) => h.results.map((r) => r.videoUUID)));
  const counted = new Set<string>();
  for (const [fp, t] of candidates) {
    const costUsd = takeCost(t, keptVideos, counted, o.price);
    if (costUsd === undefined) {
      unpriced.push({ fingerprint: fp, address: t.address });
      continue;
    }
    for (const r of t.results) counted.add(r.videoUUID);
    pruned[prunedKey(fp, t)] = { address: t.address, manifest: t.manifest, fingerprint: fp, costUsd, results: t.results.length, prunedAt: o.now.toISOString() };
    delete takes[fp];
    dropped.push({ fingerprint: fp, address: t.address, manifest: t.manifest, tasks: t.tasks.length, results: t.results.length, kind: resultKind(t.request), costUsd, files: t.results.flatMap((r) => (r.file ? [r.file] : [])) });
  }
  return { lock: { ...lock, takes, pruned }, dropped, totalUsd: roundUsd(dropped.reduce((s, d) => s + d.costUsd, 0)), unpriced, live: kept };
}
