/**
 * Reading and writing the lockfile. Reads fail loudly on anything unexpected (a corrupt or
 * hand-mangled lockfile is never silently reset); writes are atomic (temp file, fsync,
 * rename, fsync of the directory), so a crash at any moment leaves either the old or the new
 * file, never half of one.
 */
import { randomUUID } from "node:crypto";
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ClipformError } from "../errors.js";
import { canonicalIndented, sortKeys } from "../util/canonical.js";
import { firstRepeatedKey } from "../util/json-keys.js";
import { READ_CAPS, readProjectText } from "../util/safe-fs.js";
import { loadValidator } from "../util/validators.js";
import { LOCKFILE_FORMAT, READABLE_FORMATS } from "./format.js";
import type { Lockfile } from "./schema.js";
import { takeDir } from "./takes.js";
import { redactSecrets } from "../util/secrets.js";
import { writingTo } from "../util/disk.js";

/** Validated with the published lockfile schema (generated from the zod definition in schema.ts). */
const validateLockfile = await loadValidator("lockfile");

export function emptyLockfile(lineage: string = randomUUID()): Lockfile {
  return { format_version: LOCKFILE_FORMAT, lineage, serial: 0, clips: {} };
}

/** Reads the lockfile; a missing file is an empty lockfile (serial 0, no lineage yet). */
export function readLockfile(path: string): { lock: Lockfile; exists: boolean } {
  // A link out of its folder, a FIFO or a device in its place is refused, as in every project file.
  const text = readProjectText(path, { within: dirname(path), maxBytes: READ_CAPS.lockfile, shown: basename(path) });
  if (text === undefined) return { lock: emptyLockfile(), exists: false };
  return { lock: parseLockfile(text, path), exists: true };
}

