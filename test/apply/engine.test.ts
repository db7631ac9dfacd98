/**
 * The apply engine in-process, with a fake API and a clock that moves only when the engine
 * sleeps: the engine's own logic (write-ahead, concurrency, budgets, resending, recording)
 * without HTTP or waiting. The CLI end-to-end tests cover the same paths against the simulator.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readCurrentRecord } from "../../src/lockfile/current.js";
import { readLockfile } from "../../src/lockfile/io.js";
import { desired, entryFor, lockWith } from "../helpers/plan-data.js";
import { PRICE, rig, type Rig } from "./fake-api.js";

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});
const track = (r: Rig) => (rigs.push(r), r);
const clips = (n: number) => Array.from({ length: n }, (_, i) => desired(`c${i}`, { positivePrompt: `Shot number ${i}` }));

describe("apply engine (in-process)", () => {
  it("generates every clip once, within the concurrency limit, recording results and files", async () => {
    const r = track(rig(clips(20), lockWith({}), { concurrency: 4 }));
    const s = await r.engine.run();
    expect(s).toMatchObject({ succeeded: 20, submitted: 20, failed: 0, downloaded: 20, spentUsd: 3.696 });
    expect(new Set(r.api.submits).size).toBe(20);
    expect(r.api.submits).toHaveLength(20);
    expect(r.api.maxInFlight).toBeLessThanOrEqual(4);
    const lock = r.onDisk();
    for (let i = 0; i < 20; i++) {
      const e = lock.clips[`c${i}`]!;
      expect(e.tasks.map((t) => t.status)).toEqual(["succeeded"]);
      expect(e.tasks[0]!.acceptedAt).toBeDefined();
      expect(existsSync(join(r.dir, e.results[0]!.file!))).toBe(true);
    }
  });

  it("writes each task to the lockfile before the request that pays for it leaves", async () => {
    const r = track(rig(clips(6), lockWith({}), { concurrency: 3 }));
    const seenOnDisk: boolean[] = [];
    r.api.onSubmit = (tasks) => {
      const lock = readLockfile(r.lockPath).lock;
      for (const t of tasks) seenOnDisk.push(Object.values(lock.clips).some((e) => e.tasks.some((k) => k.taskUUID === t.taskUUID)));
    };
    await r.engine.run();
    expect(seenOnDisk).toHaveLength(6);
    expect(seenOnDisk.every(Boolean)).toBe(true);
  });

  it("recordNow (a second Ctrl-C) makes what the last poll recorded durable at once, not at the next tick", async () => {
    const onDisk: Array<{ before: boolean; after: boolean }> = [];
    const hasResult = (lockPath: string, address: string) => (readCurrentRecord(lockPath).lock.clips[address]?.results.length ?? 0) > 0;
    const r = track(
      rig(clips(2), lockWith({}), {
        journal: true,
        onEvent: (e, engine) => {
          if (e.type !== "succeeded") return;
          const before = hasResult(r.lockPath, e.address);
          engine.recordNow();
          onDisk.push({ before, after: hasResult(r.lockPath, e.address) });
        },
      }),
    );
    await r.engine.run();
    // The journal keeps a result in memory until the next tick's fsync; recordNow writes it there and then.
    expect(onDisk).toEqual([
      { before: false, after: true },
      { before: false, after: true },
    ]);
  });

  it("a submit whose reply is lost is polled, never sent twice", async () => {
    const r = track(rig(clips(3), lockWith({})));
    r.api.failNextSubmitAfterTaking = true;
    const s = await r.engine.run();
    expect(r.api.submits).toHaveLength(3);
    expect(s.succeeded).toBe(3);
    expect(r.events.filter((e) => e.type === "unconfirmed")).toHaveLength(3);
  });

  it("a task lost in transit is sent again once, with the same UUID, through the same path", async () => {
    const r = track(rig(clips(2), lockWith({})));
    r.api.lose.add("00000000-0000-4000-9000-000000000001");
    const s = await r.engine.run();
    expect(r.api.submits.filter((u) => u === "00000000-0000-4000-9000-000000000001")).toHaveLength(2);
    expect(r.api.tasks.size).toBe(2);
    expect(s.succeeded).toBe(2);
    expect(r.onDisk().clips.c0!.tasks).toHaveLength(1);
  });

  it("resumes recorded tasks: an acknowledged one the API does not know fails, and is never resent", async () => {
    const a = desired("a");
    const t = "00000000-0000-4000-8000-0000000000aa";
    const entry = entryFor(a, 0, { tasks: [{ taskUUID: t, numberResults: 1, status: "submitted", submittedAt: "2026-01-01T00:00:00Z", acceptedAt: "2026-01-01T00:00:01Z" }] });
    const r = track(rig([a], lockWith({ a: entry })));
    const s = await r.engine.run();
    expect(r.api.submits).toEqual([]);
    expect(s).toMatchObject({ resumed: 1, failed: 1 });
    expect(r.onDisk().clips.a!.tasks[0]).toMatchObject({ status: "failed", error: { code: "taskNotFound" } });
  });

  it("stops submitting before the charges plus work in flight would cross a budget", async () => {
    const r = track(rig(clips(5), lockWith({}), { concurrency: 1, budgets: [{ scope: "--max-cost", limitUsd: 2.5 * PRICE }] }));
    const s = await r.engine.run();
    expect(r.api.submits).toHaveLength(2);
    expect(s).toMatchObject({ succeeded: 2, skipped: 3 });
    expect(r.events.find((e) => e.type === "budget-stop")).toMatchObject({ scope: "--max-cost", committedUsd: 2 * PRICE });
  });

  it("a first wave fills every slot in one round (one write-ahead), and once a generation time is known only due tasks are polled", async () => {
    const r = track(rig(clips(150), lockWith({}), { concurrency: 120 }));
    const rounds: number[] = [];
    r.api.onSubmit = (tasks) => rounds.push(tasks.length);
    const poll = r.api.poll.bind(r.api);
    const ages: number[][] = [];
    r.api.poll = (tasks) => {
      ages.push(tasks.map((t) => r.clock.t - r.api.tasks.get(t.taskUUID)!.at));
      return poll(tasks);
    };
    const s = await r.engine.run();
    expect(s.succeeded).toBe(150);
    expect(rounds[0]).toBe(120);
    expect(r.api.maxInFlight).toBe(120);
    // The first 120 finish together; the 30 sent in their place are polled only once they may be done.
    const afterFirst = ages.slice(ages.findIndex((a) => a.length === 120 && Math.min(...a) >= r.api.latencyMs) + 1);
    expect(afterFirst.length).toBeGreaterThan(0);
    for (const a of afterFirst) expect(Math.min(...a)).toBeGreaterThanOrEqual(r.api.latencyMs * 0.9);
  });

  it("a 429 halves the generations in flight; rounds without one grow it back", async () => {
    const r = track(rig(clips(12), lockWith({}), { concurrency: 8 }));
    r.engine.onRateLimited();
    const s = await r.engine.run();
    expect(s.succeeded).toBe(12);
    const limits = r.events.flatMap((e) => (e.type === "concurrency" ? [e.limit] : []));
    expect(limits[0]).toBe(4);
    expect(limits.slice(1)).toEqual([5, 6, 7, 8].slice(0, limits.length - 1));
  });

  it("after Ctrl-C submits nothing more, and records what is in flight", async () => {
    const r = track(rig(clips(6), lockWith({}), { concurrency: 2 }));
    r.api.onSubmit = () => r.engine.stopSubmitting();
    const s = await r.engine.run();
    expect(r.api.submits).toHaveLength(2);
    expect(s).toMatchObject({ succeeded: 2, skipped: 4, stoppedEarly: true });
  });
});
