/**
 * Paths that come from the lockfile or the API are data, not orders: a pull request can write
 * `file: "../../etc/passwd"`, and anyone with write access to the checkout can plant a symbolic
 * link or a FIFO where clipform will write or read. These helpers keep every such path inside
 * the folder it belongs to, never follow a link there, and never open anything but a regular file.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, unlinkSync, type Stats } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { isInside } from "../core/paths.js";
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
  const inside = isInside(root, abs);
  const steps = inside ? relative(resolve(root), abs).split(sep) : [];
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

/** Caps on what clipform reads from the project, by kind: far above any real file, far below what would hurt. */
export const READ_CAPS = {
  config: 1024 * 1024,
  manifest: 64 * 1024 * 1024,
  model: 8 * 1024 * 1024,
  lockfile: 512 * 1024 * 1024,
  journal: 512 * 1024 * 1024,
  state: 64 * 1024 * 1024,
  image: 64 * 1024 * 1024,
} as const;

export interface ReadOptions {
  /** The most bytes read (READ_CAPS). */
  maxBytes: number;
  /** How the file is named in errors (relative to the project root, as the user sees it). */
  shown: string;
  /** The folder no link may lead out of; absent for a file the user named on the command line. */
  within?: string;
}

const MB = (n: number) => `${Math.round((n / 1048576) * 10) / 10} MB`;

function kindOf(st: Stats): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSocket()) return "a socket";
  if (st.isDirectory()) return "a folder";
  return "not a regular file";
}

/**
 * The one reader of files from the project (manifests, the config, model files, the lockfile,
 * journals, quotes, frame images): every one of them may come from a pull request. Only a regular
 * file is read (a FIFO is opened without blocking and refused, as are devices and sockets), a link
 * may not lead out of `within` (the project root, or the folder the file belongs to) when `abs`
 * lies inside it, and the size is checked before reading. `shown` names the file in errors.
 * Undefined when nothing is there.
 */
export function readProjectFile(abs: string, opts: ReadOptions): Buffer | undefined {
  const { maxBytes, shown, within } = opts;
  const refuse = (why: string) => new ClipformError("UNSAFE_PATH", `${shown}: ${why}; clipform reads only regular files inside the project. Nothing was read from it.`);
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && entryKind(abs) === "link") throw refuse("is a symbolic link to nothing");
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    if (code === "ELOOP") throw refuse("is a loop of symbolic links");
    throw refuse(`cannot be read (${code ?? (e as Error).message})`);
  }
  if (within !== undefined && isInside(within, abs) && !isInside(realpathSync(within), real)) throw refuse(`is a symbolic link out of the project (to ${real})`);
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    throw refuse(`cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw refuse(`is ${kindOf(st)}`);
    if (st.size > maxBytes) throw refuse(`is ${MB(st.size)}, over the ${MB(maxBytes)} clipform reads from such a file`);
    // Read at most one byte past the cap: a file that grows while read is refused, never followed.
    const buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, st.size + 1));
    let got = 0;
    for (let n = 1; n > 0 && got < buf.length; got += n) n = readSync(fd, buf, got, buf.length - got, got);
    if (got > maxBytes) throw refuse(`grew past the ${MB(maxBytes)} clipform reads from such a file while it was read`);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** readProjectFile as UTF-8 text. */
export function readProjectText(abs: string, opts: ReadOptions): string | undefined {
  return readProjectFile(abs, opts)?.toString("utf8");
}
