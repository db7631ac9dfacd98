/**
 * Who paid for what in a clip's current entry. A video copied by `reuse` to another address
 * appears in two entries but was paid for once: it counts where its task ran (or, when that
 * entry is gone, at the first address holding it), and elsewhere as a copy. Lifetime spend,
 * kept and pruned takes included, is the ledger's (ledger.ts).
 */
import { roundUsd } from "../money/usd.js";
import { payersOf } from "./ledger.js";
import type { LockEntry, Lockfile } from "./schema.js";
import { costOrZero } from "../util/money-guard.js";

/** videoUUID → the address that paid for it (see ledger.ts: kept takes count where they were generated). */
export function payers(lock: Lockfile): Map<string, string> {
  return new Map([...payersOf(lock)].map(([video, p]) => [video, p.address]));
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
