/**
 * The write-ahead journal: how an apply makes each record durable in O(record), not O(lockfile).
 * Every change the LockStore makes is appended to a file of this run's own under
 * `.clipform/journal/` (one JSON line per event; fsync'd before any request that spends money
 * leaves), and the lockfile is rewritten only now and then (see LockStore). A file is never
 * reused: each run (and each segment after a lockfile write) gets a new name, removed once the
 * lockfile holds what it recorded. The next plan or apply folds any journal left behind (a crash,
 * `kill -9`) into the lockfile before planning; a torn last line (killed mid-write) is ignored,
 * which is safe because nothing was sent after it: the request it recorded waited for the fsync.
 */
import { randomUUID } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { JOURNAL_DIR } from "../core/layout.js";
import { ClipformError } from "../errors.js";
import { pendingFiles } from "./pending.js";
import { READ_CAPS, readProjectText } from "../util/safe-fs.js";
import { redactSecrets } from "../util/secrets.js";
import { writingTo } from "../util/disk.js";
import { applyEvent, knownTasks, type JournalEvent, type JournalHeader } from "./journal-events.js";
import type { Lockfile } from "./schema.js";

export type { JournalEvent, JournalHeader } from "./journal-events.js";

const NAME = /^(\d{8}T\d{6}-\d{3}Z)-(\d+)-(\d{6})-[0-9a-f]{8}\.jsonl$/;
/** Orders this process's segments that start within one millisecond. */
let segments = 0;

/** Where the journals of the lockfile at `lockPath` live (the simulator's record has its own). */
export function journalDir(lockPath: string): string {
  return join(dirname(lockPath), JOURNAL_DIR);
}

/** Journal files waiting beside the lockfile, oldest first (names sort by creation time). */
export function pendingJournals(lockPath: string): string[] {
  return pendingFiles(journalDir(lockPath), NAME, "the journals of earlier applies");
}

/** The pid of the process that wrote (or writes) the journal at `path`. */
export const journalWriter = (path: string): number => Number(NAME.exec(basename(path))?.[2]);

/** Journals this process is still writing: never removed from under it. */
const open = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether no live writer still appends to this journal (its process is gone, or it closed it). */
export function abandoned(path: string): boolean {
  const pid = Number(NAME.exec(basename(path))?.[2]);
  if (pid === process.pid) return !open.has(path);
  return !pidAlive(pid);
}

/** The header and events of a journal file. A torn last line is ignored; a bad line before it is not. */
export function readJournal(path: string): { header: JournalHeader | undefined; events: JournalEvent[] } {
  const text = readProjectText(path, { within: dirname(path), maxBytes: READ_CAPS.journal, shown: basename(path) });
  if (text === undefined) return { header: undefined, events: [] };
  const lines = text.split("\n");
  // The last piece is whatever follows the last newline: empty, or a line cut short by a kill.
  lines.pop();
  const parsed: unknown[] = [];
  for (let i = 0; i < lines.length; i++) {
    try {
      parsed.push(JSON.parse(lines[i]!));
    } catch {
      throw new ClipformError(
        "BAD_LOCKFILE",
        `${path}:${i + 1}: this journal of an earlier apply is damaged (not a torn last line). Nothing was sent. Keep a copy, fold what you can by hand into clipform.lock.json, then delete it.`,
      );
    }
  }
  const [first, ...events] = parsed;
  const header = first as JournalHeader | undefined;
  // Read from disk: the version is whatever the file says, not what the type promises.
  if (header !== undefined && (header.journal as unknown) !== 1) {
    throw new ClipformError("BAD_LOCKFILE", `${path}: not a journal this clipform can read (written by a newer clipform?). Nothing was sent.`);
  }
  return { header, events: events as JournalEvent[] };
}

/**
 * The lockfile with every journal folded in (in memory): each event applied in order, those it
 * already holds skipped. `exists`: whether the lockfile was on disk (when it was not, a journal
 * of the run that was creating it gives it its lineage).
 */
