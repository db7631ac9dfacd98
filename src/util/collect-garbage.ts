/**
 * One full garbage collection, for the moment between the two big allocations of a large plan:
 * the manifests' parsed YAML documents (dead once the clips are assembled) and the lockfile.
 * Left to itself, V8 grows the heap over the dead documents instead of collecting them first,
 * and a plan of 10,000 clips peaks at about 288 MB of RSS instead of 225 MB (`npm run bench`,
 * plan and scale). Node only exposes gc() behind --expose-gc: the flag is set once, at run
 * time, and a fresh context's gc() used. Small projects never pay for it.
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Below this many clips the heap is small and a collection would only cost time. */
export const LARGE_PROJECT_CLIPS = 2_000;

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

const MiB = 1024 * 1024;

/**
 * A ceiling on how far a long run's heap grows over its own garbage. An apply of 10,000 clips
 * allocates tens of MB a second (requests, replies, journal lines, lockfile folds) around some
 * 50 MB that stays live, and V8, sizing the heap by that rate, lets it reach three times the live
 * size before collecting: a peak RSS of 250-280 MB where 200 would do. Called where the run
 * waits anyway (the engine's sleeps), it collects once the heap holds more than `floor`, or more
 * than `growth` times what was live after the last collection, whichever is larger; a small run
 * never reaches the floor and never pays for a collection.
 */
export class HeapCeiling {
  #ceiling: number;
  collections = 0;

  constructor(
    private readonly floor = 96 * MiB,
    private readonly growth = 1.5,
    private readonly used = () => getHeapStatistics().used_heap_size,
    private readonly collect = collectGarbage,
  ) {
    this.#ceiling = floor;
  }

  /** Collects if the heap is over its ceiling; returns whether it did. Never throws: a runtime that refuses is left to V8. */
  relieve(): boolean {
    if (this.used() < this.#ceiling) return false;
    try {
      this.collect();
    } catch {
      this.#ceiling = Infinity;
      return false;
    }
    this.collections++;
    this.#ceiling = Math.max(this.floor, this.used() * this.growth);
    return true;
  }
}
