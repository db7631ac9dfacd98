/**
 * Files an earlier apply left beside the lockfile for the next one to fold in (journals, rescued
 * records). Only a folder that does not exist means there are none: any other failure to list it
 * (permissions, a file where the folder should be) stops the command, because skipping the fold
 * could send again what an earlier apply already paid for.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ClipformError } from "../errors.js";

/** The paths in `dir` whose names match `pattern`, sorted by name; none when `dir` does not exist. */
export function pendingFiles(dir: string, pattern: RegExp, what: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return [];
    throw new ClipformError(
      "BAD_LOCKFILE",
      `${dir}: cannot look for ${what} (${code ?? (e as Error).message}). They must be folded into the lockfile before anything is planned or sent, so nothing was: make the folder readable, then run again.`,
    );
  }
  return names.filter((n) => pattern.test(n)).sort().map((n) => join(dir, n));
}
