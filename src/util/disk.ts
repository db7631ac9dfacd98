/**
 * A write the disk refused (full, over quota, failing, read-only) is the machine's problem, not a
 * bug in clipform: it is said as such, naming the file, and every writer of state keeps what it
 * had (an atomic write leaves the old file; a failed lockfile write keeps the journal).
 */
import { ClipformError } from "../errors.js";

const DISK_PROBLEMS: Record<string, string> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exceeded",
  EIO: "the disk reported an input/output error",
  EROFS: "the file system is read-only",
  EFBIG: "the file is larger than the file system allows",
};

/** The disk problem `e` is, as an error naming `path`; undefined for anything else (a bug stays a bug). */
export function diskProblem(e: unknown, path: string): ClipformError | undefined {
  if (e instanceof ClipformError && e.code === "DISK") return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const what = code ? DISK_PROBLEMS[code] : undefined;
  return what ? new ClipformError("DISK", `could not write ${path}: ${what} (${code})`) : undefined;
}

/** Runs `write`; a disk problem comes out as a ClipformError("DISK") naming `path`. */
export function writingTo<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    throw diskProblem(e, path) ?? e;
  }
}
