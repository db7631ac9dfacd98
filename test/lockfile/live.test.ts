/**
 * Live takes (src/lockfile/live.ts), from plain data: each reason a take is live, the video a clip
 * uses, and prune dropping exactly the takes that are not live.
 */
import { describe, expect, it } from "vitest";
import { liveTakes, lostPick, usedResults, usedTasks, whyKept } from "../../src/lockfile/live.js";
import { planPrune } from "../../src/lockfile/prune.js";
import type { LockEntry, Lockfile, LockResult, LockTake, LockTask } from "../../src/lockfile/schema.js";

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const task = (n: number, status: LockTask["status"] = "succeeded"): LockTask => ({ taskUUID: uuid(n), numberResults: 1, status, submittedAt: `2026-01-0${n}T00:00:00Z` });
const result = (n: number, video: string, over: Partial<LockResult> = {}): LockResult => ({ taskUUID: uuid(n), videoUUID: video, costUsd: 0.1, file: `out/${video}.mp4`, ...over });
const take = (address: string, tasks: LockTask[], results: LockResult[], request: Record<string, unknown> = {}): LockTake => ({ address, manifest: "specs/a.yaml", model: "klingai:3@1", request, tasks, results });
const entry = (fingerprint: string, tasks: LockTask[], results: LockResult[], over: Partial<LockEntry> = {}): LockEntry => ({ fingerprint, manifest: "specs/a.yaml", model: "klingai:3@1", request: {}, numberResults: 1, tasks, results, ...over });
const lockOf = (clips: Record<string, LockEntry>, takes: Record<string, LockTake>): Lockfile => ({ format_version: 2, lineage: uuid(99), serial: 1, clips, takes });

/** arrival: take 2 held by its entry, take 1 (an earlier roll of the same request) kept. */
function rolled(over: Partial<LockEntry> = {}): Lockfile {
  return lockOf({ arrival: entry("v1:a", [task(2)], [result(2, "a2")], over) }, { "v1:a": take("arrival", [task(1)], [result(1, "a1")]) });
}

const why = (lock: Lockfile, fp: string, films?: string[]) => whyKept(liveTakes(lock, films ? { films } : {}), lock.takes![fp]!);

describe("live takes: each reason", () => {
  it("current: what a clip holds is used; an earlier roll nobody uses is not live", () => {
    const lock = rolled();
    expect([...liveTakes(lock).videos.get("a2")!]).toEqual(["current"]);
    expect(why(lock, "v1:a")).toEqual([]);
    // After a revert the entry holds copies of a kept take's videos (and none of its tasks): that take is used.
    const reverted = lockOf({ arrival: entry("v1:a", [], [result(1, "a1")]) }, { "v1:a": take("arrival", [task(1)], [result(1, "a1")]) });
    expect(why(reverted, "v1:a")).toEqual(["current"]);
  });

  it("picked: the take picked for the clip's request, kept among the takes", () => {
    const lock = rolled({ picked: uuid(1) });
    expect(why(lock, "v1:a")).toEqual(["picked"]);
    expect(usedResults(lock, "arrival").map((r) => r.videoUUID)).toEqual(["a1"]);
    expect([...usedTasks(lock, "arrival")]).toEqual([uuid(1)]);
  });

  it("chained: a live request was made from its frame, by the video beside the frame or by the frame's content", () => {
    const byVideo = { frameImages: [{ frame: "first", image: "frame:f1", from: "arrival", video: "a1", at: "last" }] };
    const lock = rolled();
    lock.clips.platform = entry("v1:p", [task(5)], [result(5, "p5")], { request: byVideo });
    expect(why(lock, "v1:a")).toEqual(["chained"]);

    const byContent = rolled();
    byContent.takes!["v1:a"]!.results[0]!.frames = { last: "frame:f9" };
    byContent.clips.platform = entry("v1:p", [task(5)], [result(5, "p5")], { request: { otherInputs: { referenceImages: ["frame:f9"] } } });
    expect(why(byContent, "v1:a")).toEqual(["chained"]);
  });

  it("chained, through a take live for another reason: the frames its own request was made from", () => {
    const lock = rolled();
    // platform's earlier request (a take of its own) was made from arrival's take 1; a film was cut from it.
    lock.takes!["v1:p-old"] = take("platform", [task(6)], [result(6, "p6")], { frameImages: [{ frame: "first", image: "frame:f1", video: "a1", at: "last" }] });
    expect(why(lock, "v1:a")).toEqual([]);
    expect(why(lock, "v1:p-old", ["p6"])).toEqual(["film"]);
    expect(why(lock, "v1:a", ["p6"])).toEqual(["chained"]);
  });

  it("film: a sequence's film was cut from one of its videos", () => {
    expect(why(rolled(), "v1:a", ["a1"])).toEqual(["film"]);
    expect(why(rolled(), "v1:a", ["someone-else"])).toEqual([]);
  });

  it("in-flight: a task of it was sent and has not finished", () => {
    const lock = rolled();
    lock.takes!["v1:a"]!.tasks.push(task(3, "submitted"));
    expect(why(lock, "v1:a")).toEqual(["in-flight"]);
    expect(liveTakes(lock).tasks.get(uuid(3))).toEqual(new Set(["in-flight"]));
  });

  it("reasons add up, in one order", () => {
    const lock = rolled({ picked: uuid(1) });
    lock.takes!["v1:a"]!.tasks.push(task(3, "submitted"));
    expect(why(lock, "v1:a", ["a1"])).toEqual(["picked", "film", "in-flight"]);
  });
});

