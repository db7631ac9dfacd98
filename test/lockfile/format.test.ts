/**
 * Lockfile format 2 and the upgrade from format 1, with real format-1 files written by the
 * format-1 clipform (test/lockfile/fixtures): nothing lost, deterministic, refused clearly when
 * a lockfile is newer than this clipform.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ledgerOf } from "../../src/lockfile/ledger.js";
import { parseLockfile, readLockfile, serializeLockfile } from "../../src/lockfile/io.js";
import type { Lockfile } from "../../src/lockfile/schema.js";
import { LockStore } from "../../src/lockfile/store.js";
import { computePlan } from "../../src/pipeline.js";
import { fileStamp } from "../../src/util/stamp.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), "clipform-v1-"));
  dirs.push(dir);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

const raw = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name, "clipform.lock.json"), "utf8")) as Lockfile;
const records = (l: Lockfile) => ({
  tasks: Object.values(l.clips).flatMap((e) => e.tasks.map((t) => JSON.stringify(t))).sort(),
  results: Object.values(l.clips).flatMap((e) => e.results.map((r) => JSON.stringify(r))).sort(),
});

describe("lockfile format 2", () => {
  for (const name of ["v1-replaced", "v1-in-flight"]) {
    it(`${name}: a format-1 file is read, and written as format 2 with nothing lost`, () => {
      const v1 = raw(name);
      expect(v1.format_version).toBe(1);
      const dir = copyFixture(name);
      const path = join(dir, "clipform.lock.json");
      const store = new LockStore(path, readLockfile(path).lock, fileStamp(path));
      const [address, entry] = Object.entries(store.lock.clips).find(([, e]) => e.tasks.length > 0)!;
      expect(store.updateTask(address, entry.tasks[0]!.taskUUID, { acceptedAt: entry.tasks[0]!.acceptedAt ?? "2026-12-01T00:00:00.000Z" })).toBe(true);
      store.flush();
      const text = readFileSync(path, "utf8");
      const v2 = JSON.parse(text) as Lockfile;
      expect(v2.format_version).toBe(2);
      expect(v2.lineage).toBe(v1.lineage);
      expect(v2.serial).toBe(v1.serial + 1);
      expect(Object.keys(v2.clips)).toEqual(Object.keys(v1.clips).sort());
      expect(records(v2)).toEqual(records(v1));
      // Deterministic: the same state always serializes to the same text.
      expect(serializeLockfile(parseLockfile(text, path))).toBe(text);
      // Lifetime spend of a format-1 file: every recorded charge, each video once.
      const paid = new Map(Object.values(v1.clips).flatMap((e) => e.results.map((r) => [r.videoUUID, r.costUsd ?? 0] as const)));
      expect(ledgerOf(v2).totalUsd).toBeCloseTo([...paid.values()].reduce((s, x) => s + x, 0), 4);
    });
  }

  it("plans a format-1 project without paying for anything already recorded", () => {
    const dir = copyFixture("v1-replaced");
    const { plan } = computePlan(dir, { paths: [], targets: [], replace: [] });
    expect(plan.summary.estimated_cost_usd).toBe(0);
    expect(plan.changes.every((c) => c.action === "download" || c.action === "no-op")).toBe(true);
  });

  it("plans a format-1 task in flight as resume, never paying for it again", () => {
    const dir = copyFixture("v1-in-flight");
    const { plan } = computePlan(dir, { paths: [], targets: [], replace: [] });
    expect(plan.changes.find((c) => c.address === "departure")).toMatchObject({ action: "resume", generate: 0 });
  });

  it("refuses a lockfile from a newer clipform, clearly, and changes nothing", () => {
    const text = JSON.stringify({ ...raw("v1-replaced"), format_version: 3 });
    expect(() => parseLockfile(text, "/x/clipform.lock.json")).toThrow(/clipform\.lock\.json: format_version 3 is not supported by this clipform \(it reads 1 and 2\): it was written by a newer clipform\. Upgrade clipform; nothing was changed\./);
  });
});
