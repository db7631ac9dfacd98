/**
 * One full garbage collection, for the moment between the two big allocations of a large plan:
 * the manifests' parsed YAML documents (dead once the clips are assembled) and the lockfile.
 * Left to itself, V8 grows the heap over the dead documents instead of collecting them first,
 * and a plan of 10,000 clips peaks at about 288 MB of RSS instead of 225 MB (`npm run bench`,
 * plan and scale). Node only exposes gc() behind --expose-gc: the flag is set once, at run
 * time, and a fresh context's gc() used. Small projects never pay for it.
 */
import { setFlagsFromString } from "node:v8";
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
