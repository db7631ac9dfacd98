/**
 * Frames from videos, for shots that feed shots: a clip's first or last frame, decoded by ffmpeg
 * to raw pixels and identified by the hash of those pixels (`frame:<sha256>`). A decoder gives
 * the same pixels for the same video on every machine, so the identity a downstream fingerprint
 * uses does not depend on how a PNG happens to be compressed. The PNG that is uploaded is
 * written by clipform (src/media/png.ts) and kept by content under `.clipform/frames/`.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FRAMES_DIR } from "../core/layout.js";
import { ClipformError } from "../errors.js";
import { assertRealFolder } from "../util/safe-fs.js";
import { runFfmpeg } from "./ffmpeg.js";
import { encodePng } from "./png.js";

export type FramePosition = "first" | "last";

export interface Frame {
  /** sha256 of the decoded RGB pixels and their size: what downstream fingerprints use. */
  pixelsSha256: string;
  width: number;
  height: number;
  png: Buffer;
}

/** The identity a downstream request records for a frame. */
export const frameImageId = (pixelsSha256: string) => `frame:${pixelsSha256}`;

/** Decoding starts this far before the end for a last frame: enough for any frame rate, little to decode. */
const LAST_WINDOW_S = "0.5";

export async function extractFrame(video: string, which: FramePosition): Promise<Frame> {
  const what = `the ${which} frame of ${video}`;
  const args = (seek: boolean) => [...(seek ? ["-sseof", `-${LAST_WINDOW_S}`] : []), "-i", video, "-map", "0:v:0", ...(which === "first" ? ["-frames:v", "1"] : []), "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"];
  let { stdout, stderr } = await runFfmpeg(what, args(which === "last"));
  // A video shorter than the window (or one whose end cannot be seeked) is decoded whole.
  if (stdout.length === 0 && which === "last") ({ stdout, stderr } = await runFfmpeg(what, args(false)));
  const size = /Output #0[\s\S]*?Video: rawvideo[^\n]*?, (\d+)x(\d+)/.exec(stderr);
  if (!size) throw new ClipformError("MEDIA", `${what}: ffmpeg did not say the frame's size`);
  const width = Number(size[1]);
  const height = Number(size[2]);
  const bytes = width * height * 3;
  if (bytes === 0 || stdout.length < bytes) throw new ClipformError("MEDIA", `${what}: no frame could be decoded`);
  const pixels = which === "first" ? stdout.subarray(0, bytes) : stdout.subarray(stdout.length - (stdout.length % bytes) - bytes, stdout.length - (stdout.length % bytes));
  const pixelsSha256 = createHash("sha256").update(`${width}x${height}\n`).update(pixels).digest("hex");
  return { pixelsSha256, width, height, png: encodePng(Buffer.from(pixels), width, height) };
}

/** Where a frame's PNG is kept, relative to the project root (one file per picture). */
export const framePath = (pixelsSha256: string) => `${FRAMES_DIR}/${pixelsSha256.slice(0, 32)}.png`;

/** Keeps the frame's PNG under .clipform/frames/ (written once, atomically); returns its path relative to `root`. */
export function storeFrame(root: string, frame: Frame): string {
  const rel = framePath(frame.pixelsSha256);
  const abs = join(root, rel);
  // A planted link on the way (.clipform or its frames/ → elsewhere) is refused, never written through.
  assertRealFolder(root, FRAMES_DIR, "the frames folder");
  if (existsSync(abs)) return rel;
  mkdirSync(join(root, FRAMES_DIR), { recursive: true });
  const tmp = `${abs}.${process.pid}.tmp`;
  writeFileSync(tmp, frame.png);
  renameSync(tmp, abs);
  return rel;
}