export function foldJournals(lock: Lockfile, journals: readonly string[], exists = true): Lockfile {
  let out = lock;
  let known: Set<string> | undefined;
  for (const path of journals) {
    const { header, events } = readJournal(path);
    if (!header) continue;
    if (header.lineage !== out.lineage) {
      if (exists || Object.keys(out.clips).length > 0 || out.takes) {
        throw new ClipformError("BAD_LOCKFILE", `${path} holds records of an apply on another lockfile (lineage ${header.lineage}). Nothing was sent. Move it away once you have kept what you need from it.`);
      }
      out = { ...out, lineage: header.lineage };
    }
    if (out === lock) out = structuredClone(lock);
    if (header.simulated) out.simulated = true;
    known ??= knownTasks(out);
    for (const ev of events) applyEvent(out, ev, known);
  }
  return out;
}

/** Removes journals once the lockfile holds what they recorded, unless a live writer still appends to one. */
export function removeJournals(paths: readonly string[]): void {
  for (const p of paths) {
    if (!abandoned(p)) continue;
    try {
      unlinkSync(p);
    } catch {
      /* already gone */
    }
  }
}

/**
 * One run's journal: appended line by line; `sync()` makes everything appended durable. Lines are
 * kept in memory until then and written in one go: an event is no more durable written than
 * buffered until its fsync, and a thousand results of one poll cost one write, not a thousand.
 */
export class Journal {
  #fd: number | undefined;
  #path: string | undefined;
  #unsynced = false;
  /** Lines appended since the last write, in order. */
  #buffered: string[] = [];
  /** Events appended to the current file. */
  events = 0;
  bytes = 0;

  constructor(
    private readonly dir: string,
    private readonly header: () => JournalHeader,
  ) {}

  get path(): string | undefined {
    return this.#path;
  }

  append(ev: JournalEvent): void {
    if (this.#fd === undefined) this.#open();
    const line = `${redactSecrets(JSON.stringify(ev))}\n`;
    this.#buffered.push(line);
    this.bytes += Buffer.byteLength(line);
    this.events++;
  }

  /** fsync: after it, every event appended so far survives a crash. */
  sync(): void {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#writeBuffered(fd);
    if (!this.#unsynced) return;
    writingTo(this.#path ?? this.dir, () => fsyncSync(fd));
    this.#unsynced = false;
  }

  /** The lockfile now holds everything appended: this file goes, the next event starts a new one. */
  rotate(): void {
    const path = this.#path;
    this.#buffered = [];
    this.close();
    if (path) {
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    }
  }

  /** Stops writing (the file stays for the next start to fold in, unless rotate() removed it). */
  close(): void {
    if (this.#fd !== undefined) {
      this.#writeBuffered(this.#fd);
      closeSync(this.#fd);
    }
    if (this.#path) open.delete(this.#path);
    this.#fd = undefined;
    this.#path = undefined;
    this.#unsynced = false;
    this.events = 0;
  }

  #open(): number {
    writingTo(this.dir, () => mkdirSync(this.dir, { recursive: true }));
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(".", "-");
    const path = join(this.dir, `${stamp}-${process.pid}-${String(++segments % 1e6).padStart(6, "0")}-${randomUUID().slice(0, 8)}.jsonl`);
    // "wx": a journal is never overwritten, even by a name that happened to repeat.
    const fd = writingTo(path, () => openSync(path, "wx", 0o644));
    this.#fd = fd;
    this.#path = path;
    open.add(path);
    const header = `${redactSecrets(JSON.stringify(this.header()))}\n`;
    this.#buffered.push(header);
    this.bytes += Buffer.byteLength(header);
    this.#writeBuffered(fd);
    syncDir(this.dir);
    return fd;
  }

  /** Writes the buffered lines, in order, in one go: a kill can cut only the last line short. */
  #writeBuffered(fd: number): void {
    if (this.#buffered.length === 0) return;
    const buf = Buffer.from(this.#buffered.join(""));
    this.#buffered = [];
    writingTo(this.#path ?? this.dir, () => {
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
    });
    this.#unsynced = true;
  }
}

/** Makes a new file's name durable (not supported everywhere: then the file's own fsync has to do). */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported here */
  }
}
