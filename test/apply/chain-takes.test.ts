/**
 * A chained clip whose upstream clip changes in the plan is planned before its request is known
 * (it waits for the new frame). Once the frame exists, its request may be one paid before: the
 * take kept for it is copied at $0, never sent again, unless `--replace` asked for a new take.
 * (Found by the session test, seed 214: a revert upstream brought the downstream clip back to a
 * request it had paid for, and apply paid for it again.)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DesiredClip } from "../../src/manifest/index.js";
import { framePath } from "../../src/media/frames.js";
import type { LockEntry, Lockfile } from "../../src/lockfile/schema.js";
import { archiveEntry, takeRef } from "../../src/lockfile/takes.js";
import { withFrames } from "../../src/plan/links.js";
import { chained, desired, entryFor, lockWith } from "../helpers/plan-data.js";
import { rig, type Rig } from "./fake-api.js";

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});


/** The last frames of a1's two takes, by the hash of their pixels (kept on disk under .clipform/frames). */
const FIRST = "a".repeat(64);
const EDITED = "b".repeat(64);

/**
 * a1 was edited and b1 (made from a1's last frame) made again from the edited take; a1 is now
 * reverted. Both earlier takes are kept: a1's, and b1's made from it.
 */
function reverted(o: { b1Results?: number; b1Wanted?: number; upstream?: "reverted" | "unchanged" } = {}): { clips: DesiredClip[]; lock: Lockfile; paid: LockEntry } {
  const a1 = desired("a1");
  const b1 = chained("b1", "a1", o.b1Wanted ?? 1);
  const first = entryFor(a1);
  first.results[0]!.frames = { last: `frame:${FIRST}` };
  const edited = entryFor(desired("a1", { positivePrompt: "A lighthouse in a calm" }));
  edited.results[0]!.frames = { last: `frame:${EDITED}` };
  const madeFrom = (up: LockEntry, hash: string) => withFrames(b1, new Map([[b1.links![0]!, { frame: "first", image: `frame:${hash}`, from: "a1", video: up.results[0]!.videoUUID, at: "last" }]]));
  const paid = entryFor(madeFrom(first, FIRST), o.b1Results ?? 1);
  if (o.upstream === "unchanged") return { clips: [a1, b1], lock: { ...lockWith({ a1: first, b1: paid }), format_version: 2 }, paid };
  const lock: Lockfile = { ...lockWith({ a1: edited, b1: entryFor(madeFrom(edited, EDITED)) }), format_version: 2 };
  archiveEntry(lock, "a1", first);
  archiveEntry(lock, "b1", paid);
  return { clips: [a1, b1], lock, paid };
}

function start(s: { clips: DesiredClip[]; lock: Lockfile }, replace?: string[]): Rig {
  const r = rig(s.clips, s.lock, replace ? { replace } : {});
  rigs.push(r);
  for (const hash of [FIRST, EDITED]) {
    const png = join(r.dir, framePath(hash));
    mkdirSync(dirname(png), { recursive: true });
    writeFileSync(png, `png ${hash}`);
  }
  return r;
}

describe("apply: a chained clip back at a request paid before", () => {
  it("copies the kept take at $0 once its new frame is known, and sends nothing", async () => {
    const s = reverted();
    const r = start(s);
    const summary = await r.engine.run();
    expect(r.api.submits).toEqual([]);
    expect(summary).toMatchObject({ reused: 2, submitted: 0, skipped: 0, failed: 0 });
    expect(r.events.filter((e) => e.type === "reused")).toEqual([
      { type: "reused", address: "a1", from: expect.stringMatching(/^take:/), results: 1 },
      { type: "reused", address: "b1", from: takeRef(s.paid.fingerprint), results: 1 },
    ]);
    const b1 = r.onDisk().clips.b1!;
    expect(b1.fingerprint).toBe(s.paid.fingerprint);
    expect(b1.results.map((x) => x.videoUUID)).toEqual(s.paid.results.map((x) => x.videoUUID));
  });

  it("copies what the take holds and generates only the variants it lacks", async () => {
    const s = reverted({ b1Results: 1, b1Wanted: 2 });
    const r = start(s);
    await r.engine.run();
    expect(r.api.submits).toHaveLength(1);
    expect(r.events.filter((e) => e.type === "submitted")).toEqual([expect.objectContaining({ address: "b1", numberResults: 1 })]);
    const b1 = r.onDisk().clips.b1!;
    expect(b1.fingerprint).toBe(s.paid.fingerprint);
    expect(b1.results).toHaveLength(2);
    expect(b1.results[0]!.videoUUID).toBe(s.paid.results[0]!.videoUUID);
  });

  it("--replace still sends a new take when the upstream changes in the plan", async () => {
    const r = start(reverted(), ["b1"]);
    expect(await r.engine.run()).toMatchObject({ reused: 1, succeeded: 1 });
    expect(r.events.filter((e) => e.type === "submitted")).toEqual([expect.objectContaining({ address: "b1", numberResults: 1 })]);
  });

  it("--replace of a chained clip whose upstream is unchanged sends a new take", async () => {
    const r = start(reverted({ upstream: "unchanged" }), ["b1"]);
    expect(await r.engine.run()).toMatchObject({ succeeded: 1 });
    expect(r.events.filter((e) => e.type === "submitted")).toEqual([expect.objectContaining({ address: "b1", numberResults: 1 })]);
  });
});
