/**
 * A clip's takes as the gallery shows them: the current take first, the kept takes of the same
 * request after (newest first), each with its variants, seeds and cost, and which one is picked.
 * The takes themselves (numbering, cost, picked) are `clipform pick`'s: takesOf is the one definition.
 */
import type { FileState } from "../plan/plan.js";
import { saneCost } from "../util/money-guard.js";
import { takesOf } from "../lockfile/pick.js";
import type { Lockfile, LockResult } from "../lockfile/schema.js";
import { own } from "../util/own.js";

/** ok and altered files are playable; altered means the size differs from the recorded one. */
export type VideoState = FileState | "not-downloaded";

export interface ReportVideo {
  variant: number;
  videoUUID: string;
  seed?: number;
  costUsd?: number;
  /** As recorded in the lockfile, relative to the project root. */
  file?: string;
  /** URL of the file relative to the report's folder, when the file is on disk. */
  src?: string;
  state: VideoState;
}

export interface ReportTake {
  /** The number `clipform pick ADDR N` takes. */
  index: number;
  taskUUID: string;
  /** Held by the clip's entry (else kept among the takes of its request). */
  current: boolean;
  picked: boolean;
  costUsd: number;
  videos: ReportVideo[];
}

/** Where a recorded file is on disk, and its URL from the report's folder. */
export interface VideoLocator {
  files: ReadonlyMap<string, FileState>;
  src(file: string): string;
}

export function reportVideo(r: LockResult, variant: number, at: VideoLocator): ReportVideo {
  const state: VideoState = r.file ? (at.files.get(r.file) ?? "missing") : "not-downloaded";
  const src = state === "ok" || state === "altered" ? at.src(r.file!) : undefined;
  return { variant, videoUUID: r.videoUUID, seed: r.seed, costUsd: saneCost(r.costUsd), file: r.file, src, state };
}

/** Every result a take could hold: the entry's and those kept for its request. */
export function takeResults(lock: Lockfile, address: string): LockResult[] {
  const entry = own(lock.clips, address);
  if (!entry) return [];
  return [...entry.results, ...(own(lock.takes, entry.fingerprint)?.results ?? [])];
}

/** The takes with videos, current first; none for a clip with no lockfile entry. */
export function reportTakes(lock: Lockfile, address: string, at: VideoLocator): ReportTake[] {
  if (!own(lock.clips, address)) return [];
  const results = takeResults(lock, address);
  const takes = takesOf(lock, address)
    .filter((t) => t.videos.length > 0)
    .map((t): ReportTake => ({
      index: t.index,
      taskUUID: t.taskUUID,
      current: t.current,
      picked: t.picked,
      costUsd: t.costUsd,
      videos: t.videos.map((uuid, i) => reportVideo(results.find((r) => r.videoUUID === uuid)!, i + 1, at)),
    }));
  return takes.sort((a, b) => Number(b.current) - Number(a.current) || b.index - a.index);
}
