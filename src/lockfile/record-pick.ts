/**
 * Writing a pick: the one place `clipform pick` and the live report's pick button both go
 * through. Under the state lock (an apply running elsewhere refuses it), the lockfile is read
 * afresh, the choice recorded in the clip's entry, and the file replaced atomically with its
 * serial bumped, so the choice travels in git like any other record.
 */
import { acquireStateLock } from "./statelock.js";
import { readCurrentRecord, settleJournals } from "./current.js";
import { serializeLockfile, writeFileAtomic } from "./io.js";
import { pickTake, type TakeInfo } from "./pick.js";
import { countResults } from "../images/kind.js";

export interface PickRequest {
  /** The project root, whose state lock guards the record. */
  root: string;
  lockPath: string;
  address: string;
  /** A take's number or task UUID prefix, as `clipform pick` takes it. */
  ref: string;
  /** Who asks, for the lock's holder record (`clipform pick ADDR TAKE`, `clipform watch --serve`). */
  command: string;
  /**
   * The caller already holds the state lock and has no apply running (`watch --apply` holds it
   * for its whole run): write without taking it again.
   */
  lockHeld?: boolean;
}

export function recordPick(req: PickRequest): TakeInfo {
  const lock = req.lockHeld ? undefined : acquireStateLock(req.root, req.command);
  try {
    // Whatever an interrupted apply left in its journal is part of the record the pick is made on.
    const record = readCurrentRecord(req.lockPath);
    const current = record.lock;
    const { lock: next, take } = pickTake(current, req.address, req.ref);
    writeFileAtomic(req.lockPath, serializeLockfile({ ...next, serial: current.serial + 1 }));
    settleJournals(record);
    return take;
  } finally {
    lock?.release();
  }
}

/** What a pick says once written; in the simulator's record (`--sim`), that it is not the real one. */
export function pickedMessage(address: string, take: TakeInfo, lockfile: string, simulated = false): string {
  const where = simulated ? `Recorded in the simulator's record (${lockfile}), apart from the real lockfile: nothing to commit.` : `Recorded in ${lockfile}: commit it to share the choice.`;
  return `${address} now uses take ${take.index} (${take.taskUUID.slice(0, 8)}, ${countResults(take.videos.length, take.kind)}). ${where}`;
}
