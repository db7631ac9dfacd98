/**
 * `clipform pick` and `clipform prune` read the record the way plan does: a journal left by an
 * interrupted apply is part of it. The pick is made on it, written into the lockfile, and the
 * journal (now held by the lockfile) goes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newEntry } from "../../src/lockfile/entries.js";
import { readLockfile, serializeLockfile } from "../../src/lockfile/io.js";
import { journalDir, pendingJournals } from "../../src/lockfile/journal.js";
import { LockStore } from "../../src/lockfile/store.js";
import { fileStamp } from "../../src/util/stamp.js";
import { cli, project } from "../helpers/cli.js";
import { desired, entryFor, lockWith } from "../helpers/plan-data.js";

const T2 = "00000000-0000-4000-8000-0000000000f2";

/** A project whose lockfile has one take of x, and a journal (its writer gone) with a second. */
function interrupted(replace = false): string {
  const x = desired("x");
  // A replace: the first take is kept among the takes, used by no clip.
  const next = replace ? desired("x", { positivePrompt: "another prompt" }) : x;
  const dir = project({ "specs/clips.yaml": "version: 1\nclips: {}\n" });
  const path = join(dir, "clipform.lock.json");
  writeFileSync(path, serializeLockfile({ ...lockWith({ x: entryFor(x) }), format_version: 2 }));
  const store = new LockStore(path, readLockfile(path).lock, fileStamp(path), () => {}, [], { journalDir: journalDir(path) });
  store.addTask("x", { taskUUID: T2, numberResults: 1, status: "submitted", submittedAt: "2026-02-01T00:00:00Z" }, () => newEntry(next), replace ? { fresh: true } : {});
  store.addResults("x", [{ taskUUID: T2, videoUUID: "v-second", costUsd: 0.18 }]);
  store.updateTask("x", T2, { status: "succeeded", finishedAt: "2026-02-01T00:05:00Z" });
  store.flush();
  // The writer is gone: its journal stays, under a name whose pid cannot be alive.
  const live = store.journalPath!;
  const dead = join(journalDir(path), "20260101T000000-000Z-2147483646-000001-0123abcd.jsonl");
  writeFileSync(dead, readFileSync(live));
  store.close();
  return dir;
}

describe("pick and prune read the journal of an interrupted apply", () => {
  it("pick lists and picks a take only the journal holds; the lockfile then holds it and the journal goes", async () => {
    const dir = interrupted();
    const path = join(dir, "clipform.lock.json");
    expect(pendingJournals(path)).toHaveLength(1);
    const list = await cli(["pick", "x"], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/ 2 {2}00000000 .*succeeded/);
    const picked = await cli(["pick", "x", "2"], { cwd: dir });
    expect(picked.code, picked.stderr).toBe(0);
    const lock = readLockfile(path).lock;
    expect(lock.clips.x!.picked).toBe(T2);
    expect(lock.clips.x!.results.map((r) => r.videoUUID)).toContain("v-second");
    expect(pendingJournals(path)).toEqual([]);
  });

  it("prune drops a take the journal made unused, and writes the journal's records into the lockfile", async () => {
    const dir = interrupted(true);
    const path = join(dir, "clipform.lock.json");
    const r = await cli(["prune"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dropped take .* of x: 1 task, 1 video, cost \$0\.18/m);
    expect(readLockfile(path).lock.clips.x!.tasks.map((t) => t.taskUUID)).toContain(T2);
    expect(pendingJournals(path)).toEqual([]);
  });
});
