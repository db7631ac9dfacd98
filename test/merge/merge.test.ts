/**
 * mergeLockfiles, rule by rule, from plain data; then a seeded random test that no paid result
 * and no in-flight task is ever lost without a conflict being reported.
 */
import { describe, expect, it } from "vitest";
import { mergeLockfiles } from "../../src/lockfile/merge.js";
import { lockfileSchema, type LockEntry, type Lockfile } from "../../src/lockfile/schema.js";
import { seeded } from "../helpers/apply-sim.js";
import { at, clone, done, entry, lock, LINEAGE, OTHER_LINEAGE, res, task, taskIds, videos } from "./fixtures.js";

describe("mergeLockfiles: entries changed on one side", () => {
  it("keeps clips added on either side, takes one-sided changes, and bumps the serial past both", () => {
    const a = done("a", "A");
    const base = lock({ a }, 5);
    const ours = lock({ a, x: done("x", "X", 1, 10) }, 7);
    const changedA = clone(a);
    const extra = task("succeeded", 20);
    changedA.tasks.push(extra);
    changedA.results.push(res("a", extra, 2));
    const theirs = lock({ a: changedA, y: done("y", "Y", 1, 11) }, 9);

    const { merged, conflicts, resolutions } = mergeLockfiles(base, ours, theirs);
    expect(conflicts).toEqual([]);
    expect(Object.keys(merged.clips)).toEqual(["a", "x", "y"]);
    expect(merged.clips.a).toEqual(changedA);
    expect(merged.clips.x).toEqual(ours.clips.x);
    expect(merged.clips.y).toEqual(theirs.clips.y);
    expect(resolutions).toEqual({ a: "theirs", x: "ours", y: "theirs" });
    expect(merged.serial).toBe(10);
    expect(merged.lineage).toBe(LINEAGE);
    expect(() => lockfileSchema.parse(merged)).not.toThrow();
  });

  it("deletes an entry deleted on one side and unchanged on the other", () => {
    const a = done("a", "A");
    const b = done("b", "B");
    const r = mergeLockfiles(lock({ a, b }), lock({ a }), lock({ a, b }));
    expect(Object.keys(r.merged.clips)).toEqual(["a"]);
    expect(r.resolutions.b).toBe("deleted");
    // and symmetrically
    expect(Object.keys(mergeLockfiles(lock({ a, b }), lock({ a, b }), lock({ b })).merged.clips)).toEqual(["b"]);
  });

  it("keeps an entry deleted on one side while the other side still has a task of it in flight", () => {
    const t = task("submitted", 5);
    const flying = entry("a", "A", [t], []);
    const r = mergeLockfiles(lock({ a: flying }), lock({ a: flying }), lock({}));
    expect(r.merged.clips.a).toEqual(flying);
    expect(r.resolutions.a).toBe("kept");
    expect(r.notes.join("\n")).toMatch(/a: theirs deleted it, but 1 task of it is still in flight/);
  });

  it("keeps the changed entry when the other side deleted it (new results win over a delete)", () => {
    const a = done("a", "A");
    const grown = clone(a);
    const t = task("succeeded", 30);
    grown.tasks.push(t);
    grown.results.push(res("a", t, 2));
    const r = mergeLockfiles(lock({ a }), lock({}), lock({ a: grown }));
    expect(r.conflicts).toEqual([]);
    expect(r.merged.clips.a).toEqual(grown);
    const r2 = mergeLockfiles(lock({ a }), lock({ a: grown }), lock({}));
    expect(r2.merged.clips.a).toEqual(grown);
  });

  it("treats a missing base (the file was added on both sides) as empty", () => {
    const x = done("x", "X");
    const y = done("y", "Y");
    const r = mergeLockfiles(undefined, lock({ x }, 1), lock({ y }, 2));
    expect(Object.keys(r.merged.clips)).toEqual(["x", "y"]);
    expect(r.merged.serial).toBe(3);
  });
});

