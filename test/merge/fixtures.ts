/** Plain-data lockfile builders for the merge tests: entries whose tasks and results are easy to read. */
import type { LockEntry, Lockfile, LockResult, LockTask } from "../../src/lockfile/schema.js";

export const LINEAGE = "11111111-1111-4111-8111-111111111111";
export const OTHER_LINEAGE = "22222222-2222-4222-8222-222222222222";

let n = 0;
/** A fresh, valid, readable UUID: 00000000-0000-4000-8000-00000000000N. */
export function id(): string {
  n++;
  return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

/** ISO time `minutes` after a fixed origin, so "newer" is explicit in tests. */
export const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes)).toISOString();

export function task(status: LockTask["status"], minutes: number, over: Partial<LockTask> = {}): LockTask {
  return {
    taskUUID: id(),
    numberResults: 1,
    status,
    submittedAt: at(minutes),
    ...(status === "submitted" ? {} : { finishedAt: at(minutes + 3) }),
    ...(status === "failed" ? { error: { code: "timeout", message: "the generation timed out" } } : {}),
    ...over,
  };
}

export function res(address: string, t: LockTask, variant: number, cost = 0.1848): LockResult {
  return {
    taskUUID: t.taskUUID,
    videoUUID: id(),
    seed: 1000 + variant,
    costUsd: cost,
    videoURL: `https://sim.invalid/videos/${address}-${variant}.mp4`,
    file: `clipform-out/${address}.v${variant}.mp4`,
    sha256: "0".repeat(64),
    bytes: 1234,
  };
}

/** An entry for `address` with request `prompt` (the fingerprint follows the prompt). */
export function entry(address: string, prompt: string, tasks: LockTask[], results: LockResult[], numberResults = Math.max(1, results.length)): LockEntry {
  return {
    fingerprint: `fp-${prompt}`,
    manifest: "specs/clips.yaml",
    model: "klingai:3@1",
    request: { model: "klingai:3@1", positivePrompt: prompt, duration: 5, width: 1280, height: 720 },
    numberResults,
    tasks,
    results,
  };
}

/** A finished entry with `variants` results from one succeeded task at `minutes`. */
export function done(address: string, prompt: string, variants = 1, minutes = 0): LockEntry {
  const t = task("succeeded", minutes, { numberResults: variants });
  return entry(address, prompt, [t], Array.from({ length: variants }, (_, i) => res(address, t, i + 1)));
}

export function lock(clips: Record<string, LockEntry>, serial = 5, lineage = LINEAGE): Lockfile {
  return { format_version: 2, lineage, serial, clips };
}

export const clone = <T>(x: T): T => structuredClone(x);

export const videos = (e: LockEntry | undefined) => (e?.results ?? []).map((r) => r.videoUUID);
export const taskIds = (e: LockEntry | undefined) => (e?.tasks ?? []).map((t) => t.taskUUID);
