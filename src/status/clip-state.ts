/**
 * A clip's state, defined once for `status`, `report` and `--json`: read from what the plan would
 * do with it, so every view agrees with `plan` and `apply`.
 */
import { endedInFailure } from "../core/states.js";
import type { LockEntry } from "../lockfile/schema.js";
import type { Action } from "../plan/actions.js";

export const CLIP_STATES = ["generated", "pending", "in-flight", "failed", "missing-files", "deleted"] as const;
export type ClipState = (typeof CLIP_STATES)[number];

export function clipState(action: Action, inManifest: boolean): ClipState {
  switch (action) {
    case "no-op":
      return "generated";
    case "resume":
      return "in-flight";
    case "retry":
      return "failed";
    case "download":
      return "missing-files";
    case "delete":
      return "deleted";
    default:
      return inManifest ? "pending" : "deleted";
  }
}

/**
 * The four states a gallery shows: a clip whose files are missing, or that left the manifests,
 * still has its videos recorded (the gallery marks files and orphans on their own).
 */
export const SHOWN_STATES = ["generated", "pending", "in-flight", "failed"] as const;
export type ShownState = (typeof SHOWN_STATES)[number];

export function shownState(state: ClipState): ShownState {
  return state === "missing-files" || state === "deleted" ? "generated" : state;
}

/** The latest task's error, when it failed. */
export function lastError(entry: Readonly<LockEntry> | undefined): { code: string; message: string } | undefined {
  const last = entry?.tasks.at(-1);
  return last && endedInFailure(last) && last.error ? { code: last.error.code, message: last.error.message } : undefined;
}
