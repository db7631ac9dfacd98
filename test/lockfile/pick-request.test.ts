/**
 * A pick belongs to a request, from plain data: a clip leaving a request remembers the take it had
 * picked for it (and forgets it when it had none), a revert is back on that take and plan says
 * so, `pick ADDR` marks the take used, and a reroll of one variant drops the pick.
 */
import { describe, expect, it } from "vitest";
import { applyEvent, knownTasks } from "../../src/lockfile/journal-events.js";
import { pickTake, takesOf } from "../../src/lockfile/pick.js";
import type { Lockfile, LockResult, LockTask } from "../../src/lockfile/schema.js";
import { archiveEntry, restoredPick, takeAsEntry } from "../../src/lockfile/takes.js";
import { plan } from "../../src/plan/plan.js";
import type { PriceBook } from "../../src/plan/prices.js";
import { desired, LINEAGE } from "../helpers/plan-data.js";

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const task = (n: number): LockTask => ({ taskUUID: uuid(n), numberResults: 1, status: "succeeded", submittedAt: `2026-01-0${n}T00:00:00Z` });
const result = (n: number): LockResult => ({ taskUUID: uuid(n), videoUUID: `video-${n}`, costUsd: 0.1, file: `out/takes/${n}.mp4` });
const prices: PriceBook = () => ({ usd: 0.2, source: "documented", note: "test" });

const P1 = desired("keeper", { positivePrompt: "A keeper at dusk" });
const P2 = desired("keeper", { positivePrompt: "A keeper at dawn" });

/** keeper on request P1: take 2 held by its entry, take 1 kept; optionally picked. */
function onP1(picked?: number): Lockfile {
  return {
    format_version: 2,
    lineage: LINEAGE,
    serial: 1,
    clips: { keeper: { fingerprint: P1.fingerprint, manifest: "specs/clips.yaml", model: "klingai:3@1", request: {}, numberResults: 1, tasks: [task(2)], results: [result(2)], ...(picked ? { picked: uuid(picked) } : {}) } },
    takes: { [P1.fingerprint]: { address: "keeper", manifest: "specs/clips.yaml", model: "klingai:3@1", request: {}, tasks: [task(1)], results: [result(1)] } },
  };
}

/** keeper leaves P1 for P2 (an edit, then apply): its P1 entry joins the takes. */
function edited(lock: Lockfile): Lockfile {
  const out = structuredClone(lock);
  archiveEntry(out, "keeper", out.clips.keeper!);
  out.clips.keeper = { fingerprint: P2.fingerprint, manifest: "specs/clips.yaml", model: "klingai:3@1", request: {}, numberResults: 1, tasks: [task(3)], results: [result(3)] };
  return out;
}

const marked = (lock: Lockfile) => takesOf(lock, "keeper").filter((t) => t.picked).map((t) => t.index);

