/**
 * The lockfile during an apply: kept in memory, made durable by `flush()` before any request
 * that spends money leaves (write-ahead) and after results arrive. With a journal (what apply
 * uses), a flush fsyncs the events appended since the last one, O(record); the lockfile itself
 * is rewritten ("folded") only now and then: after a number of events that grows with the
 * lockfile (so rewriting it stays O(1) per event over a run), after some seconds, when a foreign
 * write must be merged, and at the end (`close()`). Without one, every flush rewrites it.
 *
 * Something else may write the lockfile while an apply runs (a `git pull` that merges it, an
 * editor). A flush notices (size and mtime differ from its own last write) and merges that
 * version in clip by clip, as `clipform lock merge` would, so neither side's paid records are lost.
 */
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileStamp } from "../util/stamp.js";
import { diskProblem } from "../util/disk.js";
import { ClipformError } from "../errors.js";
import { mergeLockfiles } from "./merge.js";
import { lockfileChunks, parseLockfile, readLockfile, writeFileAtomic, type EntryTexts } from "./io.js";
import { Journal, removeJournals, type JournalEvent } from "./journal.js";
import { newRescuePath, removeRescues } from "./rescue.js";
import type { LockEntry, Lockfile, LockResult, LockTask } from "./schema.js";
import { covers } from "./journal-events.js";
import { archiveEntry, holdsRecords, replaceVariantIn, takeFilePath } from "./takes.js";
import { hasOwn, own } from "../util/own.js";

/** When the lockfile is folded at the latest: after this many events (or twice as many as it has entries)… */
export const FOLD_EVENTS = 2000;
/** …or this long after the last fold. */
export const FOLD_MS = 30_000;

export interface StoreOptions {
  /**
   * The project root, which recorded file paths are relative to. The default, the lockfile's
   * folder, is wrong for a record kept elsewhere (the simulator's, under .clipform/sim/).
   */
  root?: string;
  /** Where this run's journal goes (journalDir()); without it, every flush rewrites the lockfile. */
  journalDir?: string;
  /** Journals of earlier runs already folded into `lock`: removed once the lockfile holds them durably. */
  journals?: readonly string[];
  foldEvents?: number;
  foldMs?: number;
  now?: () => number;
}

export class LockStore {
  #lock: Lockfile;
  #dirty = false;
  /**
   * The text last written (or read at the start), in pieces (see lockfileChunks): the base of a
   * merge with a foreign write. The pieces are the cached entry texts: keeping it costs no copy.
   */
  #base: readonly string[];
  #stamp: string;
  /** Set when the lockfile cannot be written without losing someone's records: see #rescue. */
  #rescued: string | undefined;
  /** The project root: recorded file paths are relative to it. */
  readonly #root: string;
  readonly #journal: Journal | undefined;
  #journals: readonly string[];
  #lastFold: number;
  /** Events after which the journal is folded: set at each fold from the lockfile's size then (counting its entries on every flush would be O(lockfile)). */
  #foldAt: number;
  readonly #now: () => number;
  /** Records since the last write. */
  #changes = 0;
  /** Each entry's text in the lockfile as last written; an address is dropped whenever its entry changes. */
  readonly #texts: EntryTexts = new Map();
  /** Lockfile (or rescue file) writes. */
  writes = 0;

