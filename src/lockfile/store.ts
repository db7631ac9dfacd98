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
import { fileStamp } from "../util/stamp.js";
import { mergeLockfiles } from "./merge.js";
import { parseLockfile, readLockfile, serializeLockfile, writeFileAtomic } from "./io.js";
import type { LockEntry, Lockfile } from "./schema.js";

export class LockStore {
  #lock: Lockfile;
  #dirty = false;
  /** The text last written (or read at the start): the base of a merge with a foreign write. */
  #baseText: string;
  #stamp: string;
  writes = 0;

  constructor(
    readonly path: string,
    lock: Lockfile,
    private readonly onForeignWrite: (message: string) => void = () => {},
  ) {
    this.#lock = lock;
    this.#baseText = serializeLockfile(lock);
    this.#stamp = fileStamp(path);
  }

  get lock(): Lockfile {
    return this.#lock;
  }

  entry(address: string): LockEntry | undefined {
    return this.#lock.clips[address];
  }

  set(address: string, entry: LockEntry): void {
    this.#lock.clips[address] = entry;
    this.#dirty = true;
  }

  delete(address: string): void {
    if (address in this.#lock.clips) {
      delete this.#lock.clips[address];
      this.#dirty = true;
    }
  }

  /** Marks in-place changes to an entry. */
  touch(): void {
    this.#dirty = true;
  }

  flush(): void {
    if (!this.#dirty) return;
    if (fileStamp(this.path) !== this.#stamp) this.#mergeForeignWrite();
    const next: Lockfile = { ...this.#lock, serial: this.#lock.serial + 1 };
    const text = serializeLockfile(next);
    writeFileAtomic(this.path, text);
    this.#lock = next;
    this.#baseText = text;
    this.#stamp = fileStamp(this.path);
    this.#dirty = false;
    this.writes++;
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
      this.onForeignWrite(`the lockfile was changed while this apply ran and cannot be read (${(e as Error).message.split("\n")[0]}): writing this apply's records over it`);
      return;
    }
    const base = parseLockfile(this.#baseText, this.path);
    try {
      const { merged, conflicts } = mergeLockfiles(base, this.#lock, theirs);
      this.#lock = merged;
      this.onForeignWrite(
        `the lockfile was changed while this apply ran: merged it clip by clip${conflicts.length ? `; kept this apply's entries for ${conflicts.map((c) => c.address).join(", ")}` : ""}`,
      );
    } catch (e) {
      this.onForeignWrite(`the lockfile was replaced while this apply ran (${(e as Error).message}): writing this apply's records over it`);
    }
  }
}
