/** A cheap change detector for a file: its size and mtime ("missing" when it does not exist). */
import { statSync } from "node:fs";

export function fileStamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return "missing";
  }
}
