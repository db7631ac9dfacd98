/**
 * Foreign writes during an apply, in-process: two engines (a forced second apply, or another
 * machine's results pulled mid-run) on one lockfile. Whatever the interleaving, no paid result
 * disappears from the lockfile, and work a pulled record made unnecessary is not sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ApplyEngine } from "../../src/apply/engine.js";
import { SpendGate } from "../../src/apply/gate.js";
import type { DesiredClip } from "../../src/manifest/index.js";
import { readLockfile, serializeLockfile } from "../../src/lockfile/io.js";
import type { Lockfile } from "../../src/lockfile/schema.js";
import { LockStore } from "../../src/lockfile/store.js";
import { plan } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { fileStamp } from "../../src/util/stamp.js";
import { desired, lockWith } from "../helpers/plan-data.js";
import { FakeApi, FakeClock } from "./fake-api.js";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const clips = (n: number) => Array.from({ length: n }, (_, i) => desired(`c${String(i).padStart(2, "0")}`, { positivePrompt: `Shot ${i}` }));

function engine(dir: string, lockPath: string, cs: DesiredClip[], api: FakeApi, clock: FakeClock, id: string, concurrency = 4) {
  const { lock } = readLockfile(lockPath);
  let n = 0;
  return new ApplyEngine({
    root: dir,
    outDir: "out",
    plan: plan({ clips: cs, lock, prices: priceBook(lock), files: new Map() }),
    clips: new Map(cs.map((c) => [c.address, c])),
    store: new LockStore(lockPath, lock, fileStamp(lockPath)),
    client: api,
    concurrency,
    pollIntervalMs: 1_000,
    gate: new SpendGate([]),
    prices: priceBook(lock),
    now: clock.now,
    uuid: () => `00000000-0000-4000-${id}-${String(++n).padStart(12, "0")}`,
    sleep: async (ms) => {
      await clock.sleep(ms);
      await new Promise((r) => setImmediate(r)); // let the other writer run
    },
    emit: () => {},
  });
}

function allRecordedVideos(l: Lockfile): Set<string> {
  return new Set([...Object.values(l.clips), ...Object.values(l.takes ?? {})].flatMap((e) => e.results.map((r) => r.videoUUID)));
}

describe("two writers on one lockfile", () => {
  it("a forced second apply of the same clips: every paid result is recorded, none disappears", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clipform-writers-"));
    dirs.push(dir);
    const lockPath = join(dir, "clipform.lock.json");
    writeFileSync(lockPath, serializeLockfile(lockWith({})));
    const clock = new FakeClock();
    const api = new FakeApi(clock, 3_000);
    const cs = clips(20);
    const a = engine(dir, lockPath, cs, api, clock, "a000");
    const b = engine(dir, lockPath, cs, api, clock, "b000");
    await Promise.all([a.run(), b.run()]);
    const lock = readLockfile(lockPath).lock;
    const paid = new Set([...api.tasks.keys()].flatMap((t) => [`${t.slice(0, 8)}-v0`]));
    const recorded = allRecordedVideos(lock);
    expect([...paid].filter((v) => !recorded.has(v))).toEqual([]);
    // Each clip's entry holds a finished generation of its request.
    for (const c of cs) expect(lock.clips[c.address]!.results.length).toBeGreaterThan(0);
  });

  it("work a pulled record made unnecessary is not sent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clipform-writers-"));
    dirs.push(dir);
    const lockPath = join(dir, "clipform.lock.json");
    writeFileSync(lockPath, serializeLockfile(lockWith({})));
    const clock = new FakeClock();
    const api = new FakeApi(clock, 3_000);
    const cs = clips(6);
    // This run sends one at a time; meanwhile "another machine" (a second engine) generates the last three.
    const slow = engine(dir, lockPath, cs, api, clock, "a000", 1);
    const other = engine(dir, lockPath, cs.slice(3), api, clock, "b000", 3);
    await Promise.all([slow.run(), other.run()]);
    const sentFor = (address: string) => [...api.tasks.keys()].filter((t) => readLockfile(lockPath).lock.clips[address]?.tasks.some((x) => x.taskUUID === t) || Object.values(readLockfile(lockPath).lock.takes ?? {}).some((k) => k.address === address && k.tasks.some((x) => x.taskUUID === t)));
    for (const c of cs.slice(3)) expect(sentFor(c.address)).toHaveLength(1);
    expect(api.tasks.size).toBe(6);
  });
});
