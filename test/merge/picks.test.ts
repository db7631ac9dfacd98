/**
 * The merge driver merges picks clip by clip: a clip entry's pick like its other fields (the side
 * that changed it, ours when both did), and the picks a request's takes remember, address by
 * address, three-way.
 */
import { describe, expect, it } from "vitest";
import { mergeLockfiles } from "../../src/lockfile/merge.js";
import { lockfileSchema, type Lockfile, type LockTake } from "../../src/lockfile/schema.js";
import { archiveEntry } from "../../src/lockfile/takes.js";
import { clone, done, lock, res, task } from "./fixtures.js";

/** keeper with two takes of one request: take 1 kept, take 2 in its entry. */
function twoTakes(): Lockfile {
  const keeper = done("keeper", "K", 1, 10);
  const first = task("succeeded", 0);
  const kept: LockTake = { address: "keeper", manifest: "specs/clips.yaml", model: "klingai:3@1", request: keeper.request, tasks: [first], results: [res("keeper", first, 1)] };
  return { ...lock({ keeper }), takes: { [keeper.fingerprint]: kept } };
}

const picks = (l: Lockfile) => l.takes?.["fp-K"]?.picks;

describe("mergeLockfiles: picks", () => {
  it("a pick made on one side, the entry untouched on the other: the pick is kept", () => {
    const base = twoTakes();
    const theirs = clone(base);
    theirs.clips.keeper!.picked = base.takes!["fp-K"]!.tasks[0]!.taskUUID;
    const { merged, conflicts } = mergeLockfiles(base, clone(base), theirs);
    expect(conflicts).toEqual([]);
    expect(merged.clips.keeper!.picked).toBe(theirs.clips.keeper!.picked);
  });

  it("a pick on one side while the other recorded more for the same request: both are kept", () => {
    const base = twoTakes();
    const ours = clone(base);
    const extra = task("succeeded", 20);
    ours.clips.keeper!.tasks.push(extra);
    ours.clips.keeper!.results.push(res("keeper", extra, 2));
    ours.clips.keeper!.numberResults = 2;
    const theirs = clone(base);
    const take1 = base.takes!["fp-K"]!.tasks[0]!.taskUUID;
    theirs.clips.keeper!.picked = take1;
    const { merged, resolutions } = mergeLockfiles(base, ours, theirs);
    expect(resolutions.keeper).toBe("combined");
    expect(merged.clips.keeper!.picked).toBe(take1);
    expect(merged.clips.keeper!.tasks.map((t) => t.taskUUID)).toEqual(ours.clips.keeper!.tasks.map((t) => t.taskUUID));
    // Both sides picked, differently: ours.
    const oursPicked = clone(ours);
    oursPicked.clips.keeper!.picked = extra.taskUUID;
    expect(mergeLockfiles(base, oursPicked, theirs).merged.clips.keeper!.picked).toBe(extra.taskUUID);
  });

  it("the picks a request's takes remember merge address by address", () => {
    const base = twoTakes();
    const take1 = base.takes!["fp-K"]!.tasks[0]!.taskUUID;
    const take2 = base.clips.keeper!.tasks[0]!.taskUUID;
    base.takes!["fp-K"]!.picks = { gone: take1, keeper: take1 };
    const ours = clone(base);
    ours.takes!["fp-K"]!.picks = { gone: take1, keeper: take2, mine: take1 };
    const theirs = clone(base);
    theirs.takes!["fp-K"]!.tasks.push(task("succeeded", 30)); // the take changed on both sides
    theirs.takes!["fp-K"]!.picks = { theirs: take2, keeper: take1 };
    const { merged } = mergeLockfiles(base, ours, theirs);
    // keeper changed on ours only; `gone` forgotten on theirs only; each side's new address kept.
    expect(picks(merged)).toEqual({ keeper: take2, mine: take1, theirs: take2 });
    expect(merged.takes!["fp-K"]!.tasks).toHaveLength(2);
    expect(() => lockfileSchema.parse(merged)).not.toThrow();
  });

  it("a request replaced on both sides: the loser's pick is remembered with its takes", () => {
    const base = twoTakes();
    const take1 = base.takes!["fp-K"]!.tasks[0]!.taskUUID;
    const ours = clone(base);
    ours.clips.keeper!.picked = take1;
    const theirs = clone(base);
    archiveEntry(theirs, "keeper", theirs.clips.keeper!); // theirs left request K, with no pick…
    theirs.clips.keeper = done("keeper", "K2", 1, 40); // …for K2, newer: theirs wins
    const { merged, conflicts } = mergeLockfiles(base, ours, theirs);
    expect(conflicts).toEqual([]);
    expect(merged.clips.keeper!.fingerprint).toBe("fp-K2");
    expect(picks(merged)).toEqual({ keeper: take1 });
  });
});
