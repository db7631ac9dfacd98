/**
 * What the live report links to, which is exactly what `watch --serve` may serve: the recorded
 * results and films it plays (they lie in the output folder) and the input pictures it shows
 * (local keyframe images, and frames kept under `.clipform/frames/` for chained clips).
 * The live page is served from the project root, so its links are project-relative paths.
 */
import type { ReportModel } from "../report/data.js";

export interface ReportLinks {
  /** Videos and images recorded as results, and cut films. */
  outputs: Set<string>;
  /** Input keyframes on disk. */
  inputs: Set<string>;
}

export function reportLinks(model: ReportModel): ReportLinks {
  const outputs = new Set<string>();
  const inputs = new Set<string>();
  for (const c of model.clips) {
    for (const v of [...c.videos, ...c.takes.flatMap((t) => t.videos)]) if (v.src) outputs.add(v.src);
    for (const k of c.keyframes ?? []) if (k.src) inputs.add(k.src);
  }
  for (const s of model.sequences) if (s.src) outputs.add(s.src);
  return { outputs, inputs };
}