describe("a pick belongs to the request it was made for", () => {
  it("leaving a request remembers its pick among that request's takes; leaving it without one forgets it", () => {
    const picked = edited(onP1(1));
    expect(picked.takes![P1.fingerprint]!.picks).toEqual({ keeper: uuid(1) });
    // The new request has no pick of its own.
    expect(picked.clips.keeper!.picked).toBeUndefined();
    expect(marked(picked)).toEqual([1]);

    const withPick = onP1();
    withPick.takes![P1.fingerprint]!.picks = { keeper: uuid(1), other: uuid(1) };
    const forgotten = edited(withPick);
    expect(forgotten.takes![P1.fingerprint]!.picks).toEqual({ other: uuid(1) });
  });

  it("a revert copies the picked take first and keeps it picked, for that clip only", () => {
    const t = edited(onP1(1)).takes![P1.fingerprint]!;
    const back = takeAsEntry(P1.fingerprint, t, "keeper");
    expect(back.picked).toBe(uuid(1));
    expect(back.results.map((r) => r.videoUUID)).toEqual(["video-1", "video-2"]);
    // Without the pick, the take used last comes first (take 2).
    expect(takeAsEntry(P1.fingerprint, t, "elsewhere").results.map((r) => r.videoUUID)).toEqual(["video-2", "video-1"]);
    expect(takeAsEntry(P1.fingerprint, t, "elsewhere").picked).toBeUndefined();
    // A pick of a take that holds no video any more is not restored.
    expect(restoredPick({ ...t, results: t.results.filter((r) => r.taskUUID !== uuid(1)) }, "keeper")).toBeUndefined();
  });

  it("plan: the revert is a $0 reuse that says it is back on the picked take", () => {
    const p = plan({ clips: [P1], lock: edited(onP1(1)), prices });
    expect(p.changes[0]).toMatchObject({ action: "reuse", generate: 0, reuseFrom: `take:${P1.fingerprint}` });
    expect(p.changes[0]!.reason).toBe(`paid before (a take of keeper that no clip uses now): reuse it at $0, back on take 1 (${uuid(1).slice(0, 8)}), the one picked for this request`);
    expect(plan({ clips: [P1], lock: edited(onP1()), prices }).changes[0]!.reason).toBe("paid before (a take of keeper that no clip uses now): reuse it at $0");
  });

  it("plan: an up-to-date clip names the take it uses by the number pick gives it", () => {
    expect(plan({ clips: [P1], lock: onP1(1), prices }).changes[0]).toMatchObject({ action: "no-op", reason: `up to date; uses picked take 1 (${uuid(1).slice(0, 8)})` });
    // A lockfile pruned by a clipform that dropped picked takes: the pick is said to be lost.
    const pruned = onP1(1);
    delete pruned.takes;
    expect(plan({ clips: [P1], lock: pruned, prices }).changes[0]!.reason).toBe(`up to date; its picked take ${uuid(1).slice(0, 8)} holds no video any more (pruned): it uses its current variants; pick another with clipform pick keeper`);
  });

  it("pick ADDR marks the take used after a revert, picked or not", () => {
    // The entry after a revert: copies of the kept take's videos, none of its tasks.
    const reverted = (picked?: number): Lockfile => {
      const lock = edited(onP1(picked));
      archiveEntry(lock, "keeper", lock.clips.keeper!);
      const source = takeAsEntry(P1.fingerprint, lock.takes![P1.fingerprint]!, "keeper");
      lock.clips.keeper = { ...source, tasks: [], results: source.results.slice(0, 1) };
      return lock;
    };
    expect(marked(reverted(1))).toEqual([1]);
    expect(marked(reverted())).toEqual([2]);
    expect(marked(pickTake(reverted(), "keeper", "1").lock)).toEqual([1]);
  });

  it("a reroll of one variant drops the pick: the clip uses the variants it holds", () => {
    const lock = onP1(2);
    lock.clips.keeper!.tasks.push(task(4));
    lock.clips.keeper!.results.push(result(4));
    applyEvent(lock, { e: "variant", address: "keeper", index: 0, videoUUID: "video-4" }, knownTasks(lock));
    expect(lock.clips.keeper!.picked).toBeUndefined();
    expect(lock.clips.keeper!.results.map((r) => r.videoUUID)).toEqual(["video-4"]);
  });

  it("a picked take's file fetched again is a journal event that replays onto the kept take, twice the same", () => {
    const lock = onP1(1);
    delete lock.takes![P1.fingerprint]!.results[0]!.file;
    const ev = { e: "take-result-update" as const, address: "keeper", fingerprint: P1.fingerprint, videoUUID: "video-1", patch: { file: "out/takes/again.mp4", sha256: "cd", bytes: 7 } };
    applyEvent(lock, ev, knownTasks(lock));
    applyEvent(lock, ev, knownTasks(lock));
    expect(lock.takes![P1.fingerprint]!.results).toEqual([{ ...result(1), file: "out/takes/again.mp4", sha256: "cd", bytes: 7 }]);
    expect(lock.clips.keeper!.results).toEqual([result(2)]);
  });

  it("a reroll of one variant is refused while the clip uses a picked take it does not hold", () => {
    const lock = onP1(1);
    expect(() => plan({ clips: [P1], lock, prices, replace: ["keeper#1"] })).toThrow(/keeper uses its picked take 00000000, not the take whose variants it holds/);
    expect(plan({ clips: [P1], lock: onP1(2), prices, replace: ["keeper#1"] }).changes[0]).toMatchObject({ action: "replace", variant: 1 });
  });
});
