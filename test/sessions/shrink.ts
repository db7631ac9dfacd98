/**
 * Shrinking a failing session: delta debugging (ddmin) over its steps, each candidate replayed
 * from scratch, keeping a candidate when it still breaks the same invariant. Then one more pass
 * drops single steps, so no one step can be removed from the result.
 */
import { runSession, type SessionResult } from "./runner.js";
import type { Step } from "./steps.js";
import type { Invariant } from "./checks.js";

export interface Shrunk {
  steps: Step[];
  result: SessionResult;
  replays: number;
}

/** `maxReplays` and `maxMs` bound the work: past either, the shortest list found so far is returned. */
export async function shrink(seed: number, steps: Step[], invariant: Invariant, o: { maxReplays?: number; maxMs?: number; log?: (line: string) => void } = {}): Promise<Shrunk> {
  const deadline = performance.now() + (o.maxMs ?? Infinity);
  let maxReplays = o.maxReplays ?? 150;
  let replays = 0;
  let best: SessionResult | undefined;
  const fails = async (candidate: Step[]): Promise<boolean> => {
    if (performance.now() > deadline) maxReplays = Math.min(maxReplays, replays + (best ? 0 : 1));
    if (replays >= maxReplays) return false;
    replays++;
    const r = await runSession(seed, candidate);
    const hit = r.violations.some((v) => v.invariant === invariant);
    if (hit) best = r;
    return hit;
  };
  // Whatever came after the failing step played no part.
  let current = steps;
  if (!(await fails(current))) return { steps, result: best ?? (await runSession(seed, steps)), replays };
  current = current.slice(0, best!.failedAt! + 1);

  let n = 2;
  while (current.length >= 2 && replays < maxReplays) {
    const size = Math.ceil(current.length / n);
    const chunks = Array.from({ length: Math.ceil(current.length / size) }, (_, i) => current.slice(i * size, (i + 1) * size));
    let reduced = false;
    for (let i = 0; i < chunks.length && !reduced; i++) {
      const complement = chunks.filter((_, j) => j !== i).flat();
      if (await fails(complement)) {
        current = complement.slice(0, best!.failedAt! + 1);
        n = Math.max(n - 1, 2);
        reduced = true;
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, n * 2);
    }
    o.log?.(`  shrinking: ${current.length} steps after ${replays} replays`);
  }
  for (let i = current.length - 1; i >= 0 && replays < maxReplays; i--) {
    if (i >= current.length) continue;
    const without = [...current.slice(0, i), ...current.slice(i + 1)];
    if (await fails(without)) current = without.slice(0, best!.failedAt! + 1);
  }
  return { steps: current, result: best!, replays };
}