describe("mergeLockfiles: the same clip changed on both sides", () => {
  it("same fingerprint: unions tasks and results, most advanced status wins, and no paid result is lost", () => {
    const a = done("a", "A", 1, 0);
    const base = lock({ a });
    // Ours: a third variant requested, still in flight (CI timed out and committed the lockfile).
    const ours = clone(base);
    const flying = task("submitted", 10);
    ours.clips.a!.tasks.push(flying);
    // Theirs: resumed that same task (it finished with a result), and added variant 3 with another task.
    const theirs = clone(base);
    const finished = { ...clone(flying), status: "succeeded" as const, finishedAt: at(14) };
    const v2 = res("a", finished, 2);
    const later = task("succeeded", 20);
    const v3 = res("a", later, 3);
    theirs.clips.a!.tasks.push(finished, later);
    theirs.clips.a!.results.push(v2, v3);
    // …and ours also recorded a failed attempt of its own.
    const failedOurs = task("failed", 15);
    ours.clips.a!.tasks.push(failedOurs);

    const r = mergeLockfiles(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.resolutions.a).toBe("combined");
    const m = r.merged.clips.a!;
    expect(videos(m)).toEqual([...videos(a), v2.videoUUID, v3.videoUUID]);
    // Every task of both sides, oldest first; the shared one with its finished status.
    expect(taskIds(m)).toEqual([a.tasks[0]!.taskUUID, flying.taskUUID, failedOurs.taskUUID, later.taskUUID]);
    expect(m.tasks.find((t) => t.taskUUID === flying.taskUUID)).toEqual(finished);
    // Files keep matching their variant index.
    expect(m.results.map((x) => x.file)).toEqual(["clipform-out/a.v1.mp4", "clipform-out/a.v2.mp4", "clipform-out/a.v3.mp4"]);
    expect(() => lockfileSchema.parse(r.merged)).not.toThrow();
  });

  it("same fingerprint: an in-flight task on one side is kept, with the other side's new results", () => {
    const a = done("a", "A", 1, 0);
    const base = lock({ a });
    const ours = clone(base);
    const inFlight = task("submitted", 10, { numberResults: 1 });
    ours.clips.a!.tasks.push(inFlight);
    ours.clips.a!.numberResults = 2;
    const theirs = clone(base);
    const t = task("succeeded", 12);
    theirs.clips.a!.tasks.push(t);
    theirs.clips.a!.results.push(res("a", t, 2));
    const m = mergeLockfiles(base, ours, theirs).merged.clips.a!;
    expect(m.tasks.filter((x) => x.status === "submitted").map((x) => x.taskUUID)).toEqual([inFlight.taskUUID]);
    expect(videos(m)).toEqual(videos(theirs.clips.a));
    expect(m.numberResults).toBe(2); // ours changed it, theirs did not
  });

  it("same fingerprint, both paid for the same new variant: both videos are kept, the second one without a file", () => {
    const a = done("a", "A", 1, 0);
    const base = lock({ a });
    const ours = clone(base);
    const theirs = clone(base);
    const to = task("succeeded", 10);
    const tt = task("succeeded", 11);
    const ro = res("a", to, 2);
    const rt = res("a", tt, 2); // same file name on each branch: clipform-out/a.v2.mp4
    ours.clips.a!.tasks.push(to);
    ours.clips.a!.results.push(ro);
    theirs.clips.a!.tasks.push(tt);
    theirs.clips.a!.results.push(rt);
    const r = mergeLockfiles(base, ours, theirs);
    const m = r.merged.clips.a!;
    expect(videos(m)).toEqual([a.results[0]!.videoUUID, ro.videoUUID, rt.videoUUID]);
    expect(m.results[1]).toEqual(ro);
    // Theirs' video is now variant 3: its recorded file (v2) belongs to ours' video, so it is forgotten.
    const { file, sha256, bytes, ...rest } = rt;
    expect([file, sha256, bytes]).toEqual(["clipform-out/a.v2.mp4", "0".repeat(64), 1234]);
    expect(m.results[2]).toEqual(rest);
    expect(m.results.reduce((s, x) => s + (x.costUsd ?? 0), 0)).toBeCloseTo(3 * 0.1848, 6);
    expect(r.notes.join("\n")).toMatch(/variant 3 .* will be downloaded again/);
  });

  it("same fingerprint: what one side dropped on purpose (a forced replace) stays dropped; in-flight tasks never are", () => {
    const a = done("a", "A", 1, 0);
    const oldFlying = task("submitted", 5);
    a.tasks.push(oldFlying);
    const base = lock({ a });
    // Ours: `--replace a` after the flying task finished: a fresh entry with the same fingerprint.
    const t = task("succeeded", 20);
    const fresh = entry("a", "A", [t], [res("a", t, 1)]);
    const ours = lock({ a: fresh });
    // Theirs: still has the base's task in flight and recorded a failure of its own.
    const theirs = clone(base);
    const f = task("failed", 21);
    theirs.clips.a!.tasks.push(f);
    const m = mergeLockfiles(base, ours, theirs).merged.clips.a!;
    expect(videos(m)).toEqual(videos(fresh)); // the replaced video does not come back
    expect(taskIds(m)).toEqual([oldFlying.taskUUID, t.taskUUID, f.taskUUID]); // the in-flight one is kept
    expect(m.tasks[0]!.status).toBe("submitted");
  });

  it("different fingerprints: the newer request wins when the other side holds nothing new", () => {
    const a = done("a", "A", 1, 0);
    const base = lock({ a });
    const ours = lock({ a: done("a", "A-ours", 1, 10) });
    const theirs = lock({ a: done("a", "A-theirs", 1, 20) });
    const r = mergeLockfiles(base, ours, theirs);
    // Both sides paid for a new request: the newer wins and the other's paid take is kept (format 2)…
    expect(r.conflicts).toEqual([]);
    expect(r.merged.clips.a).toEqual(theirs.clips.a);
    expect(r.merged.takes?.[ours.clips.a!.fingerprint]?.results.map((x) => x.videoUUID)).toEqual(videos(ours.clips.a));
    // …but when ours only changed the request and never generated it, theirs simply wins.
    const oursUnpaid = lock({ a: entry("a", "A-ours", [task("failed", 10)], []) });
    const r2 = mergeLockfiles(base, oursUnpaid, theirs);
    expect(r2.conflicts).toEqual([]);
    expect(r2.merged.clips.a).toEqual(theirs.clips.a);
    expect(r2.resolutions.a).toBe("theirs");
    // Ours newer and theirs with nothing new: ours wins.
    const theirsUnpaid = lock({ a: entry("a", "A-theirs", [task("failed", 5)], []) });
    const r3 = mergeLockfiles(base, ours, theirsUnpaid);
    expect(r3.conflicts).toEqual([]);
    expect(r3.merged.clips.a).toEqual(ours.clips.a);
  });

  it("different fingerprints: a conflict names the address when the older side has paid results or an in-flight task", () => {
    const a = done("a", "A", 1, 0);
    const base = lock({ a });
    // Theirs: a third variant of the old request, paid.
    const theirs = clone(base);
    const t = task("succeeded", 10);
    const paid = res("a", t, 2, 0.5);
    theirs.clips.a!.tasks.push(t);
    theirs.clips.a!.results.push(paid);
    // Ours: the prompt changed and was regenerated later.
    const ours = lock({ a: done("a", "A2", 1, 20) });
    const r = mergeLockfiles(base, ours, theirs);
    // Format 2: the older side's paid results are kept among the takes of their request.
    expect(r.conflicts).toEqual([]);
    expect(r.merged.clips.a).toEqual(ours.clips.a);
    expect(r.merged.takes?.[theirs.clips.a!.fingerprint]?.results.map((x) => x.videoUUID)).toContain(paid.videoUUID);
    expect(r.notes.join("\n")).toContain("kept theirs's 1 paid result among the takes");

    // An in-flight task the newer side never saw: a conflict (a take is never polled).
    const theirs2 = clone(base);
    const flying = task("submitted", 10);
    theirs2.clips.a!.tasks.push(flying);
    const r2 = mergeLockfiles(base, ours, theirs2);
    expect(r2.conflicts.map((c) => c.address)).toEqual(["a"]);
    expect(r2.conflicts[0]!.reason).toContain(flying.taskUUID);
    expect(r2.conflicts[0]!.reason).toMatch(/in flight/);
  });

  it("different fingerprints: results of a task the newer side had seen in flight are not a conflict", () => {
    // Base: a task in flight. Theirs (main's CI) resumed it. Ours resumed it too, then replaced the clip.
    const t0 = task("submitted", 0);
    const base = lock({ a: entry("a", "A", [t0], []) });
    const theirs = clone(base);
    theirs.clips.a!.tasks[0] = { ...t0, status: "succeeded", finishedAt: at(4) };
    theirs.clips.a!.results.push(res("a", t0, 1));
    const ours = lock({ a: done("a", "A2", 1, 30) });
    const r = mergeLockfiles(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.merged.clips.a).toEqual(ours.clips.a);
  });

  it("identical changes on both sides merge to that change", () => {
    const a = done("a", "A");
    const changed = done("a", "A2", 1, 9);
    const r = mergeLockfiles(lock({ a }), lock({ a: changed }), lock({ a: clone(changed) }));
    expect(r.merged.clips.a).toEqual(changed);
    expect(r.resolutions.a).toBe("unchanged");
  });
});

