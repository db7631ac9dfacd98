/** The engine's pure parts: plan → work, budget accounting, pacing, adaptive concurrency. */
import { describe, expect, it } from "vitest";
import { BudgetBook, probeKey } from "../../src/apply/budget.js";
import { AdaptiveLimit } from "../../src/apply/concurrency.js";
import { dueForPoll, MAX_POLL_INTERVAL_MS, nextBackoff, nextPollIn } from "../../src/apply/pacing.js";
import type { GenJob } from "../../src/apply/types.js";
import { localWork, networkWork } from "../../src/apply/work.js";
import { plan } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { desired, entryFor, lockWith } from "../helpers/plan-data.js";

const job = (address: string, estimateUsd: number, count = 1, manifest = "specs/clips.yaml"): GenJob => ({ address, clip: { ...desired(address), manifest }, count, fresh: true, estimateUsd });

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

describe("budget accounting", () => {
  it("counts spent, in flight and the batch so far against each limit, per manifest when scoped", () => {
    const book = new BudgetBook([{ scope: "run", limitUsd: 1 }, { scope: "m budget", limitUsd: 0.5, manifest: "m.yaml" }]);
    expect(book.wouldCross(job("a", 0.4), [], [])).toBeUndefined();
    expect(book.wouldCross(job("a", 0.4), [job("b", 0.4)], [{ manifest: "x", estimateUsd: 0.3 }])).toEqual({ scope: "run", limitUsd: 1, committedUsd: 0.7 });
    book.charge("m.yaml", undefined, { model: "klingai:3@1", duration: 5, costs: [0.3], perResultEstimateUsd: 0.3 });
    expect(book.wouldCross(job("c", 0.25, 1, "m.yaml"), [], [])?.scope).toBe("m budget");
    expect(book.wouldCross(job("c", 0.25, 1, "other.yaml"), [], [])).toBeUndefined();
  });

  it("a submit round sums what is committed once and admits jobs one by one, as checking each against the batch so far would", () => {
    const book = new BudgetBook([{ scope: "run", limitUsd: 1 }, { scope: "m budget", limitUsd: 0.5, manifest: "m.yaml" }]);
    book.charge("m.yaml", undefined, { model: "klingai:3@1", duration: 5, costs: [0.1], perResultEstimateUsd: 0.1 });
    const flights = [{ manifest: "x", estimateUsd: 0.3 }, { manifest: "m.yaml", estimateUsd: 0.2 }];
    const round = book.round(flights);
    const taken = [];
    const verdicts = [];
    for (const j of [job("a", 0.15, 1, "m.yaml"), job("b", 0.1), job("c", 0.1, 1, "m.yaml"), job("d", 0.2)]) {
      const stop = round.check(j);
      expect(stop).toEqual(book.wouldCross(j, taken, flights));
      verdicts.push(stop?.scope ?? "ok");
      if (!stop) {
        round.take(j);
        taken.push(j);
      }
    }
    // a: m 0.1+0.2+0.15 = 0.45 fits; b: run 0.6+0.15+0.1 = 0.85 fits; c: m 0.45+0.1 > 0.5; d: run 0.85+0.2 > 1.
    expect(verdicts).toEqual(["ok", "ok", "m budget", "run"]);
    // With no limits, nothing is summed and everything fits.
    expect(new BudgetBook([]).round(flights).check(job("e", 100))).toBeUndefined();
  });

  it("expects at least what this run was charged per result for the same model and duration", () => {
    const book = new BudgetBook([]);
    expect(book.expected(job("a", 0.1, 2))).toBe(0.1);
    book.charge("m", undefined, { model: "klingai:3@1", duration: 5, costs: [0.3], perResultEstimateUsd: 0.1 });
    expect(book.expected(job("a", 0.1, 2))).toBeCloseTo(0.6);
  });

  it("a result charged nothing believable counts its estimate, never $0", () => {
    const book = new BudgetBook([{ scope: "run", limitUsd: 1 }]);
    book.charge("m", undefined, { model: "klingai:3@1", duration: 5, costs: [undefined, undefined], perResultEstimateUsd: 0.4 });
    expect(book.spentUsd).toBe(0);
    expect(book.wouldCross(job("a", 0.3), [], [])).toEqual({ scope: "run", limitUsd: 1, committedUsd: 0.8 });
  });

  it("work with no price never fits a budget that covers it", () => {
    const book = new BudgetBook([{ scope: "m budget", limitUsd: 100, manifest: "m.yaml" }]);
    const unpriced = { ...job("a", 0, 1, "m.yaml"), estimateUsd: undefined };
    expect(book.wouldCross(unpriced, [], [])).toMatchObject({ scope: "m budget", reason: "unpriced" });
    expect(book.wouldCross({ ...unpriced, clip: { ...unpriced.clip, manifest: "other.yaml" } }, [], [])).toBeUndefined();
  });

  it("a catalog-priced kind is probed under a budget until a charge for it is seen; quoted and learned prices are trusted", () => {
    const book = new BudgetBook([{ scope: "run", limitUsd: 10 }]);
    const j = { ...job("a", 0.1), priceSource: "documented" as const };
    expect(book.needsProbe(j)).toBe(true);
    expect(book.needsProbe({ ...j, priceSource: "quoted" })).toBe(false);
    expect(book.needsProbe({ ...j, priceSource: "learned" })).toBe(false);
    expect(new BudgetBook([]).needsProbe(j)).toBe(false);
    const note = book.charge("m", probeKey(j.clip.generation), { model: "klingai:3@1", duration: 5, costs: [1], perResultEstimateUsd: 0.1 });
    expect(note).toMatch(/charged \$1 per result, more than the \$0.1 estimated/);
    expect(book.needsProbe(j)).toBe(false);
    expect(book.expected(j)).toBe(1);
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
