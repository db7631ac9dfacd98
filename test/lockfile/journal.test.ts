/**
 * The write-ahead journal, in process with real files: what an apply appends is what a replay
 * rebuilds, replaying twice (or onto a lockfile that already holds it) changes nothing, a torn
 * last line is ignored and a damaged one refused, and the lockfile is rewritten only now and then.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { newEntry } from "../../src/lockfile/entries.js";
import { emptyLockfile, readLockfile, serializeLockfile } from "../../src/lockfile/io.js";
import { abandoned, foldJournals, journalDir, pendingJournals, readJournal, removeJournals } from "../../src/lockfile/journal.js";
import type { Lockfile, LockTask } from "../../src/lockfile/schema.js";
import { LockStore, type StoreOptions } from "../../src/lockfile/store.js";
import { fileStamp } from "../../src/util/stamp.js";
import { desired, entryFor, lockWith, uuid } from "../helpers/plan-data.js";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function setup(lock: Lockfile = lockWith({ x: entryFor(desired("x")) }), opts: StoreOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), "clipform-journal-"));
  dirs.push(dir);
  const path = join(dir, "clipform.lock.json");
  writeFileSync(path, serializeLockfile(lock));
  const store = new LockStore(path, readLockfile(path).lock, fileStamp(path), () => {}, [], { journalDir: journalDir(path), ...opts });
  return { dir, path, store };
}

const task = (taskUUID = uuid()): LockTask => ({ taskUUID, numberResults: 1, status: "submitted", submittedAt: "2026-01-01T00:10:00Z" });

/** The record as the next start would read it. */
function replayed(path: string): Lockfile {
  const { lock, exists } = readLockfile(path);
  return foldJournals(lock, pendingJournals(path), exists);
}

/** What the store holds, without the serial (only lockfile writes count it). */
const body = (l: Lockfile) => JSON.parse(serializeLockfile({ ...l, serial: 0 })) as unknown;

/** A run of every kind of record: new clip, acknowledgement, result, download, replace, copy, delete. */
function record(store: LockStore, dir: string): void {
  const y = desired("y");
  const t1 = uuid();
  store.addTask("y", task(t1), () => newEntry(y));
  store.updateTask("y", t1, { acceptedAt: "2026-01-01T00:10:01Z" });
  store.addResults("y", [{ taskUUID: t1, videoUUID: "v1", costUsd: 0.18 }]);
  mkdirSync(join(dir, "out"), { recursive: true });
  writeFileSync(join(dir, "out", "y.mp4"), "video");
  store.updateResult("y", "v1", { file: "out/y.mp4", bytes: 5 });
  store.updateTask("y", t1, { status: "succeeded", finishedAt: "2026-01-01T00:11:00Z" });
  // A replace: the old generation joins the takes, its file moves to its per-take path.
  const y2 = desired("y", { positivePrompt: "another prompt for y" });
  const t2 = uuid();
  store.addTask("y", task(t2), () => newEntry(y2), { fresh: true });
  store.addResults("y", [{ taskUUID: t2, videoUUID: "v2", costUsd: 0.18 }]);
  // A copy to another address, and a delete.
  store.set("z", { ...newEntry(desired("z")), results: [{ taskUUID: t1, videoUUID: "v1" }] });
  store.delete("x");
}