  /**
   * `stamp` is the lockfile's fileStamp() from when `lock` was read: a change since then (even
   * before this store existed) is merged in, never overwritten.
   */
  constructor(
    readonly path: string,
    lock: Lockfile,
    stamp: string,
    private readonly onForeignWrite: (message: string) => void = () => {},
    /** Rescue files already folded into `lock`: removed once the lockfile holds them durably. */
    private folded: readonly string[] = [],
    private readonly opts: StoreOptions = {},
  ) {
    this.#root = opts.root ?? dirname(path);
    this.#lock = lock;
    this.#base = lockfileChunks(lock, this.#texts);
    this.#stamp = stamp;
    this.#journals = opts.journals ?? [];
    this.#now = opts.now ?? Date.now;
    this.#lastFold = this.#now();
    this.#foldAt = this.#foldThreshold();
    this.#journal = opts.journalDir
      ? new Journal(opts.journalDir, () => ({ journal: 1, lineage: this.#lock.lineage, ...(this.#lock.simulated ? { simulated: true as const } : {}) }))
      : undefined;
    if (folded.length > 0 || this.#journals.length > 0) this.#dirty = true;
  }

  /** This run's journal file now, if it has one. */
  get journalPath(): string | undefined {
    return this.#journal?.path;
  }
  /** Bytes appended to journals by this store. */
  get journalBytes(): number {
    return this.#journal?.bytes ?? 0;
  }

  #log(ev: JournalEvent): void {
    this.#dirty = true;
    this.#changes++;
    this.#texts.delete(ev.address);
    this.#journal?.append(ev);
  }

  /** Where this run's records are being kept instead of the lockfile, if it came to that. */
  get rescued(): string | undefined {
    return this.#rescued;
  }
  get lock(): Lockfile {
    return this.#lock;
  }

  /** An entry as recorded. Change it only through the methods below, which mark the store dirty. */
  entry(address: string): Readonly<LockEntry> | undefined {
    return own(this.#lock.clips, address);
  }

  /** A recorded task, looked up by its UUID. */
  task(address: string, taskUUID: string): Readonly<LockTask> | undefined {
    return own(this.#lock.clips, address)?.tasks.find((t) => t.taskUUID === taskUUID);
  }

  set(address: string, entry: LockEntry): void {
    this.#lock.clips[address] = entry;
    this.#log({ e: "set", address, entry });
  }

  /**
   * Drops the entry at `address`; what it held is kept among the takes (see retire), its files
   * left where they are (local files are removed or moved only when asked).
   */
  delete(address: string): void {
    this.retire(address, { moveFiles: false });
    if (hasOwn(this.#lock.clips, address)) {
      delete this.#lock.clips[address];
      this.#log({ e: "delete", address });
    }
  }

  /**
   * The clip stops using what its entry holds (a replace, a revert, a delete): its tasks and
   * results join the takes of their request, and its files move to their per-take path, so the
   * clip's own file names are free for what it uses next. The entry is then removed.
   */
  retire(address: string, opts: { moveFiles?: boolean } = {}): void {
    const entry = own(this.#lock.clips, address);
    if (!holdsRecords(entry)) return;
    const files: Record<string, string | null> = {};
    archiveEntry(this.#lock, address, entry, (r) => {
      const file = opts.moveFiles === false ? r.file : this.#keepFile(r, entry.fingerprint);
      files[r.videoUUID] = file ?? null;
      return file;
    });
    delete this.#lock.clips[address];
    this.#log({ e: "retire", address, tasks: entry.tasks.map((t) => t.taskUUID), videos: entry.results.map((r) => r.videoUUID), files });
  }

  /** Moves a result's file to its per-take path; the recorded path, or undefined when there is no file. */
  #keepFile(r: LockResult, fingerprint: string): string | undefined {
    if (!r.file) return undefined;
    const to = takeFilePath(r.file, fingerprint, r.taskUUID);
    try {
      mkdirSync(dirname(join(this.#root, to)), { recursive: true });
      renameSync(join(this.#root, r.file), join(this.#root, to));
      return to;
    } catch {
      return existsSync(join(this.#root, to)) ? to : undefined; // gone already: the record stays, without a file
    }
  }

  /**
   * Records a task for `address`: on a fresh entry from `start()` when there is none (or `fresh`),
   * else appended to the entry there (with `patch` applied to it).
   */
  addTask(address: string, task: LockTask, start: () => LockEntry, opts: { fresh?: boolean; patch?: Partial<LockEntry> } = {}): void {
    if (opts.fresh) this.retire(address);
    const existing = own(this.#lock.clips, address);
    const base: LockEntry = opts.fresh || !existing ? start() : { ...existing, ...opts.patch };
    this.#lock.clips[address] = { ...base, tasks: [...base.tasks, task] };
    this.#log({ e: "task", address, task, entry: base, ...(opts.fresh ? { fresh: true as const } : {}), ...(opts.patch ? { patch: opts.patch } : {}) });
  }

  /** Updates a recorded task; false when the entry or the task is not there. */
  updateTask(address: string, taskUUID: string, patch: Partial<LockTask>): boolean {
    const task = own(this.#lock.clips, address)?.tasks.find((t) => t.taskUUID === taskUUID);
    if (!task) return false;
    Object.assign(task, patch);
    this.#log({ e: "task-update", address, taskUUID, patch });
    return true;
  }

  /** Appends results to an entry; returns the index of the first one (-1 when there is no entry). */
  addResults(address: string, results: LockResult[]): number {
    const entry = own(this.#lock.clips, address);
    if (!entry) return -1;
    const first = entry.results.length;
    entry.results.push(...results);
    this.#log({ e: "results", address, results });
    return first;
  }

  /**
   * The result at `from` takes the place of variant `index` (a reroll of that variant alone): the
   * old one joins the takes of the request, its file moved to its per-take path, and the clip uses
   * the variants it holds now (a pick is dropped: the picked take is kept among the takes).
   */
  replaceVariant(address: string, index: number, from: number): void {
    const e = own(this.#lock.clips, address);
    const old = e?.results[index];
    const fresh = e?.results[from];
    if (!e || !old || !fresh) return;
    let file: string | undefined;
    replaceVariantIn(this.#lock, address, e, index, from, (r) => (file = this.#keepFile(r, e.fingerprint)));
    this.#log({ e: "variant", address, index, videoUUID: fresh.videoUUID, ...(file ? { file } : {}) });
  }

  /** Updates the result with this video UUID; false when it is not there. */
  updateResult(address: string, videoUUID: string, patch: Partial<LockResult>): boolean {
    const r = own(this.#lock.clips, address)?.results.find((x) => x.videoUUID === videoUUID);
    if (!r) return false;
    Object.assign(r, patch);
    this.#log({ e: "result-update", address, videoUUID, patch });
    return true;
  }

  /** Updates a result kept among the takes of request `fingerprint` (a picked take's file fetched again); false when it is not there. */
  updateKeptResult(address: string, fingerprint: string, videoUUID: string, patch: Partial<LockResult>): boolean {
    const r = this.#lock.takes?.[fingerprint]?.results.find((x) => x.videoUUID === videoUUID);
    if (!r) return false;
    Object.assign(r, patch);
    this.#log({ e: "take-result-update", address, fingerprint, videoUUID, patch });
    return true;
  }

  /** Brings in a foreign write now (a cheap stat when there is none), so queued work can see it. */
  sync(): void {
    if (this.#rescued || fileStamp(this.path) === this.#stamp) return;
    this.#dirty = true;
    this.fold();
  }

  /**
   * Makes every change so far durable, O(records since the last call): the journal fsync'd, or
   * (without one) the lockfile written. What the write-ahead needs before money is spent; it never
   * folds, so a send is never held up by a rewrite of a big lockfile.
   */
  durable(): void {
    const j = this.#journal;
    if (!j) return this.fold();
    j.sync();
  }

  /** durable(), then the journal folded into the lockfile when due (call it when nothing waits on it). */
  flush(): void {
    const j = this.#journal;
    if (!j) return this.fold();
    j.sync();
    if (!this.#dirty) return;
    if (j.events >= this.#foldAt || this.#now() - this.#lastFold >= (this.opts.foldMs ?? FOLD_MS)) this.fold();
  }

  #foldThreshold(): number {
    return Math.max(this.opts.foldEvents ?? FOLD_EVENTS, 2 * Object.keys(this.#lock.clips).length);
  }

  /** The run is over: everything goes into the lockfile, and this run's journal is removed. */
  close(): void {
    this.#dirty ||= (this.#journal?.events ?? 0) > 0;
    try {
      this.fold();
    } finally {
      // A fold the disk refused leaves the journal whole on disk, for the next run to fold in.
      this.#journal?.close();
    }
  }

  /** Writes the lockfile (or the rescue file) with everything recorded; the journal so far is no longer needed. */
  fold(): void {
    if (!this.#dirty) return;
    if (!this.#rescued && fileStamp(this.path) !== this.#stamp) this.#mergeForeignWrite();
    // The serial counts records, not writes: two branches that recorded different work (each
    // folded once, at its end) still differ on it, so a saved plan sees the change and a plain
    // text merge of the two does not pass for clean.
    const next: Lockfile = { ...this.#lock, serial: this.#lock.serial + Math.max(1, this.#changes) };
    const text = lockfileChunks(next, this.#texts);
    if (this.#rescued) {
      this.#write(this.#rescued, text);
    } else {
      this.#write(this.path, text);
      this.#base = text;
      this.#stamp = fileStamp(this.path);
      if (this.folded.length > 0) {
        removeRescues(this.folded);
        this.folded = [];
      }
      if (this.#journals.length > 0) {
        removeJournals(this.#journals);
        this.#journals = [];
      }
    }
    this.#lock = next;
    this.#dirty = false;
    this.#changes = 0;
    this.writes++;
    this.#lastFold = this.#now();
    this.#foldAt = this.#foldThreshold();
    this.#journal?.rotate();
  }

  /** An atomic write; one the disk refused says where this run's records are kept meanwhile. */
  #write(path: string, text: readonly string[]): void {
    try {
      writeFileAtomic(path, text);
    } catch (e) {
      const disk = diskProblem(e, path);
      if (!disk) throw e;
      const kept = this.#journal?.path ?? this.#journals[0];
      const where = kept ? `every record of this run is kept in ${kept}, which the next plan or apply folds in` : "the file is left as it was";
      throw new ClipformError("DISK", `${disk.message}. Nothing was lost: ${path} is untouched and ${where}. Free some space, then run \`clipform plan\`.`);
    }
  }

  /**
   * From now on this run's records go to a file of their own, and the lockfile is left as
   * someone else wrote it: neither side's paid records are lost.
   */
  #rescue(why: string): void {
    this.#rescued = newRescuePath(this.path);
    mkdirSync(dirname(this.#rescued), { recursive: true });
    this.onForeignWrite(
      `${why}. It is left as it is; this apply's records now go to ${this.#rescued}, and nothing more is submitted. Once the lockfile is sound again, the next plan or apply folds them in (or refuses until they can be).`,
    );
  }

  #mergeForeignWrite(): void {
    let theirs: Lockfile;
    try {
      const read = readLockfile(this.path);
      if (!read.exists) {
        this.onForeignWrite("the lockfile was deleted while this apply ran: writing it again with everything recorded so far");
        return;
      }
      theirs = read.lock;
    } catch (e) {
      this.#rescue(`the lockfile was changed while this apply ran and cannot be read (${(e as Error).message.split("\n")[0]})`);
      return;
    }
    const base = parseLockfile(this.#base.join(""), this.path);
    let result;
    try {
      result = mergeLockfiles(base, this.#lock, theirs);
    } catch (e) {
      this.#rescue(`the lockfile was replaced while this apply ran (${(e as Error).message.split(". ")[0]})`);
      return;
    }
    if (result.conflicts.length > 0) {
      this.#rescue(`the lockfile was changed while this apply ran, and ${result.conflicts.map((c) => c.address).join(", ")} cannot be combined with this apply's records`);
      return;
    }
    // Whatever the merge decided, nothing this run recorded (tasks, results) may disappear: an
    // older copy of an entry written back (git stash, an editor) must not drop a task in flight.
    for (const [address, mine] of Object.entries(this.#lock.clips)) {
      if (!covers(own(result.merged.clips, address), mine)) result.merged.clips[address] = mine;
    }
    this.#lock = result.merged;
    this.#texts.clear();
    this.onForeignWrite("the lockfile was changed while this apply ran: merged it clip by clip");
  }
}
