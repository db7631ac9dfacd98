/** The state of downloaded files on disk, for the planner's `download` action. */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { FileState } from "../plan/plan.js";
import type { Lockfile } from "./schema.js";

/** Cheap check: a file is ok when it exists with the recorded size (apply verifies sha256 when it downloads). */
export function checkOutputFiles(lock: Lockfile, root: string): Map<string, FileState> {
  const out = new Map<string, FileState>();
  for (const entry of Object.values(lock.clips)) {
    for (const r of entry.results) {
      if (!r.file) continue;
      try {
        const st = statSync(resolve(root, r.file));
        out.set(r.file, r.bytes === undefined || st.size === r.bytes ? "ok" : "altered");
      } catch {
        out.set(r.file, "missing");
      }
    }
  }
  return out;
}
