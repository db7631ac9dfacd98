import { describe, expect, it } from "vitest";
import { collectGarbage, HeapCeiling } from "../../src/util/collect-garbage.js";

describe("collectGarbage", () => {
  it("frees what is no longer referenced, at once", () => {
    let garbage: number[][] | undefined = Array.from({ length: 200 }, () => Array.from({ length: 50_000 }, (_, i) => i + 0.5));
    const held = process.memoryUsage().heapUsed;
    expect(garbage.length).toBe(200);
    garbage = undefined;
    collectGarbage();
    collectGarbage(); // a second call reuses the same gc
    // About 80 MB of doubles were dropped: at least half of it is gone.
    expect(held - process.memoryUsage().heapUsed).toBeGreaterThan(40 * 1024 * 1024);
  });
});

describe("HeapCeiling", () => {
  it("collects only over its ceiling, then sets the ceiling from what is still live", () => {
    let used = 50;
    let collections = 0;
    const heap = new HeapCeiling(100, 1.5, () => used, () => {
      collections++;
      used = live;
    });
    let live = 80;
    expect(heap.relieve()).toBe(false); // 50 < 100: a small heap is left to V8
    used = 99;
    expect(heap.relieve()).toBe(false);
    used = 100;
    expect(heap.relieve()).toBe(true);
    expect(collections).toBe(1);
    // 80 live after it: the next ceiling is 120, not the floor.
    used = 119;
    expect(heap.relieve()).toBe(false);
    used = 120;
    live = 30;
    expect(heap.relieve()).toBe(true);
    // Little live now: back to the floor.
    used = 99;
    expect(heap.relieve()).toBe(false);
    used = 100;
    expect(heap.relieve()).toBe(true);
    expect(heap.collections).toBe(3);
  });

  it("really frees the garbage of a heap over its ceiling", () => {
    const heap = new HeapCeiling(process.memoryUsage().heapUsed + 20 * 1024 * 1024);
    let garbage: number[][] | undefined = Array.from({ length: 100 }, () => Array.from({ length: 50_000 }, (_, i) => i + 0.5));
    expect(garbage.length).toBe(100);
    const held = process.memoryUsage().heapUsed;
    garbage = undefined;
    expect(heap.relieve()).toBe(true);
    expect(held - process.memoryUsage().heapUsed).toBeGreaterThan(20 * 1024 * 1024);
  });
});

describe("HeapCeiling, where collecting is refused", () => {
  it("never throws into the run that calls it, and stops trying", () => {
    let tries = 0;
    const heap = new HeapCeiling(10, 1.5, () => 100, () => {
      tries++;
      throw new Error("gc is not available here");
    });
    expect(heap.relieve()).toBe(false);
    expect(heap.relieve()).toBe(false);
    expect(tries).toBe(1);
  });
});
