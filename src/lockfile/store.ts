/**
 * The lockfile during an apply: kept in memory, written atomically whenever it must be durable.
 * `flush()` is called before any request that spends money leaves (write-ahead), and after
 * results arrive; in between, changes are coalesced so a 10,000-clip lockfile is not rewritten
 * for every event.
 *
 * Something else may write the lockfile while an apply runs (a `git pull` that merges it, an
 * editor). A flush notices (size and mtime differ from its own last write) and merges that
 * version in clip by clip, as `clipform lock merge` would, so neither side's paid records are lost.
 */
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileStamp } from "../util/stamp.js";
import { mergeLockfiles } from "./merge.js";
import { parseLockfile, readLockfile, serializeLockfile, writeFileAtomic } from "./io.js";
import { newRescuePath, removeRescues } from "./rescue.js";
import type { LockEntry, Lockfile, LockResult, LockTask } from "./schema.js";
import { archiveEntry, holdsRecords, takeFilePath } from "./takes.js";


export class LockStore {
  #lock: Lockfile;
  #dirty = false;
  /** The text last written (or read at the start): the base of a merge with a foreign write. */
  #baseText: string;
  #stamp: string;
  /** Set when the lockfile cannot be written without losing someone's records: see #rescue. */
  #rescued: string | undefined;
  /** The project root: recorded file paths are relative to it. */
  readonly #root: string;
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
  ) {
    this.#root = dirname(path);
    this.#lock = lock;
    this.#baseText = serializeLockfile(lock);
    this.#stamp = stamp;
    if (folded.length > 0) this.#dirty = true;
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
    return this.#lock.clips[address];
  }

  /** A recorded task, looked up by its UUID. */
  task(address: string, taskUUID: string): Readonly<LockTask> | undefined {
    return this.#lock.clips[address]?.tasks.find((t) => t.taskUUID === taskUUID);
  }

  set(address: string, entry: LockEntry): void {
    this.#lock.clips[address] = entry;
    this.#dirty = true;
  }

  /**
   * Drops the entry at `address`; what it held is kept among the takes (see retire), its files
   * left where they are (local files are removed or moved only when asked).
   */
  delete(address: string): void {
    this.retire(address, { moveFiles: false });
    if (address in this.#lock.clips) {
      delete this.#lock.clips[address];
      this.#dirty = true;
    }
  }

  /**
   * The clip stops using what its entry holds (a replace, a revert, a delete): its tasks and
   * results join the takes of their request, and its files move to their per-take path, so the
   * clip's own file names are free for what it uses next. The entry is then removed.
   */
  retire(address: string, opts: { moveFiles?: boolean } = {}): void {
    const entry = this.#lock.clips[address];
    if (!holdsRecords(entry)) return;
    archiveEntry(this.#lock, address, entry, opts.moveFiles === false ? (r) => r.file : (r) => this.#keepFile(r, entry.fingerprint));
    delete this.#lock.clips[address];
    this.#dirty = true;
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
    const existing = this.#lock.clips[address];
    const base: LockEntry = opts.fresh || !existing ? start() : { ...existing, ...opts.patch };
    this.#lock.clips[address] = { ...base, tasks: [...base.tasks, task] };
    this.#dirty = true;
  }

  /** Updates a recorded task; false when the entry or the task is not there. */
  updateTask(address: string, taskUUID: string, patch: Partial<LockTask>): boolean {
    const task = this.#lock.clips[address]?.tasks.find((t) => t.taskUUID === taskUUID);
    if (!task) return false;
    Object.assign(task, patch);
    this.#dirty = true;
    return true;
  }

  /** Appends results to an entry; returns the index of the first one (-1 when there is no entry). */
  addResults(address: string, results: LockResult[]): number {
    const entry = this.#lock.clips[address];
    if (!entry) return -1;
    const first = entry.results.length;
    entry.results.push(...results);
    this.#dirty = true;
    return first;
  }

  /**
   * The result at `from` takes the place of variant `index` (a reroll of that variant alone): the
   * old one joins the takes of the request, its file moved to its per-take path.
   */
  replaceVariant(address: string, index: number, from: number): void {
    const e = this.#lock.clips[address];
    const old = e?.results[index];
    const fresh = e?.results[from];
    if (!e || !old || !fresh) return;
    archiveEntry(this.#lock, address, { ...e, tasks: [], results: [old] }, (r) => this.#keepFile(r, e.fingerprint));
    e.results.splice(from, 1);
    e.results[index] = fresh;
    this.#dirty = true;
  }

  /** Updates the result with this video UUID; false when it is not there. */
  updateResult(address: string, videoUUID: string, patch: Partial<LockResult>): boolean {
    const r = this.#lock.clips[address]?.results.find((x) => x.videoUUID === videoUUID);
    if (!r) return false;
    Object.assign(r, patch);
    this.#dirty = true;
    return true;
  }

  /** Brings in a foreign write now (a cheap stat when there is none), so queued work can see it. */
  sync(): void {
    if (this.#rescued || fileStamp(this.path) === this.#stamp) return;
    this.#dirty = true;
    this.flush();
  }

  flush(): void {
    if (!this.#dirty) return;
    if (!this.#rescued && fileStamp(this.path) !== this.#stamp) this.#mergeForeignWrite();
    const next: Lockfile = { ...this.#lock, serial: this.#lock.serial + 1 };
    const text = serializeLockfile(next);
    if (this.#rescued) {
      writeFileAtomic(this.#rescued, text);
    } else {
      writeFileAtomic(this.path, text);
      this.#baseText = text;
      this.#stamp = fileStamp(this.path);
      if (this.folded.length > 0) {
        removeRescues(this.folded);
        this.folded = [];
      }
    }
    this.#lock = next;
    this.#dirty = false;
    this.writes++;
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
    const base = parseLockfile(this.#baseText, this.path);
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
      if (!covers(result.merged.clips[address], mine)) result.merged.clips[address] = mine;
    }
    this.#lock = result.merged;
    this.onForeignWrite("the lockfile was changed while this apply ran: merged it clip by clip");
  }
}

/** Whether `entry` holds every task and result of `mine`. */
function covers(entry: LockEntry | undefined, mine: LockEntry): boolean {
  if (!entry) return mine.tasks.length === 0 && mine.results.length === 0;
  const tasks = new Set(entry.tasks.map((t) => t.taskUUID));
  const videos = new Set(entry.results.map((r) => r.videoUUID));
  return mine.tasks.every((t) => tasks.has(t.taskUUID)) && mine.results.every((r) => videos.has(r.videoUUID));
}
