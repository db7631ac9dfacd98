/**
 * A small seeded PRNG (mulberry32), so every simulated fault and seed can be replayed from
 * `--seed`. Never use Math.random in the simulator.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** An independent generator seeded from this one: one stream per concern keeps them from shifting each other. */
  fork(): Rng;
}

const UINT32_RANGE = 2 ** 32;

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => nextUint32() / UINT32_RANGE;
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    fork: () => createRng(nextUint32()),
  };
}
