/**
 * The lockfile during an apply: kept in memory, written atomically whenever it must be durable.
 * `flush()` is called before any request that spends money leaves (write-ahead), and after
 * results arrive; in between, changes are coalesced so a 10,000-clip lockfile is not rewritten
 * for every event.
 */
import { writeLockfile } from "./io.js";
import type { LockEntry, Lockfile } from "./schema.js";

export class LockStore {
  #lock: Lockfile;
  #dirty = false;
  writes = 0;

  constructor(
    readonly path: string,
    lock: Lockfile,
  ) {
    this.#lock = lock;
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
    this.#lock = writeLockfile(this.path, this.#lock);
    this.#dirty = false;
    this.writes++;
  }
}
