/**
 * The record as every command must read it: the lockfile with the journals an apply left behind
 * (a kill, a quit) and the rescue files of a refused write folded in. Plan, status and report
 * read it; `pick` and `prune` write it back whole, then drop the journals it now holds.
 */
import { readLockfile } from "./io.js";
import { foldJournals, pendingJournals, removeJournals } from "./journal.js";
import { foldRescues, pendingRescues } from "./rescue.js";
import type { Lockfile } from "./schema.js";

export interface CurrentRecord {
  lock: Lockfile;
  /** The lockfile itself exists (else the record is all journals, or empty). */
  exists: boolean;
  journals: string[];
  rescues: string[];
}

export function readCurrentRecord(lockPath: string): CurrentRecord {
  const read = readLockfile(lockPath);
  const rescues = pendingRescues(lockPath);
  const journals = pendingJournals(lockPath);
  // Journals first: a rescue was written after the journal records it already holds.
  return { lock: foldRescues(foldJournals(read.lock, journals, read.exists), rescues), exists: read.exists, journals, rescues };
}

/** After writing `record.lock` to the lockfile (under the state lock): the journals it holds now go. */
export function settleJournals(record: CurrentRecord): void {
  removeJournals(record.journals);
}
