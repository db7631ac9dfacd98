/**
 * The state lock: one apply at a time per project. A lock file created exclusively names its
 * holder (pid, host, command, start time); a second apply refuses and says who holds it. A lock
 * whose process is gone (same host, pid not alive) is stale and taken over. `clipform unlock`
 * removes a lock by hand.
 */
import { mkdirSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { APPLY_LOCK_FILE, LOCKFILE_NAME, STATE_DIR } from "../core/layout.js";
import { ClipformError } from "../errors.js";
import { sweepTempFiles } from "./io.js";
import { assertRealFolder, READ_CAPS, readProjectText, removeLinksAndSpecials } from "../util/safe-fs.js";

/** A lock holder is a few lines of JSON; a larger one (padded, hand-edited) is still read, up to the state files' cap. */
const HOLDER_MAX_BYTES = READ_CAPS.state;

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export function lockPath(root: string): string {
  return join(root, APPLY_LOCK_FILE);
}

function ensureStateDir(root: string): void {
  assertRealFolder(root, STATE_DIR, "the state folder");
  mkdirSync(join(root, STATE_DIR), { recursive: true });
  // clipform never makes links here: one planted inside (tmp/ → elsewhere) is removed, not followed.
  removeLinksAndSpecials(join(root, STATE_DIR));
  // Keep the state directory out of the user's git without touching their .gitignore.
  try {
    writeFileSync(join(root, STATE_DIR, ".gitignore"), "*\n", { flag: "wx" });
  } catch {
    /* already there */
  }
}

export function readHolder(root: string): LockHolder | undefined {
  try {
    const text = readProjectText(lockPath(root), { within: root, maxBytes: HOLDER_MAX_BYTES, shown: APPLY_LOCK_FILE });
    return text === undefined ? undefined : (JSON.parse(text) as LockHolder);
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, \`${h.command}\`, since ${h.startedAt}`;
}

export interface StateLock {
  release(): void;
  /** Set when a stale lock was taken over. */
  tookOver?: LockHolder;
}

/**
 * Takes the state lock. Creating the lock file is atomic (O_EXCL). Breaking a stale lock is not,
 * by nature (read, check, remove), so it happens only under a second exclusive "breaker" file:
 * whoever holds the breaker re-reads the holder, and removes the lock only if it is still the
 * same dead process. Two applies that both find a stale lock therefore cannot both take over.
 */
export function acquireStateLock(root: string, command: string, now: () => Date = () => new Date()): StateLock {
  ensureStateDir(root);
  const path = lockPath(root);
  const me: LockHolder = { pid: process.pid, host: hostname(), command, startedAt: now().toISOString() };
  const take = (): StateLock | undefined => {
    try {
      writeFileSync(path, JSON.stringify(me, null, 2) + "\n", { flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return undefined;
      throw e;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off("exit", release);
      const h = readHolder(root);
      if (h && h.pid === me.pid && h.host === me.host && h.startedAt === me.startedAt) unlinkSync(path);
    };
    // Whatever ends the process (an exit call, a promise that never settles, an uncaught error),
    // the lock goes with it: only a killed process leaves one, and that one is seen as stale.
    process.on("exit", release);
    return { release };
  };

  const mine = take();
  if (mine) return swept(root, mine);
  const holder = readHolder(root);
  if (holder && holder.host === me.host && !isAlive(holder.pid)) {
    const broken = breakStaleLock(root, holder, take);
    if (broken) return swept(root, { ...broken, tookOver: holder });
  }
  const current = readHolder(root) ?? holder;
  throw new ClipformError(
    "LOCKED",
    current
      ? `another apply holds the state lock (${describeHolder(current)}). Nothing was sent. If that process is gone, run \`clipform unlock\`.`
      : `the state lock ${path} exists but cannot be read. Nothing was sent. Run \`clipform unlock\` if no apply is running.`,
  );
}

/** Whoever holds the lock clears what killed writers left behind (their lockfile temp files). */
function swept(root: string, lock: StateLock): StateLock {
  sweepTempFiles(join(root, LOCKFILE_NAME), isAlive);
  return lock;
}

const sameHolder = (a: LockHolder | undefined, b: LockHolder) => a !== undefined && a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;

function breakStaleLock(root: string, stale: LockHolder, take: () => StateLock | undefined): StateLock | undefined {
  const breaker = `${lockPath(root)}.break`;
  try {
    writeFileSync(breaker, String(process.pid), { flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    // Someone else is breaking it; a breaker left by a dead process is cleared for next time.
    const pid = Number(readFileSafe(root, breaker));
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) removeIfExists(breaker);
    return undefined;
  }
  try {
    if (!sameHolder(readHolder(root), stale)) return undefined; // it changed hands meanwhile
    removeIfExists(lockPath(root));
    return take();
  } finally {
    removeIfExists(breaker);
  }
}

function readFileSafe(root: string, path: string): string {
  try {
    return readProjectText(path, { within: root, maxBytes: HOLDER_MAX_BYTES, shown: path }) ?? "";
  } catch {
    return "";
  }
}

function removeIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

export function forceUnlock(root: string): LockHolder | undefined {
  const holder = readHolder(root);
  try {
    unlinkSync(lockPath(root));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  return holder;
}