describe("journal", () => {
  it("appends each record as one line and rebuilds exactly what the store holds, without writing the lockfile", () => {
    const { dir, path, store } = setup();
    const before = readFileSync(path, "utf8");
    record(store, dir);
    store.flush();
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(store.writes).toBe(0);
    const [journal] = pendingJournals(path);
    expect(journal).toBe(store.journalPath);
    const { header, events } = readJournal(journal!);
    expect(header).toMatchObject({ journal: 1, lineage: store.lock.lineage });
    expect(events.map((e) => e.e)).toEqual(["task", "task-update", "results", "result-update", "task-update", "retire", "task", "results", "set", "retire"]);
    const back = replayed(path);
    expect(body(back)).toEqual(body(store.lock));
    const kept = Object.values(back.takes ?? {}).flatMap((t) => t.results).find((r) => r.videoUUID === "v1");
    expect(kept?.file).toMatch(/^out\/takes\/.+-y\.mp4$/);
    expect(existsSync(join(dir, kept!.file!))).toBe(true);
  });

  it("is idempotent: replayed twice, or onto a lockfile that already holds it, nothing is added twice", () => {
    const { dir, path, store } = setup();
    record(store, dir);
    store.flush();
    const once = replayed(path);
    const journals = pendingJournals(path);
    expect(body(foldJournals(once, journals))).toEqual(body(once));
    // A crash after the lockfile was written and before the journal went: both are read.
    writeFileSync(path, serializeLockfile(once));
    expect(body(replayed(path))).toEqual(body(once));
    const tasks = Object.values(replayed(path).takes ?? {}).flatMap((t) => t.tasks.map((x) => x.taskUUID));
    expect(new Set(tasks).size).toBe(tasks.length);
  });

  it("ignores a torn last line (a kill in the middle of an append) and refuses a damaged one before it", () => {
    const { path, store } = setup();
    const t = uuid();
    store.addTask("x", task(t), () => entryFor(desired("x")));
    store.flush();
    const journal = store.journalPath!;
    appendFileSync(journal, JSON.stringify({ e: "task-update", address: "x", taskUUID: t, patch: { status: "failed" } }).slice(0, 30));
    const back = replayed(path);
    expect(back.clips.x!.tasks.find((k) => k.taskUUID === t)?.status).toBe("submitted");
    // Even a complete-looking last line without its newline was cut short: ignored.
    writeFileSync(journal, readFileSync(journal, "utf8").replace(/\n[^\n]*$/, "\n") + JSON.stringify({ e: "delete", address: "x" }));
    expect(replayed(path).clips.x).toBeDefined();
    writeFileSync(journal, readFileSync(journal, "utf8").replace(/\n[^\n]*$/, "\n").replace('"task"', '"ta') + "\n");
    expect(() => replayed(path)).toThrow(/journal of an earlier apply is damaged/);
  });

  it("refuses a journal of another lockfile, and gives its lineage to a lockfile its run was creating", () => {
    const { dir, path, store } = setup(emptyLockfile());
    store.addTask("y", task(), () => newEntry(desired("y")));
    store.flush();
    writeFileSync(path, serializeLockfile(lockWith({})));
    expect(() => replayed(path)).toThrow(/holds records of an apply on another lockfile/);
    rmSync(path);
    const back = replayed(path);
    expect(back.lineage).toBe(store.lock.lineage);
    expect(back.clips.y?.tasks).toHaveLength(1);
    expect(dir).toBeTruthy();
  });

  it("folds into the lockfile after a bounded number of events, then starts a new journal file", () => {
    const { path, store } = setup(undefined, { foldEvents: 5, foldMs: 3_600_000 });
    const first: string[] = [];
    for (let i = 0; i < 4; i++) {
      const t = uuid();
      first.push(t);
      store.addTask("x", task(t), () => entryFor(desired("x")));
    }
    store.flush();
    expect(store.writes).toBe(0);
    const journal = store.journalPath!;
    store.addTask("x", task(), () => entryFor(desired("x")));
    store.flush();
    expect(store.writes).toBe(1);
    expect(existsSync(journal)).toBe(false);
    expect(pendingJournals(path)).toEqual([]);
    expect(readLockfile(path).lock.clips.x!.tasks.map((t) => t.taskUUID)).toEqual(expect.arrayContaining(first));
    store.updateTask("x", first[0]!, { status: "failed" });
    store.flush();
    expect(store.journalPath).not.toBe(journal);
    store.close();
    expect(pendingJournals(path)).toEqual([]);
    expect(readLockfile(path).lock.clips.x!.tasks.find((t) => t.taskUUID === first[0])?.status).toBe("failed");
  });

  it("folds after some time even with few events", () => {
    let now = 0;
    const { path, store } = setup(undefined, { foldMs: 10_000, now: () => now });
    store.addTask("x", task(), () => entryFor(desired("x")));
    store.flush();
    expect(store.writes).toBe(0);
    now = 10_000;
    store.flush();
    expect(store.writes).toBe(1);
    expect(pendingJournals(path)).toEqual([]);
  });

  it("writes O(record) per event: the journal grows by a line, not by the lockfile", () => {
    const clips = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`c${i}`, entryFor(desired(`c${i}`))]));
    const { path, store } = setup(lockWith(clips));
    const lockBytes = readFileSync(path).length;
    for (let i = 0; i < 100; i++) {
      store.addTask(`c${i}`, task(), () => entryFor(desired(`c${i}`)));
      store.flush();
    }
    expect(store.writes).toBe(0);
    expect(store.journalBytes / 100).toBeLessThan(lockBytes / 50);
  });

  it("durable() writes and fsyncs what was appended, and never folds; lines wait in memory until then", () => {
    const { store } = setup(undefined, { foldEvents: 2, foldMs: 3_600_000 });
    const lines = () => readFileSync(store.journalPath!, "utf8").split("\n").filter(Boolean).length;
    store.addTask("x", task(), () => entryFor(desired("x")));
    store.addTask("x", task(), () => entryFor(desired("x")));
    store.addTask("x", task(), () => entryFor(desired("x")));
    expect(lines()).toBe(1); // the header, written when the file was made
    store.durable();
    expect(lines()).toBe(4);
    expect(store.writes).toBe(0); // past foldEvents, but durable() leaves folding to flush()
    store.flush();
    expect(store.writes).toBe(1);
    store.close();
  });

  it("folds by rewriting only the entries that changed: the text is byte for byte a full serialization", () => {
    // Keys a plain sort and JSON.stringify order differently (integer-like ones), and non-ASCII.
    const clips = Object.fromEntries(["b", "10", "9", "a/x", "Z", "é"].map((a) => [a, entryFor(desired(a, { positivePrompt: `Shot ${a} ✨` }))]));
    const { dir, path, store } = setup(lockWith(clips));
    const t = uuid();
    store.addTask("9", task(t), () => entryFor(desired("9")));
    store.fold();
    expect(store.writes).toBe(1);
    expect(readFileSync(path, "utf8")).toBe(serializeLockfile(store.lock));
    store.updateTask("9", t, { acceptedAt: "2026-01-01T00:10:01Z" });
    store.fold();
    expect(readLockfile(path).lock.clips["9"]!.tasks.find((k) => k.taskUUID === t)?.acceptedAt).toBe("2026-01-01T00:10:01Z");
    record(store, dir);
    store.fold();
    expect(readFileSync(path, "utf8")).toBe(serializeLockfile(store.lock));
    store.close();
    expect(readFileSync(path, "utf8")).toBe(serializeLockfile(store.lock));
    expect(Object.keys(readLockfile(path).lock.clips)).toEqual(["9", "10", "Z", "a/x", "b", "y", "z", "é"]);
  });

  it("never removes a journal its writer still appends to; removes one whose writer is gone", () => {
    const { path, store } = setup();
    store.addTask("x", task(), () => entryFor(desired("x")));
    store.flush();
    const live = store.journalPath!;
    expect(abandoned(live)).toBe(false);
    removeJournals([live]);
    expect(existsSync(live)).toBe(true);
    // A journal left by a process that is gone (a pid that cannot be alive).
    const dead = join(journalDir(path), "20260101T000000-000Z-2147483646-000001-0123abcd.jsonl");
    writeFileSync(dead, readFileSync(live));
    expect(abandoned(dead)).toBe(true);
    removeJournals([dead]);
    expect(existsSync(dead)).toBe(false);
    store.close();
    expect(existsSync(live)).toBe(false);
  });
});