describe("mergeLockfiles: lineage", () => {
  it("refuses lockfiles of different lineages with a clear message", () => {
    expect(() => mergeLockfiles(undefined, lock({}, 1, LINEAGE), lock({}, 1, OTHER_LINEAGE))).toThrow(
      /different lineages \(ours 11111111-1111-4111-8111-111111111111, theirs 22222222-2222-4222-8222-222222222222\).*Nothing was changed/,
    );
  });

  it("a base of another lineage is ignored: entries of both sides are kept", () => {
    const a = done("a", "A");
    const r = mergeLockfiles(lock({ a }, 1, OTHER_LINEAGE), lock({}), lock({ a }));
    expect(Object.keys(r.merged.clips)).toEqual(["a"]); // not treated as "deleted by ours"
  });
});

// ---------------------------------------------------------------------------------------------
// Random histories: branches that do what apply does (the planner resumes in-flight tasks before
// anything else), then every paid or in-flight record must survive the merge, unless the address
// is reported as a conflict or the other side had that record too and dropped it on purpose.

type Clips = Record<string, LockEntry>;

/** Like the API: polling the same task gives the same video, whichever branch polls it. */
const videoOf = (taskUUID: string) => `aaaaaaaa${taskUUID.slice(8)}`;

function step(clips: Clips, address: string, rnd: () => number, clock: { t: number }, seen: Set<string>): void {
  const e = clips[address];
  const now = () => (clock.t += 1);
  const record = (x: LockEntry) => {
    for (const r of x.results) seen.add(r.videoUUID);
    return x;
  };
  const flying = e?.tasks.filter((t) => t.status === "submitted") ?? [];
  const op = Math.floor(rnd() * 7);
  if (!e) {
    if (op < 4) clips[address] = record(done(address, `${address}-${Math.floor(rnd() * 3)}`, 1, now()));
    return;
  }
  if (flying.length > 0) {
    if (op < 4)
      for (const t of flying) {
        t.status = "succeeded";
        t.finishedAt = at(now());
        e.results.push({ ...res(address, t, e.results.length + 1), videoUUID: videoOf(t.taskUUID) });
        record(e);
      }
    return;
  }
  switch (op) {
    case 0: {
      const t = task("succeeded", now());
      e.tasks.push(t);
      e.results.push(res(address, t, e.results.length + 1));
      record(e);
      break;
    }
    case 1:
      e.tasks.push(task("submitted", now()));
      break;
    case 2:
      e.tasks.push(task("failed", now()));
      break;
    case 3: // replace: a new request
      clips[address] = record(done(address, `${address}-${Math.floor(rnd() * 3)}-${now()}`, 1, clock.t));
      break;
    case 4: // forced replace: same request, fresh generation
      clips[address] = record(done(address, e.request.positivePrompt as string, 1, now()));
      break;
    case 5:
      delete clips[address];
      break;
    default:
      break;
  }
}