export function parseLockfile(text: string, path: string): Lockfile {
  const name = basename(path);
  if (/^(<{7}|={7}|>{7})/m.test(text)) {
    throw new ClipformError(
      "BAD_LOCKFILE",
      `${name} has unresolved git merge conflict markers; resolve them (or use \`clipform lock merge\` as the git merge driver) and try again. Nothing was changed.`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const where = m ? ` at ${lineCol(text, Number(m[1]))}` : "";
    throw new ClipformError("BAD_LOCKFILE", `${name}${where}: not valid JSON (${(e as Error).message}). The file was left as it is; restore it from git.`);
  }
  // JSON.parse keeps the last of two equal keys: a clip written twice would lose the first
  // entry's paid tasks at the next write. Refused, with both places; the file is left as it is.
  const repeated = firstRepeatedKey(text);
  if (repeated) {
    const where = repeated.path.length ? ` in ${repeated.path.join(".")}` : "";
    throw new ClipformError(
      "BAD_LOCKFILE",
      `${name}: the key ${JSON.stringify(repeated.key.slice(0, 200))} appears twice${where}, at ${lineCol(text, repeated.first)} and at ${lineCol(text, repeated.second)}: reading it would silently drop the first (and what it records was paid for). The file was left as it is; merge the two by hand or restore it from git.`,
    );
  }
  const version = (data as { format_version?: unknown } | null)?.format_version;
  if (version !== undefined && !READABLE_FORMATS.includes(version as number)) {
    throw new ClipformError(
      "BAD_LOCKFILE",
      `${name}: format_version ${JSON.stringify(version)} is not supported by this clipform (it reads ${READABLE_FORMATS.join(" and ")}): it was written by a newer clipform. Upgrade clipform; nothing was changed.`,
    );
  }
  if (!validateLockfile(data)) {
    const errors = validateLockfile.errors ?? [];
    const issues = errors.slice(0, 5).map((e) => `  at ${e.instancePath.slice(1).split("/").join(".") || "(top level)"}: ${e.message ?? "is invalid"}`);
    const more = errors.length > 5 ? `\n  … and ${errors.length - 5} more` : "";
    throw new ClipformError("BAD_LOCKFILE", `${name} does not look like a clipform lockfile:\n${issues.join("\n")}${more}\nThe file was left as it is; restore it from git.`);
  }
  const lock = data as Lockfile;
  // "__proto__" as a key is kept by JSON.parse but lost (or worse) by every later copy: no address or fingerprint is one.
  for (const [where, map] of [["clips", lock.clips], ["takes", lock.takes], ["pruned", lock.pruned]] as const) {
    if (map && Object.hasOwn(map, "__proto__")) throw new ClipformError("BAD_LOCKFILE", `${name}: "__proto__" in ${where} is not an address or fingerprint clipform writes. The file was left as it is; restore it from git.`);
  }
  // Fingerprints name take folders: one that is no name (x:../../) is refused here, before anything moves.
  try {
    for (const e of Object.values(lock.clips)) takeDir(e.fingerprint);
    for (const fp of Object.keys(lock.takes ?? {})) takeDir(fp);
  } catch (e) {
    throw e instanceof ClipformError ? new ClipformError("BAD_LOCKFILE", `${name}: ${e.message}`) : e;
  }
  // A format-1 lockfile is the same data without takes: upgraded here, written as format 2.
  return { ...lock, format_version: LOCKFILE_FORMAT };
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

/**
 * Each clip entry's text in a serialized lockfile, by address. serializeLockfile reuses it and
 * fills in what is missing; whoever changes an entry deletes its address (LockStore does, for
 * every change it records), so a big lockfile is rewritten in O(entries changed), not O(entries).
 */
export type EntryTexts = Map<string, string>;

/** Stands for the clips in the text before they are put in: no other string of a lockfile can come first. */
const CLIPS_SLOT = "\u0000clipform:clips\u0000";

/** Deterministic text: sorted keys everywhere, two-space indent, one clip entry per address. */
export function serializeLockfile(lock: Lockfile): string {
  return lockfileText(lock, sortKeys(lock.clips));
}

/**
 * The text of serializeLockfile(lock) in pieces, joined: the clip entries are the cached ones (see
 * EntryTexts), and never copied into one big string (a 10,000-clip lockfile is 15 MB: each copy
 * counts in the peak memory of an apply).
 */
export function lockfileChunks(lock: Lockfile, cache: EntryTexts): string[] {
  const text = lockfileText(lock, CLIPS_SLOT);
  const at = text.indexOf(JSON.stringify(CLIPS_SLOT));
  return [text.slice(0, at), ...clipsChunks(lock.clips, cache), text.slice(at + JSON.stringify(CLIPS_SLOT).length)];
}

function lockfileText(lock: Lockfile, clips: unknown): string {
  const { lineage, serial, simulated, takes, pruned } = lock;
  return (
    JSON.stringify(
      {
        format_version: LOCKFILE_FORMAT,
        lineage,
        serial,
        ...(simulated ? { simulated } : {}),
        clips,
        ...(takes && Object.keys(takes).length ? { takes: sortKeys(takes) } : {}),
        ...(pruned && Object.keys(pruned).length ? { pruned: sortKeys(pruned) } : {}),
      },
      null,
      2,
    ) + "\n"
  );
}

/** The clips object as JSON.stringify(sortKeys(clips), null, 2) writes it one level deep, in pieces, from cached entries. */
function clipsChunks(clips: Lockfile["clips"], cache: EntryTexts): string[] {
  // The order JSON.stringify gives a sorted object: integer-like keys come first, whatever the sort says.
  const sorted: Record<string, true> = {};
  for (const k of Object.keys(clips).sort()) if (clips[k] !== undefined) sorted[k] = true;
  const addresses = Object.keys(sorted);
  if (addresses.length === 0) return ["{}"];
  const out: string[] = ["{\n"];
  addresses.forEach((address, i) => {
    let entry = cache.get(address);
    if (entry === undefined) {
      entry = canonicalIndented(clips[address], 2);
      cache.set(address, entry);
    }
    out.push(`${i === 0 ? "" : ",\n"}    ${JSON.stringify(address)}: `, entry);
  });
  out.push("\n  }");
  return out;
}

/** Pieces of text are encoded into one buffer of this many bytes, and written a buffer at a time. */
const WRITE_CHUNK = 1 << 20;

/**
 * Writes `content` to `path` atomically and durably, without any secret this process holds. Given
 * pieces (see lockfileChunks), each is redacted on its own: a piece must not split a string.
 */
export function writeFileAtomic(path: string, content: string | readonly string[]): void {
  writingTo(path, () => writeAtomic(path, content));
}

function writeAtomic(path: string, content: string | readonly string[]): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
  const fd = openSync(tmp, "w", 0o644);
  try {
    writePieces(fd, typeof content === "string" ? [content] : content);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path), "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* directory fsync is not supported everywhere */
  }
}

/**
 * The pieces, encoded straight into one reused buffer: a 15 MB lockfile is written without a
 * joined copy of its text or a buffer of its size (both would count in an apply's peak memory).
 */
function writePieces(fd: number, pieces: readonly string[]): void {
  const buf = Buffer.allocUnsafe(WRITE_CHUNK);
  let used = 0;
  const flush = (b: Buffer, end: number) => {
    for (let off = 0; off < end; ) off += writeSync(fd, b, off, end - off);
  };
  for (const piece of pieces) {
    const text = redactSecrets(piece);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: the exact size is only counted when that may not fit.
    const room = WRITE_CHUNK - used;
    if (text.length * 3 > room && Buffer.byteLength(text) > room) {
      flush(buf, used);
      used = 0;
      if (Buffer.byteLength(text) > WRITE_CHUNK) {
        const big = Buffer.from(text);
        flush(big, big.length);
        continue;
      }
    }
    used += buf.write(text, used);
  }
  flush(buf, used);
}

const tempName = (path: string) => new RegExp(`^\\.${basename(path).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);

/**
 * Removes temp files that a writer killed mid-write left beside `path` (their pid is gone), so
 * they never end up committed. Only call it while holding the state lock.
 */
export function sweepTempFiles(path: string, alive: (pid: number) => boolean): string[] {
  const re = tempName(path);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = re.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    try {
      unlinkSync(join(dirname(path), name));
      removed.push(name);
    } catch {
      /* gone already */
    }
  }
  return removed;
}
