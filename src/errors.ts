/**
 * Errors a user can fix (bad input, budget, lock held…) carry a stable code and are printed
 * as a message with exit code 1, never as a stack trace. Anything else is a bug.
 */
import type { Diagnostic } from "./diagnostics.js";

export type ErrorCode =
  | "INVALID_MANIFEST"
  | "INVALID_CONFIG"
  | "OUTSIDE_PROJECT"
  | "NO_MANIFESTS"
  | "NO_PROJECT"
  | "BAD_LOCKFILE"
  | "BAD_PLANFILE"
  | "STALE_PLAN"
  | "BUDGET_EXCEEDED"
  | "LOCKED"
  | "USAGE"
  | "NOT_APPROVED"
  | "API"
  | "MISSING_KEY"
  | "UNSAFE_PATH"
  /** No video decoder, or one that could not read a video (frames, sequences). */
  | "MEDIA"
  /** A write the disk refused: full, over quota, failing or read-only (util/disk.ts). */
  | "DISK";

export class ClipformError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = "ClipformError";
  }
}