function history(start: Clips, rnd: () => number, clock: { t: number }): { clips: Clips; seen: Set<string> } {
  const clips = clone(start);
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++) for (const address of ["a", "b", "c"]) if (rnd() < 0.5) step(clips, address, rnd, clock, seen);
  return { clips, seen };
}

const paidOrFlying = (l: Lockfile, address: string) => {
  const e = l.clips[address];
  // Paid videos may be kept among the takes (format 2) rather than in the clip's entry.
  const kept = Object.values(l.takes ?? {}).filter((t) => t.address === address).flatMap((t) => t.results.map((r) => r.videoUUID));
  return { videos: [...videos(e), ...kept], flying: (e?.tasks ?? []).filter((t) => t.status === "submitted").map((t) => t.taskUUID) };
};

describe("mergeLockfiles: random histories", () => {
  it("never loses a result or an in-flight task that a side added, unless it reports a conflict; symmetric; valid output", () => {
    const rnd = seeded(20260101);
    let conflicts = 0;
    let combined = 0;
    for (let run = 0; run < 400; run++) {
      const clock = { t: run * 1000 };
      const base = lock(history({}, rnd, clock).clips, 3);
      const o = history(base.clips, rnd, clock);
      const t = history(base.clips, rnd, clock);
      const ours = lock(o.clips, 4);
      const theirs = lock(t.clips, 6);
      const r = mergeLockfiles(base, ours, theirs);
      const swapped = mergeLockfiles(base, theirs, ours);
      expect(swapped.conflicts.map((c) => c.address)).toEqual(r.conflicts.map((c) => c.address));
      expect(() => lockfileSchema.parse(r.merged)).not.toThrow();
      expect(r.merged.serial).toBe(7);
      conflicts += r.conflicts.length;
      combined += Object.values(r.resolutions).filter((x) => x === "combined").length;
      const conflicted = new Set(r.conflicts.map((c) => c.address));
      for (const address of ["a", "b", "c"]) {
        if (conflicted.has(address)) continue;
        const m = paidOrFlying(r.merged, address);
        const b = paidOrFlying(base, address);
        for (const [side, other] of [
          [ours, t.seen],
          [theirs, o.seen],
        ] as const) {
          const s = paidOrFlying(side, address);
          const lostVideos = s.videos.filter((v) => !b.videos.includes(v) && !m.videos.includes(v) && !other.has(v));
          const lostTasks = s.flying.filter((x) => !b.flying.includes(x) && !m.flying.includes(x));
          expect({ run, address, lostVideos, lostTasks }).toEqual({ run, address, lostVideos: [], lostTasks: [] });
        }
        // Same set of records whichever side is "ours".
        const sw = paidOrFlying(swapped.merged, address);
        expect([...sw.videos].sort()).toEqual([...m.videos].sort());
        expect([...sw.flying].sort()).toEqual([...m.flying].sort());
        // Files still match their variant index and are never claimed twice.
        const files = (r.merged.clips[address]?.results ?? []).map((x, i) => [x.file, i] as const).filter(([f]) => f);
        for (const [f, i] of files) expect(f).toBe(`clipform-out/${address}.v${i + 1}.mp4`);
      }
    }
    // The histories exercise both the union and the conflict paths.
    expect(combined).toBeGreaterThan(20);
    expect(conflicts).toBeGreaterThan(5);
  });
});
