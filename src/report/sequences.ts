/**
 * Sequences in the report: each film, playable once it has been cut, with its members in order
 * and whether the next apply cuts it again. Pure, like the rest of the report model.
 */
import type { FileState } from "../plan/plan.js";
import type { SequenceAction, SequenceChange } from "../plan/sequences.js";

export interface ReportSequence {
  name: string;
  manifest: string;
  members: string[];
  /** The film, relative to the project root. */
  file: string;
  /** Its URL from the report, when the film is on disk (even an out-of-date one). */
  src?: string;
  /** What the next apply does with it, and why. */
  action: SequenceAction;
  reason: string;
}

export function reportSequences(sequences: readonly SequenceChange[], films: ReadonlyMap<string, FileState>, src: (file: string) => string): ReportSequence[] {
  return sequences.map((s) => ({
    name: s.name,
    manifest: s.manifest,
    members: [...s.members],
    file: s.file,
    ...(films.get(s.file) === "ok" ? { src: src(s.file) } : {}),
    action: s.action,
    reason: s.reason,
  }));
}