describe("the take a clip uses", () => {
  it("a pick whose take holds no video any more (pruned before picks were kept) is not followed", () => {
    const lock = rolled({ picked: uuid(1) });
    delete lock.takes!["v1:a"];
    expect(lostPick(lock, "arrival")).toBe(uuid(1));
    expect(usedResults(lock, "arrival").map((r) => r.videoUUID)).toEqual(["a2"]);
    expect([...usedTasks(lock, "arrival")]).toEqual([uuid(2)]);
    expect(lostPick(rolled({ picked: uuid(1) }), "arrival")).toBeUndefined();
  });

  it("with a pick: the picked take's variants, then those the clip gained after it", () => {
    const lock = rolled({ picked: uuid(2) });
    lock.clips.arrival!.tasks.push(task(4));
    lock.clips.arrival!.results.push(result(4, "a4"));
    expect(usedResults(lock, "arrival").map((r) => r.videoUUID)).toEqual(["a2", "a4"]);
    expect(usedResults({ ...lock, clips: { arrival: { ...lock.clips.arrival!, picked: uuid(1) } } }, "arrival").map((r) => r.videoUUID)).toEqual(["a1", "a4"]);
  });

  it("is its current variants, or the tasks they came from; before any result its latest task that did not fail", () => {
    expect([...usedTasks(rolled(), "arrival")]).toEqual([uuid(2)]);
    const waiting = lockOf({ arrival: entry("v1:a", [task(2), task(3, "failed")], []) }, {});
    expect([...usedTasks(waiting, "arrival")]).toEqual([uuid(2)]);
    expect(usedResults(waiting, "nowhere")).toEqual([]);
  });
});

describe("planPrune reads the live takes", () => {
  const now = new Date("2026-02-01T00:00:00Z");

  it("keeps the picked take and says why; without the pick, drops it and records its cost", () => {
    const picked = planPrune(rolled({ picked: uuid(1) }), { now });
    expect(picked.dropped).toEqual([]);
    expect(picked.live).toEqual([{ fingerprint: "v1:a", address: "arrival", reasons: ["picked"] }]);
    expect(picked.lock.takes!["v1:a"]).toBeDefined();

    const free = planPrune(rolled(), { now });
    expect(free.dropped.map((d) => d.fingerprint)).toEqual(["v1:a"]);
    expect(free.lock.takes!["v1:a"]).toBeUndefined();
    expect(free.lock.pruned![uuid(1)]).toMatchObject({ fingerprint: "v1:a", costUsd: 0.1 });
  });

  it("a pick remembered for a request no clip has now keeps nothing: pruned, it is forgotten with its takes", () => {
    const lock = rolled();
    lock.takes!["v1:old"] = { ...take("arrival", [task(4)], [result(4, "a4")]), picks: { arrival: uuid(4) } };
    const p = planPrune(lock, { now });
    expect(p.dropped.map((d) => d.fingerprint)).toEqual(["v1:a", "v1:old"]);
    expect(p.lock.takes).toEqual({});
  });

  it("keeps what a film was cut from and what is in flight", () => {
    expect(planPrune(rolled(), { now, films: ["a1"] }).live[0]!.reasons).toEqual(["film"]);
    const flying = rolled();
    flying.takes!["v1:a"]!.tasks.push(task(3, "submitted"));
    expect(planPrune(flying, { now }).dropped).toEqual([]);
  });
});
