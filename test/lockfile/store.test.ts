/**
 * The lockfile store under foreign writes (a git pull, an editor) during an apply: nothing this
 * run recorded is lost, and nothing someone else wrote is overwritten.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseLockfile, readLockfile, serializeLockfile } from "../../src/lockfile/io.js";
import { plan } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { foldRescues, pendingRescues } from "../../src/lockfile/rescue.js";
import { LockStore } from "../../src/lockfile/store.js";
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
    expect(pendingRescues(path)).toEqual([store.rescued]);
    expect(existsSync(store.rescued!)).toBe(true);
    expect(readLockfile(store.rescued!).lock.clips.x).toBeDefined();
    expect(notes[0]).toMatch(/cannot be read .*this apply's records now go to .*lockfile\.rescued\..*\.json.*the next plan or apply folds them in/);
  });

  it("rescues are never overwritten, and every later plan folds them in; the next write brings them into the lockfile", async () => {
    const { path, store, x } = setup();
    const clean = readFileSync(path, "utf8");
    await later();
    const conflicted = `<<<<<<< ours\n${clean}=======\n{}\n>>>>>>> theirs\n`;
    writeFileSync(path, conflicted);
    const t1 = uuid();
    store.addTask("x", { taskUUID: t1, numberResults: 1, status: "succeeded", submittedAt: "2026-01-01T00:10:00Z" }, () => entryFor(x));
    store.flush();
    // A second run meets the same broken lockfile: its own rescue file, the first one intact.
    const first = readFileSync(store.rescued!, "utf8");
    const second = new LockStore(path, parseLockfile(clean, path), fileStamp(path) + "-stale");
    const t2 = uuid();
    const y = desired("y", { positivePrompt: "second run" });
    second.addTask("y", { taskUUID: t2, numberResults: 1, status: "succeeded", submittedAt: "2026-01-01T00:11:00Z" }, () => entryFor(y, 1));
    second.flush();
    expect(second.rescued).not.toBe(store.rescued);
    expect(readFileSync(store.rescued!, "utf8")).toBe(first);
    const rescues = pendingRescues(path);
    expect(rescues).toHaveLength(2);

    // The user fixes the conflict without merging the rescues back: plans still see every record.
    writeFileSync(path, clean);
    const folded = foldRescues(readLockfile(path).lock, rescues);
    const p = plan({ clips: [x, y], lock: folded, prices: priceBook(folded), files: new Map([...Object.values(folded.clips)].flatMap((e) => e.results.map((r) => [r.file!, "ok" as const]))) });
    expect(p.changes.map((c) => [c.address, c.action])).toEqual([
      ["x", "no-op"],
      ["y", "no-op"],
    ]);
    expect(p.summary.estimated_cost_usd).toBe(0);
    // The next apply writes them into the lockfile, then removes the rescue files.
    const next = new LockStore(path, folded, fileStamp(path), () => {}, rescues);
    next.flush();
    expect(pendingRescues(path)).toEqual([]);
    const tasks = Object.values(readLockfile(path).lock.clips).flatMap((e) => e.tasks.map((t) => t.taskUUID));
    expect(tasks).toEqual(expect.arrayContaining([t1, t2]));
  });

  it("a rescue that conflicts with the lockfile is refused, with the command to merge it", () => {
    const { path, x } = setup();
    const dir = join(path, "..", ".clipform");
    mkdirSync(dir, { recursive: true });
    const other = lockWith({ x: entryFor(desired("x", { positivePrompt: "changed" }), 0, { tasks: [{ taskUUID: uuid(), numberResults: 1, status: "submitted", submittedAt: "2025-01-01T00:00:00Z" }] }) }); // an older request still in flight
    writeFileSync(join(dir, "lockfile.rescued.json"), serializeLockfile(other));
    expect(x.address).toBe("x");
    expect(() => foldRescues(readLockfile(path).lock, pendingRescues(path))).toThrow(/lockfile\.rescued\.json holds records of an earlier apply that conflict with clipform\.lock\.json at x\. Nothing was sent\. Merge it by hand with `clipform lock merge/);
  });
});
