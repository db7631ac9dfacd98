/**
 * Who paid for what. A video copied by `reuse` to another address appears in two entries but
 * was paid for once: it counts where its task ran (or, when that entry is gone, at the first
 * address holding it), and elsewhere as a copy. Plan, status and report all count money this way.
 */
import { roundUsd } from "../plan/prices.js";
import type { LockEntry, Lockfile } from "./schema.js";
import { costOrZero } from "../util/money-guard.js";

/** videoUUID → the address that paid for it: the entry holding its task, else the first holding it. */
export function payers(lock: Lockfile): Map<string, string> {
  const sorted = Object.entries(lock.clips).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out = new Map<string, string>();
  for (const [address, e] of sorted) {
    const own = new Set(e.tasks.map((t) => t.taskUUID));
    for (const r of e.results) if (own.has(r.taskUUID) && !out.has(r.videoUUID)) out.set(r.videoUUID, address);
  }
  for (const [address, e] of sorted) for (const r of e.results) if (!out.has(r.videoUUID)) out.set(r.videoUUID, address);
  return out;
}

export function money(address: string, e: LockEntry | undefined, paidBy: Map<string, string>): { spent: number; copied: number } {
  let spent = 0;
  let copied = 0;
  const seen = new Set<string>();
  for (const r of e?.results ?? []) {
    if (seen.has(r.videoUUID)) continue;
    seen.add(r.videoUUID);
    if (paidBy.get(r.videoUUID) === address) spent += costOrZero(r.costUsd);
    else copied += costOrZero(r.costUsd);
  }
  return { spent: roundUsd(spent), copied: roundUsd(copied) };
}
