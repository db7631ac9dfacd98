/** Where results are saved: named from the clip address, variant and format, never outside the output folder. */
import { unlinkSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { addressSegments } from "../core/address.js";
import { DEFAULT_OUT_DIR, LOCKFILE_NAME, PROJECT_CONFIG, STATE_DIR } from "../core/layout.js";
import { ClipformError } from "../errors.js";
import type { Lockfile } from "../lockfile/schema.js";
import { takeFilePath } from "../lockfile/takes.js";
import { containedPath, isInside, outDirProblem } from "../core/paths.js";
import { assertRealFolder, entryKind, linkOnTheWay, removeLinksAndSpecials } from "../util/safe-fs.js";

const EXT: Record<string, string> = { MP4: "mp4", WEBM: "webm", MOV: "mov", PNG: "png", JPG: "jpg", WEBP: "webp" };

/** `harbor/wide/foggy`, variant 0, MP4 → `<outDir>/harbor/wide/foggy.v1.mp4` (absolute). */
export function outputPath(root: string, outDir: string, address: string, variant: number, format: string): string {
  const base = resolve(root, outDir);
  const segments = addressSegments(address);
  if (segments.some((s) => s === "" || s === "." || s === ".." || s.includes("\\") || s.includes("\0"))) {
    throw new ClipformError("USAGE", `clip address "${address}" cannot be used as a file name`);
  }
  const file = resolve(base, ...segments.slice(0, -1), `${segments[segments.length - 1]}.v${variant + 1}.${EXT[format] ?? "mp4"}`);
  if (!isInside(base, file)) throw new ClipformError("USAGE", `clip address "${address}" would write outside ${outDir}`);
  // Every writer (download, reuse copy) asks here first: a link planted at the destination is
  // replaced by the new file, never written through; a linked folder on the way is refused.
  const via = linkOnTheWay(base, file);
  if (via) throw new ClipformError("UNSAFE_PATH", `${recordedPath(root, via)} is a symbolic link or not a folder: clipform never writes through links`);
  const kind = entryKind(file);
  if (kind === "link" || kind === "special") unlinkSync(file);
  return file;
}

/**
 * Where a video of a kept take is saved again: its per-take path (takeFilePath) beside the clip's
 * own file for that variant, with the same care as outputPath.
 */
export function keptOutputPath(root: string, outDir: string, address: string, variant: number, format: string, fingerprint: string, taskUUID: string): string {
  const own = outputPath(root, outDir, address, variant, format);
  const file = resolve(root, takeFilePath(recordedPath(root, own), fingerprint, taskUUID));
  const via = linkOnTheWay(resolve(root, outDir), file);
  if (via) throw new ClipformError("UNSAFE_PATH", `${recordedPath(root, via)} is a symbolic link or not a folder: clipform never writes through links`);
  const kind = entryKind(file);
  if (kind === "link" || kind === "special") unlinkSync(file);
  return file;
}

/**
 * Before an apply reads or writes anything: the state and output folders are real folders, every
 * file the lockfile records lies inside the output folder (a lockfile from a pull request can
 * name any path), and no link or special file (FIFO, device) is left inside the output folder to
 * be followed or waited on. Returns the links and special files removed.
 */
export function secureOutputs(root: string, outDir: string, lock: Lockfile): string[] {
  const problem = outDirProblem(root, outDir);
  if (problem) {
    throw new ClipformError("UNSAFE_PATH", `the output folder ${outDir} ${problem}: it must be a folder inside the project (apply removes every link and special file in it). Set outDir in ${PROJECT_CONFIG} or --out-dir to one, like ${DEFAULT_OUT_DIR}. Nothing was sent.`);
  }
  assertRealFolder(root, STATE_DIR, "the state folder");
  assertRealFolder(root, outDir, "the output folder");
  const base = resolve(root, outDir);
  const outside: string[] = [];
  for (const { where, file } of recordedFiles(lock)) {
    const abs = containedPath(root, file);
    if (!abs || !isInside(base, abs)) outside.push(`${where}: "${file.slice(0, 120)}"`);
  }
  if (outside.length > 0) {
    throw new ClipformError(
      "UNSAFE_PATH",
      `${LOCKFILE_NAME} records files outside the output folder ${outDir} (${outside.slice(0, 3).join("; ")}${outside.length > 3 ? `; and ${outside.length - 3} more` : ""}): clipform reads and writes videos only there. Restore the lockfile from git or remove those "file" fields. Nothing was sent.`,
    );
  }
  return removeLinksAndSpecials(base).map((p) => recordedPath(root, p));
}

/** A path as recorded in the lockfile: relative to the project root, with forward slashes. */
export function recordedPath(root: string, abs: string): string {
  return relative(root, abs).split(sep).join("/");
}

/**
 * Every result `file` the lockfile records, wherever the results sit (a clip's, a kept take's…),
 * with where it was found: a field added to the format later is checked without another list.
 * (Other `file` fields, such as a request's local frame images, name manifest inputs, not videos.)
 */
function recordedFiles(lock: Lockfile): { where: string; file: string }[] {
  const out: { where: string; file: string }[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (value === null || typeof value !== "object") return;
    for (const [k, v] of Object.entries(value)) {
      if (k === "results" && Array.isArray(v)) {
        v.forEach((r: unknown, i) => {
          const file = (r as { file?: unknown } | null)?.file;
          if (typeof file === "string") out.push({ where: `${path.join(" ").replace(/^clips /, "")} result ${i + 1}`, file });
        });
      } else if (k !== "request") walk(v, [...path, k]);
    }
  };
  walk(lock, []);
  return out;
}
