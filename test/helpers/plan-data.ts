/** Plain-data builders for planner tests: desired clips and lockfile entries. */
import { fingerprintOf, type DesiredClip, type GenerationFields } from "../../src/manifest/index.js";
import { newEntry } from "../../src/lockfile/entries.js";
import type { ClipLink } from "../../src/manifest/links.js";
import type { LockEntry, Lockfile, LockResult, LockTask } from "../../src/lockfile/schema.js";

export const LINEAGE = "00000000-0000-4000-8000-000000000000";
let uuidCounter = 0;
export function uuid(): string {
  uuidCounter++;
  return `00000000-0000-4000-8000-${String(uuidCounter).padStart(12, "0")}`;
}

export function gen(over: Partial<GenerationFields> = {}): GenerationFields {
  return { model: "klingai:3@1", positivePrompt: "A lighthouse in a storm", width: 1280, height: 720, duration: 5, CFGScale: 0.5, outputFormat: "MP4", outputQuality: 95, ...over };
}

export function desired(address: string, over: Partial<GenerationFields> = {}, numberResults = 1): DesiredClip {
  const generation = gen(over);
  return {
    address,
    clipId: address.split("/")[0]!,
    manifest: "specs/clips.yaml",
    matrix: {},
    generation,
    fingerprint: fingerprintOf(generation),
    numberResults,
    delivery: {},
    frameImages: [],
    location: { file: "specs/clips.yaml", line: 1, col: 1 },
  };
}

export function result(taskUUID: string, i: number, over: Partial<LockResult> = {}): LockResult {
  return { taskUUID, videoUUID: uuid(), seed: 1000 + i, costUsd: 0.1848, videoURL: `https://example.invalid/${i}.mp4`, file: `out/${i}.mp4`, sha256: "ab", bytes: 10, ...over };
}

/** A lockfile entry for `clip` with `done` finished results from one succeeded task. */
export function entryFor(clip: DesiredClip, done = clip.numberResults, over: Partial<LockEntry> = {}): LockEntry {
  const task: LockTask = { taskUUID: uuid(), numberResults: done || 1, status: "succeeded", submittedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:05:00Z" };
  return {
    ...newEntry(clip),
    tasks: [task],
    results: Array.from({ length: done }, (_, i) => result(task.taskUUID, i, { file: `out/${clip.address}-${i + 1}.mp4` })),
    ...over,
  };
}

export function lockWith(entries: Record<string, LockEntry>, serial = 3): Lockfile {
  return { format_version: 1, lineage: LINEAGE, serial, clips: entries };
}

/** `address` made from the last frame of `from` (variant 1), as the manifest stage resolves `image: {from}`. */
export function chained(address: string, from: string, numberResults = 1): DesiredClip {
  const c = desired(address, { positivePrompt: `after ${from}` }, numberResults);
  const link: ClipLink = { input: "frameImages", index: 0, target: from, frame: "last", variant: 1, location: { file: "specs/clips.yaml", line: 1, col: 1 } };
  c.generation.frameImages = [{ frame: "first", image: `from:${from}#last#1` }];
  c.frameImages = [{ frame: "first", kind: "link", ref: `from:${from}`, link }];
  c.links = [link];
  c.fingerprint = fingerprintOf(c.generation);
  return c;
}
