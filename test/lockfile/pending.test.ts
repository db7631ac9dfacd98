/**
 * Journals and rescued records of earlier applies must be folded in before anything is planned or
 * sent. Only a folder that does not exist means there are none: a folder that cannot be listed
 * stops the command instead of reading as "nothing to fold" (which could pay twice).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readCurrentRecord } from "../../src/lockfile/current.js";
import { serializeLockfile } from "../../src/lockfile/io.js";
import { journalDir, pendingJournals } from "../../src/lockfile/journal.js";
import { pendingRescues } from "../../src/lockfile/rescue.js";
import { ClipformError } from "../../src/errors.js";
import { lockWith } from "../helpers/plan-data.js";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "clipform-pending-"));
  dirs.push(dir);
  const lockPath = join(dir, "clipform.lock.json");
  writeFileSync(lockPath, serializeLockfile(lockWith({})));
  return lockPath;
}

describe("pending journals and rescues", () => {
  it("none when the state folder does not exist yet", () => {
    const lockPath = project();
    expect(pendingJournals(lockPath)).toEqual([]);
    expect(pendingRescues(lockPath)).toEqual([]);
    expect(readCurrentRecord(lockPath).journals).toEqual([]);
  });

  it("lists a journal folder's journals, oldest first, and nothing else in it", () => {
    const lockPath = project();
    const dir = journalDir(lockPath);
    mkdirSync(dir, { recursive: true });
    const later = "20260102T000000-000Z-42-000001-0123abcd.jsonl";
    const earlier = "20260101T000000-000Z-42-000001-0123abcd.jsonl";
    for (const n of [later, earlier, "notes.txt"]) writeFileSync(join(dir, n), "");
    expect(pendingJournals(lockPath)).toEqual([join(dir, earlier), join(dir, later)]);
  });

  it("a journal folder that cannot be listed stops the read, naming the folder", () => {
    const lockPath = project();
    // A file where the folder should be: listing it fails with ENOTDIR, not ENOENT.
    mkdirSync(join(lockPath, "..", ".clipform"), { recursive: true });
    writeFileSync(journalDir(lockPath), "not a folder");
    expect(() => pendingJournals(lockPath)).toThrow(ClipformError);
    expect(() => readCurrentRecord(lockPath)).toThrow(/journal: cannot look for the journals of earlier applies \(ENOTDIR\)/);
  });

  it("so does a state folder that cannot be listed for rescued records", () => {
    const lockPath = project();
    writeFileSync(join(lockPath, "..", ".clipform"), "not a folder");
    expect(() => pendingRescues(lockPath)).toThrow(/\.clipform: cannot look for the records of earlier applies rescued there \(ENOTDIR\)/);
  });
});
