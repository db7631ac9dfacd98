/**
 * The lockfile store under foreign writes (a git pull, an editor) during an apply: nothing this
 * run recorded is lost, and nothing someone else wrote is overwritten.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readLockfile, serializeLockfile } from "../../src/lockfile/io.js";
import { LockStore, rescuePath } from "../../src/lockfile/store.js";
import { fileStamp } from "../../src/util/stamp.js";
import { desired, entryFor, lockWith, uuid } from "../helpers/plan-data.js";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "clipform-store-"));
  dirs.push(dir);
  const path = join(dir, "clipform.lock.json");
  const x = desired("x");
  const lock = lockWith({ x: entryFor(x) });
  writeFileSync(path, serializeLockfile(lock));
  const notes: string[] = [];
  const store = new LockStore(path, readLockfile(path).lock, fileStamp(path), (m) => notes.push(m));
  return { dir, path, store, notes, x };
}

const later = () => new Promise((r) => setTimeout(r, 15)); // a distinct mtime for the foreign write

describe("LockStore", () => {
  it("changes records only through its API, looked up by id, and writes only when something changed", () => {
    const { path, store } = setup();
    const before = readFileSync(path, "utf8");
    expect(store.updateTask("x", uuid(), { status: "failed" })).toBe(false);
    expect(store.updateResult("nope", "v", { seed: 1 })).toBe(false);
    store.flush();
    expect(readFileSync(path, "utf8")).toBe(before);
    const t = uuid();
    store.addTask("x", { taskUUID: t, numberResults: 1, status: "submitted", submittedAt: "2026-01-01T00:10:00Z" }, () => entryFor(desired("x")));
    expect(store.task("x", t)?.status).toBe("submitted");
    expect(store.updateTask("x", t, { status: "succeeded" })).toBe(true);
    store.flush();
    expect(readLockfile(path).lock.clips.x!.tasks.find((k) => k.taskUUID === t)?.status).toBe("succeeded");
  });

  it("keeps a task in flight when an older copy of its entry is written back meanwhile", async () => {
    const { path, store } = setup();
    const old = readFileSync(path, "utf8");
    const t = uuid();
    store.addTask("x", { taskUUID: t, numberResults: 1, status: "submitted", submittedAt: "2026-01-01T00:10:00Z" }, () => entryFor(desired("x")));
    store.flush();
    await later();
    writeFileSync(path, old); // git stash / an editor's stale buffer
    expect(store.updateTask("x", t, { acceptedAt: "2026-01-01T00:10:01Z" })).toBe(true);
    store.flush();
    expect(readLockfile(path).lock.clips.x!.tasks.map((x) => x.taskUUID)).toContain(t);
  });

  it("merges an entry added by someone else", async () => {
    const { path, store, notes } = setup();
    await later();
    const theirs = readLockfile(path).lock;
    theirs.clips.y = entryFor(desired("y", { positivePrompt: "Pulled from git" }));
    writeFileSync(path, serializeLockfile({ ...theirs, serial: theirs.serial + 3 }));
    expect(store.updateResult("x", store.entry("x")!.results[0]!.videoUUID, { seed: 7 })).toBe(true);
    store.flush();
    const after = readLockfile(path).lock;
    expect(Object.keys(after.clips).sort()).toEqual(["x", "y"]);
    expect(after.clips.x!.results[0]!.seed).toBe(7);
    expect(notes).toEqual(["the lockfile was changed while this apply ran: merged it clip by clip"]);
  });

  it("never overwrites a lockfile it cannot read: its own records go to a rescue file", async () => {
    const { path, store, notes } = setup();
    await later();
    const conflicted = `<<<<<<< ours\n${readFileSync(path, "utf8")}=======\n{}\n>>>>>>> theirs\n`;
    writeFileSync(path, conflicted);
    store.updateResult("x", store.entry("x")!.results[0]!.videoUUID, { seed: 8 });
    store.flush();
    expect(readFileSync(path, "utf8")).toBe(conflicted);
    expect(store.rescued).toBe(rescuePath(path));
    expect(existsSync(rescuePath(path))).toBe(true);
    expect(readLockfile(rescuePath(path)).lock.clips.x).toBeDefined();
    expect(notes[0]).toMatch(/cannot be read .*this apply's records now go to .*lockfile\.rescued\.json/);
  });
});
