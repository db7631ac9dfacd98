/** A cheap change detector for a file: its size and mtime ("missing" when it does not exist). */
import { statSync } from "node:fs";

export function fileStamp(path: string): string {
  try {
    const st = statSync(path);
    // The inode too: an atomic write (rename) always makes a new one, even within one mtime tick.
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return "missing";
  }
}
