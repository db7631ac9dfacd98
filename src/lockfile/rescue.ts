/**
 * Rescue files: where an apply's records go when the lockfile cannot take them (see LockStore).
 * Each run writes its own file, never overwriting another's, and every later plan and apply
 * folds them all in (apply then writes them into the lockfile and removes them), or refuses
 * while one cannot be combined: a record of money is never left where no plan reads it.
 */
import { randomUUID } from "node:crypto";
import { unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { STATE_DIR } from "../core/layout.js";
import { ClipformError } from "../errors.js";
import { pendingFiles } from "./pending.js";
import { readLockfile } from "./io.js";
import { mergeLockfiles } from "./merge.js";
import type { Lockfile } from "./schema.js";

const RESCUE = /^lockfile\.rescued(\..+)?\.json$/;

/** A new rescue file for this run: unique, so a second rescue never overwrites the first. */
export function newRescuePath(lockPath: string, now: Date = new Date()): string {
  return join(dirname(lockPath), STATE_DIR, `lockfile.rescued.${now.toISOString().replace(/[:.]/g, "-")}-${randomUUID().slice(0, 8)}.json`);
}

/** Rescue files waiting beside the lockfile, oldest name first. */
export function pendingRescues(lockPath: string): string[] {
  return pendingFiles(join(dirname(lockPath), STATE_DIR), RESCUE, "the records of earlier applies rescued there");
}

/** The lockfile with every pending rescue folded in (in memory); throws when one cannot be combined. */
export function foldRescues(lock: Lockfile, rescues: readonly string[]): Lockfile {
  let folded = lock;
  for (const path of rescues) {
    const rescued = readLockfile(path).lock;
    if (rescued.lineage !== folded.lineage) {
      throw new ClipformError("BAD_LOCKFILE", `${path} holds records of an apply on another lockfile (lineage ${rescued.lineage}). Nothing was sent. Move it away once you have kept what you need from it.`);
    }
    let r;
    try {
      // No common base: every entry counts as added on its side, so nothing either holds is dropped.
      r = mergeLockfiles(undefined, folded, rescued);
    } catch (e) {
      throw new ClipformError("BAD_LOCKFILE", `${path} holds records of an earlier apply that cannot be folded in (${(e as Error).message}). Nothing was sent.`);
    }
    if (r.conflicts.length > 0) {
      throw new ClipformError(
        "BAD_LOCKFILE",
        `${path} holds records of an earlier apply that conflict with clipform.lock.json at ${r.conflicts.map((c) => c.address).join(", ")}. Nothing was sent. Merge it by hand with \`clipform lock merge /dev/null clipform.lock.json ${path}\`, then delete it.`,
      );
    }
    folded = { ...r.merged, serial: folded.serial };
  }
  return folded;
}

/** Removes rescue files once their records are durably in the lockfile. */
export function removeRescues(rescues: readonly string[]): void {
  for (const p of rescues) {
    try {
      unlinkSync(p);
    } catch {
      /* already gone */
    }
  }
}
