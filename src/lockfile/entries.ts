/** Small facts about lockfile entries that the planner, the engine, merge, status and report share. */
import type { DesiredClip } from "../manifest/index.js";
import { inFlight } from "../core/states.js";
import type { LockEntry, LockTask } from "./schema.js";

/** Tasks recorded and not finished: polled by the next apply, never paid for twice. */
export function inFlightTasks(entry: LockEntry | undefined): LockTask[] {
  return entry ? entry.tasks.filter(inFlight) : [];
}

/** A fresh entry for a clip, before any task or result. */
export function newEntry(clip: DesiredClip): LockEntry {
  return {
    fingerprint: clip.fingerprint,
    manifest: clip.manifest,
    model: clip.generation.model,
    request: clip.generation as unknown as Record<string, unknown>,
    numberResults: clip.numberResults,
    tasks: [],
    results: [],
  };
}
