/**
 * Paths that come from the lockfile or the API are data, not orders: a pull request can write
 * `file: "../../etc/passwd"`, and anyone with write access to the checkout can plant a symbolic
 * link or a FIFO where clipform will write or read. These helpers keep every such path inside
 * the folder it belongs to, never follow a link there, and never open anything but a regular file.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, unlinkSync, type Stats } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { ClipformError } from "../errors.js";

/** What is at a path, without following a link: "absent", "file", "dir", "link" or "special" (FIFO, socket, device). */
export type EntryKind = "absent" | "file" | "dir" | "link" | "special";

export function entryKind(abs: string): EntryKind {
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return "absent";
    throw e;
  }
  if (st.isSymbolicLink()) return "link";
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "dir";
  return "special";
}

/** `rel` resolved against `base`, or undefined when it leaves `base` (or is absolute, or holds a NUL). */
export function containedPath(base: string, rel: string): string | undefined {
  if (rel === "" || rel.includes("\0") || isAbsolute(rel) || /^[a-zA-Z]:|^[\\/]/.test(rel)) return undefined;
  const abs = resolve(base, rel);
  const back = relative(resolve(base), abs);
  if (back === "" || back === ".." || back.startsWith(`..${sep}`) || isAbsolute(back)) return undefined;
  return abs;
}

/** The first link or non-directory between `base` (excluded) and `abs`'s parent, if any. */
export function linkOnTheWay(base: string, abs: string): string | undefined {
  const parts = relative(resolve(base), abs).split(sep).slice(0, -1);
  let at = resolve(base);
  for (const part of parts) {
    at = join(at, part);
    const kind = entryKind(at);
    if (kind === "absent") return undefined;
    if (kind !== "dir") return at;
  }
  return undefined;
}

/**
 * A folder clipform writes into (the output folder, `.clipform`), checked from the project root
 * down: none of it may be a symbolic link, or everything written there would land where it points.
 */
export function assertRealFolder(root: string, dir: string, label: string): void {
  const abs = resolve(root, dir);
  const rel = relative(resolve(root), abs);
  const inside = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  const steps = inside ? rel.split(sep) : [];
  let at = resolve(root);
  for (const step of steps) {
    at = join(at, step);
    const kind = entryKind(at);
    if (kind === "absent") return;
    if (kind === "link") throw new ClipformError("UNSAFE_PATH", `${label} (${relative(root, at) || at}) is a symbolic link: clipform never writes through links. Replace it with a real folder. Nothing was sent.`);
    if (kind !== "dir") throw new ClipformError("UNSAFE_PATH", `${label} (${relative(root, at) || at}) is not a folder. Nothing was sent.`);
  }
  if (!inside && entryKind(abs) === "link") {
    throw new ClipformError("UNSAFE_PATH", `${label} (${abs}) is a symbolic link: clipform never writes through links. Replace it with a real folder. Nothing was sent.`);
  }
}

/**
 * Removes every symbolic link and special file under `dir` (links are removed, never followed):
 * what clipform writes there is then always a new regular file. Returns the removed paths.
 */
export function removeLinksAndSpecials(dir: string): string[] {
  const removed: string[] = [];
  const walk = (at: string): void => {
    let names: string[];
    try {
      names = readdirSync(at);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(at, name);
      const kind = entryKind(p);
      if (kind === "dir") walk(p);
      else if (kind === "link" || kind === "special") {
        unlinkSync(p);
        removed.push(p);
      }
    }
  };
  if (entryKind(dir) === "dir") walk(dir);
  return removed;
}

/** Flags for writing a partial download: never through a link, never blocking on a FIFO. */
export function partFileFlags(append: boolean): number {
  const { O_WRONLY, O_CREAT, O_APPEND, O_TRUNC, O_NOFOLLOW, O_NONBLOCK } = constants;
  return O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | (append ? O_APPEND : O_TRUNC);
}

/**
 * Opens a regular file for reading, or throws: a link is not followed, and a FIFO or a device
 * is never waited on (O_NONBLOCK, then refused once seen for what it is).
 */
export function openRegularFile(abs: string): number {
  const fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new ClipformError("UNSAFE_PATH", `${abs} is not a regular file`);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}
