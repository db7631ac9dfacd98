/**
 * The engine's waiting rules, in-process with the fake API and clock: completion by count for a
 * resumed task, acknowledgement only by an answer that shows the API has the task, a deadline
 * per task after which it stays recorded in flight, and bugs that surface instead of re-polling.
 */
import { afterEach, describe, expect, it } from "vitest";
import { desired, entryFor, lockWith } from "../helpers/plan-data.js";
import { FakeApi, rig, type Rig } from "./fake-api.js";

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});
const track = (r: Rig) => (rigs.push(r), r);
const T = "00000000-0000-4000-8000-0000000000aa";

describe("apply engine: waiting", () => {
  it("polls a task resumed from an earlier run with its count, so every variant it paid for is recorded", async () => {
    const a = desired("a", {}, 3);
    const entry = entryFor(a, 0, { tasks: [{ taskUUID: T, numberResults: 3, status: "submitted", submittedAt: "2026-01-01T00:00:00Z", acceptedAt: "2026-01-01T00:00:01Z" }] });
    const r = track(
      rig([a], lockWith({ a: entry }), {
        api: (clock) => {
          const api = new FakeApi(clock);
          api.oneByOne = true;
          api.tasks.set(T, { at: clock.t, numberResults: 3, done: false });
          return api;
        },
      }),
    );
    const s = await r.engine.run();
    expect(r.api.polled[0]).toEqual([{ taskUUID: T, numberResults: 3 }]);
    expect(s).toMatchObject({ resumed: 1, succeeded: 1 });
    expect(r.onDisk().clips.a!.results).toHaveLength(3);
    expect(r.api.submits).toEqual([]);
  });

  it("polls the tasks it sends with their count too", async () => {
    const r = track(rig([desired("a", {}, 2)], lockWith({}), { api: (clock) => Object.assign(new FakeApi(clock), { oneByOne: true }) }));
    await r.engine.run();
    expect(r.api.polled[0]).toEqual([{ taskUUID: "00000000-0000-4000-9000-000000000001", numberResults: 2 }]);
    expect(r.onDisk().clips.a!.results).toHaveLength(2);
  });

  it("an empty answer is not an acknowledgement: a task the API never got stays unacknowledged, is never resent, and apply ends at the deadline", async () => {
    const r = track(rig([desired("a")], lockWith({}), { taskTimeoutMs: 60_000, api: (clock) => Object.assign(new FakeApi(clock), { silentUnknown: true }) }));
    r.api.lose.add("00000000-0000-4000-9000-000000000001");
    const s = await r.engine.run();
    expect(r.api.submits).toHaveLength(1);
    expect(s).toMatchObject({ stillRunning: 1, succeeded: 0, failed: 0 });
    const task = r.onDisk().clips.a!.tasks[0]!;
    expect(task).toMatchObject({ status: "submitted" });
    expect(task.acceptedAt).toBeUndefined();
    expect(r.events.filter((e) => e.type === "still-running")).toHaveLength(1);
  });

  it("a server that never stops processing: apply ends at --task-timeout, the task recorded in flight and acknowledged, never resent", async () => {
    const r = track(rig([desired("a", { positivePrompt: "Shot a" }), desired("b", { positivePrompt: "Shot b" })], lockWith({}), { taskTimeoutMs: 5 * 60_000, api: (clock) => new FakeApi(clock, Number.POSITIVE_INFINITY) }));
    const start = r.clock.t;
    const s = await r.engine.run();
    expect(s).toMatchObject({ stillRunning: 2, submitted: 2, succeeded: 0, failed: 0 });
    expect(r.api.submits).toHaveLength(2);
    expect(r.clock.t - start).toBeGreaterThanOrEqual(5 * 60_000);
    expect(r.clock.t - start).toBeLessThan(6 * 60_000);
    for (const e of Object.values(r.onDisk().clips)) {
      expect(e.tasks[0]).toMatchObject({ status: "submitted" });
      expect(e.tasks[0]!.acceptedAt).toBeDefined();
    }
  });

  it("a bug in poll (a TypeError) ends the run as a bug after one poll, not as a network error re-polled", async () => {
    const r = track(rig([desired("a")], lockWith({})));
    r.api.poll = async () => {
      r.api.polls++;
      throw new TypeError("Cannot read properties of undefined (reading 'status')");
    };
    await expect(r.engine.run()).rejects.toThrow(TypeError);
    expect(r.api.polls).toBe(1);
    expect(r.onDisk().clips.a!.tasks).toHaveLength(1);
  });

  it("a bug in submit (a TypeError) ends the run as a bug; the task stays recorded", async () => {
    const r = track(rig([desired("a")], lockWith({})));
    r.api.submitVideo = async () => {
      throw new TypeError("x is not a function");
    };
    await expect(r.engine.run()).rejects.toThrow(TypeError);
    expect(r.onDisk().clips.a!.tasks[0]).toMatchObject({ status: "submitted" });
  });
});
