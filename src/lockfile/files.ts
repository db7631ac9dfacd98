/** The state of downloaded files on disk, for the planner's `download` action. */
import { lstatSync } from "node:fs";
import { containedPath } from "../core/paths.js";
import type { FileState } from "../core/states.js";
import type { Lockfile, LockResult } from "./schema.js";
import { usedResults } from "./live.js";

/** Cheap check: a file is ok when it exists with the recorded size (apply verifies sha256 when it downloads). */
export function checkOutputFiles(lock: Lockfile, root: string): Map<string, FileState> {
  // A picked take kept among the takes is what its clip uses, and any kept take may be copied
  // back by a revert: their files are checked too.
  const picked = Object.entries(lock.clips).flatMap(([address, e]) => (e.picked ? usedResults(lock, address) : []));
  const kept = Object.values(lock.takes ?? {}).flatMap((t) => t.results);
  return checkResultFiles([...Object.values(lock.clips).flatMap((e) => e.results), ...picked, ...kept], root);
}

/** The same check for any recorded results (the report also shows kept takes). */
export function checkResultFiles(results: Iterable<LockResult>, root: string): Map<string, FileState> {
  const out = new Map<string, FileState>();
  for (const r of results) {
    if (!r.file) continue;
    // A path outside the project, a link or a special file is never the recorded video: it is
    // downloaded again (to its proper place), and never followed or opened to be checked.
    const abs = containedPath(root, r.file);
    try {
      const st = abs ? lstatSync(abs) : undefined;
      out.set(r.file, st?.isFile() && (r.bytes === undefined || st.size === r.bytes) ? "ok" : "altered");
    } catch {
      out.set(r.file, "missing");
    }
  }
  return out;
}
