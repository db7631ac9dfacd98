/** Where results are saved: named from the clip address, variant and format, never outside the output folder. */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { ClipformError } from "../errors.js";

export const DEFAULT_OUT_DIR = "clipform-out";

const EXT: Record<string, string> = { MP4: "mp4", WEBM: "webm", MOV: "mov" };

/** `harbor/wide/foggy`, variant 0, MP4 → `<outDir>/harbor/wide/foggy.v1.mp4` (absolute). */
export function outputPath(root: string, outDir: string, address: string, variant: number, format: string): string {
  const base = resolve(root, outDir);
  const segments = address.split("/");
  if (segments.some((s) => s === "" || s === "." || s === ".." || s.includes("\\") || s.includes("\0"))) {
    throw new ClipformError("USAGE", `clip address "${address}" cannot be used as a file name`);
  }
  const file = resolve(base, ...segments.slice(0, -1), `${segments[segments.length - 1]}.v${variant + 1}.${EXT[format] ?? "mp4"}`);
  const rel = relative(base, file);
  if (rel.startsWith("..") || isAbsolute(rel)) throw new ClipformError("USAGE", `clip address "${address}" would write outside ${outDir}`);
  return file;
}

/** A path as recorded in the lockfile: relative to the project root, with forward slashes. */
export function recordedPath(root: string, abs: string): string {
  return relative(root, abs).split(sep).join("/");
}
