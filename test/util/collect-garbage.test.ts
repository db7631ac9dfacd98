import { describe, expect, it } from "vitest";
import { collectGarbage } from "../../src/util/collect-garbage.js";

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
