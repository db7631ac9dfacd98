/** The engine's pure parts: plan → work, pacing, adaptive concurrency (the spend gate: gate.test.ts). */
import { describe, expect, it } from "vitest";
import { AdaptiveLimit } from "../../src/apply/concurrency.js";
import { dueForPoll, MAX_POLL_INTERVAL_MS, nextBackoff, nextPollIn } from "../../src/apply/pacing.js";
import { localWork, networkWork } from "../../src/apply/work.js";
import { plan } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { desired, entryFor, lockWith } from "../helpers/plan-data.js";


describe("plan → work", () => {
  it("queues creates and replaces afresh, appends add-variants, resumes and downloads in plan order", () => {
    const a = desired("a", { positivePrompt: "never generated" });
    const b = desired("b", { positivePrompt: "new" });
    const c = desired("c", {}, 3);
    const lock = lockWith({ b: entryFor(desired("b")), c: entryFor(desired("c", {}, 1)), gone: entryFor(desired("gone", { positivePrompt: "x" })) });
    const p = plan({ clips: [a, b, c], lock, prices: priceBook(lock) });
    const clips = new Map([a, b, c].map((x) => [x.address, x]));
    const w = networkWork(p, clips, (addr) => addr in lock.clips);
    expect(w.jobs.map((j) => [j.address, j.count, j.fresh])).toEqual([
      ["a", 1, true],
      ["b", 1, true],
      ["c", 2, false],
    ]);
    expect(localWork(p).deletes).toEqual(["gone"]);
  });
});

describe("pacing", () => {
  it("backs off until a generation time is known, then waits for the next task due", () => {
    // Before any finished: the backoff, but at most an eighth of the oldest task's wait so far
    // (and never below the base), so a first wave is seen at most that late.
    expect(nextPollIn({ baseMs: 100, backoffMs: 800, durations: [], since: [0], now: 20_000 })).toBe(800);
    expect(nextPollIn({ baseMs: 100, backoffMs: 800, durations: [], since: [3_000, 0], now: 4_000 })).toBe(500);
    expect(nextPollIn({ baseMs: 100, backoffMs: 800, durations: [], since: [0], now: 50 })).toBe(100);
    // typical 1000 ms: the task sent at 0 is due at 900; at 500 wait 400.
    expect(nextPollIn({ baseMs: 100, backoffMs: 800, durations: [1000], since: [0], now: 500 })).toBe(400);
    expect(nextPollIn({ baseMs: 100, backoffMs: 800, durations: [1000], since: [0], now: 950 })).toBe(100);
    expect(nextBackoff(100, 100, false)).toBe(150);
    expect(nextBackoff(9_000, 100, false)).toBe(MAX_POLL_INTERVAL_MS);
    expect(nextBackoff(9_000, 100, true)).toBe(100);
  });

  it("polls only the tasks that may be done: all until a time is known, then those due or at their deadline", () => {
    const flights = [
      { taskUUID: "old", since: 0 },
      { taskUUID: "new", since: 800 },
      { taskUUID: "mid", since: 100 },
    ];
    expect(dueForPoll(flights, { durations: [], now: 1_000, timeoutMs: 60_000 })).toEqual(["old", "new", "mid"]);
    // typical 1000 ms: due from 900 ms after sending.
    expect(dueForPoll(flights, { durations: [1_000, 1_200, 900], now: 1_000, timeoutMs: 60_000 })).toEqual(["old", "mid"]);
    expect(dueForPoll(flights, { durations: [1_000], now: 950, timeoutMs: 60_000 })).toEqual(["old"]);
    expect(dueForPoll(flights, { durations: [1_000], now: 950, timeoutMs: 100 })).toEqual(["old", "new", "mid"]);
  });
});

describe("adaptive concurrency", () => {
  it("halves on a 429 and grows back one per quiet round, never past the maximum", () => {
    const l = new AdaptiveLimit(5);
    expect(l.rateLimited()).toBe(2);
    expect(l.roundDone()).toBeUndefined(); // the round that saw the 429
    expect(l.roundDone()).toBe(3);
    expect(l.roundDone()).toBe(4);
    expect(l.roundDone()).toBe(5);
    expect(l.roundDone()).toBeUndefined();
    expect(new AdaptiveLimit(1).rateLimited()).toBeUndefined();
  });
});
