/**
 * The state lock: one apply at a time per project. A lock file created exclusively names its
 * holder (pid, host, command, start time); a second apply refuses and says who holds it. A lock
 * whose process is gone (same host, pid not alive) is stale and taken over. `clipform unlock`
 * removes a lock by hand.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ClipformError } from "../errors.js";

export const STATE_DIR = ".clipform";
export const LOCK_NAME = "apply.lock";

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export function lockPath(root: string): string {
  return join(root, STATE_DIR, LOCK_NAME);
}

function ensureStateDir(root: string): void {
  mkdirSync(join(root, STATE_DIR), { recursive: true });
  // Keep the state directory out of the user's git without touching their .gitignore.
  try {
    writeFileSync(join(root, STATE_DIR, ".gitignore"), "*\n", { flag: "wx" });
  } catch {
    /* already there */
  }
}

export function readHolder(root: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(lockPath(root), "utf8")) as LockHolder;
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

export function acquireStateLock(root: string, command: string, now: () => Date = () => new Date()): StateLock {
  ensureStateDir(root);
  const path = lockPath(root);
  const me: LockHolder = { pid: process.pid, host: hostname(), command, startedAt: now().toISOString() };
  let tookOver: LockHolder | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me, null, 2) + "\n", { flag: "wx" });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const h = readHolder(root);
          if (h && h.pid === me.pid && h.host === me.host) unlinkSync(path);
        },
        ...(tookOver ? { tookOver } : {}),
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = readHolder(root);
      if (holder && holder.host === me.host && !isAlive(holder.pid)) {
        tookOver = holder;
        try {
          unlinkSync(path);
        } catch {
          /* someone else removed it first */
        }
        continue;
      }
      throw new ClipformError(
        "LOCKED",
        holder
          ? `another apply holds the state lock (${describeHolder(holder)}). Nothing was sent. If that process is gone, run \`clipform unlock\`.`
          : `the state lock ${path} exists but cannot be read. Nothing was sent. Run \`clipform unlock\` if no apply is running.`,
      );
    }
  }
  throw new ClipformError("LOCKED", `could not take the state lock ${path}`);
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
