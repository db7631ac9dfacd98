/**
 * Cutting after an apply, in-process on real files: films are cut once and recorded, skipped
 * with the reason when a member has no video or its file is not the one recorded, and never
 * written through a link planted where the film goes.
 */
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { ApplyEvent } from "../../src/apply/types.js";
import type { Lockfile } from "../../src/lockfile/schema.js";
import type { DesiredSequence } from "../../src/manifest/sequences.js";
import { cutSequences } from "../../src/apply/sequence-films.js";
import { readSequenceRecord, sequenceRecordPath } from "../../src/media/sequence-record.js";
import { sha256Hex } from "../../src/util/canonical.js";
import { desired, entryFor, lockWith, result } from "../helpers/plan-data.js";

const asset = (name: string) => fileURLToPath(new URL(`../../assets/video/${name}`, import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const RECORD = { lockPath: "", outDir: "clipform-out", simulated: false };
const trailer = (members = ["a", "b"]): DesiredSequence => ({ name: "trailer", manifest: "specs/film.yaml", members, location: { file: "specs/film.yaml", line: 1, col: 1 } });

/** A project whose lockfile records clips a and b, each with a downloaded simulator video. */
function setup(): { root: string; lock: Lockfile } {
  const root = mkdtempSync(join(tmpdir(), "clipform-films-"));
  dirs.push(root);
  mkdirSync(join(root, "clipform-out"), { recursive: true });
  const entries: Lockfile["clips"] = {};
  for (const [address, source] of [["a", "landscape-00.mp4"], ["b", "landscape-01.mp4"]] as const) {
    const file = `clipform-out/${address}.v1.mp4`;
    copyFileSync(asset(source), join(root, file));
    const entry = entryFor(desired(address));
    entries[address] = { ...entry, results: [result(entry.tasks[0]!.taskUUID, 0, { file, sha256: sha256Hex(readFileSync(join(root, file))), bytes: lstatSync(join(root, file)).size })] };
  }
  return { root, lock: lockWith(entries) };
}

async function run(root: string, lock: Lockfile, sequences = [trailer()]) {
  const events: ApplyEvent[] = [];
  const counts = await cutSequences({ root, record: RECORD, outDir: "clipform-out", sequences, lock, emit: (e) => events.push(e), now: () => new Date("2026-12-01T00:00:00Z") });
  return { counts, events };
}

describe("cutting after an apply", () => {
  it("cuts once, records what it cut from, and does nothing the second time", async () => {
    const { root, lock } = setup();
    const first = await run(root, lock);
    expect(first.counts).toEqual({ cut: 1, failed: 0, skipped: 0 });
    expect(first.events).toEqual([{ type: "sequence-cut", name: "trailer", file: "clipform-out/trailer.mp4", mode: "copy", members: ["a", "b"] }]);
    const rec = readSequenceRecord(sequenceRecordPath(root, RECORD)).trailer!;
    expect(rec).toMatchObject({ file: "clipform-out/trailer.mp4", mode: "copy", members: ["a", "b"], videos: [lock.clips.a!.results[0]!.videoUUID, lock.clips.b!.results[0]!.videoUUID], cutAt: "2026-12-01T00:00:00.000Z" });
    expect(rec.sha256).toBe(sha256Hex(readFileSync(join(root, "clipform-out/trailer.mp4"))));
    expect(await run(root, lock)).toEqual({ counts: { cut: 0, failed: 0, skipped: 0 }, events: [] });
  });

  it("a member with no video, or whose file is not the one recorded: skipped, saying which", async () => {
    const { root, lock } = setup();
    expect((await run(root, lock, [trailer(["a", "c"])])).events).toEqual([{ type: "sequence-skipped", name: "trailer", reason: "c has no video yet" }]);
    const b = join(root, "clipform-out/b.v1.mp4");
    const bytes = readFileSync(b);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1; // same size: only its content tells
    writeFileSync(b, bytes);
    const r = await run(root, lock);
    expect(r.counts).toEqual({ cut: 0, failed: 0, skipped: 1 });
    expect(r.events).toEqual([{ type: "sequence-skipped", name: "trailer", reason: "b's file clipform-out/b.v1.mp4 was altered since it was downloaded" }]);
  });

  it("a link planted where the film goes is replaced, never written through", async () => {
    const { root, lock } = setup();
    const outside = join(root, "outside.txt");
    writeFileSync(outside, "keep me");
    symlinkSync(outside, join(root, "clipform-out/trailer.mp4"));
    expect((await run(root, lock)).counts.cut).toBe(1);
    expect(readFileSync(outside, "utf8")).toBe("keep me");
    expect(lstatSync(join(root, "clipform-out/trailer.mp4")).isFile()).toBe(true);
  });

  it("an output folder that is a link: the cut fails with the reason, nothing written there", async () => {
    const { root, lock } = setup();
    const elsewhere = mkdtempSync(join(tmpdir(), "clipform-elsewhere-"));
    dirs.push(elsewhere);
    const r = await cutSequences({ root, record: RECORD, outDir: "linked", sequences: [trailer()], lock, emit: () => undefined });
    expect(r).toEqual({ cut: 1, failed: 0, skipped: 0 });
    unlinkSync(join(root, "linked/trailer.mp4"));
    rmSync(join(root, "linked"), { recursive: true });
    symlinkSync(elsewhere, join(root, "linked"));
    const events: ApplyEvent[] = [];
    const failed = await cutSequences({ root, record: RECORD, outDir: "linked", sequences: [trailer()], lock, emit: (e) => events.push(e) });
    expect(failed).toEqual({ cut: 0, failed: 1, skipped: 0 });
    expect(events).toEqual([{ type: "sequence-failed", name: "trailer", message: "linked is a symbolic link or not a folder: clipform never writes through links" }]);
  });
});
