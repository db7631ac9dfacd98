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
import { checkFrameSize, videoInputArgs } from "./input.js";
import { probeVideo } from "./sequence-probe.js";
import { encodePng } from "./png.js";

import type { FramePosition } from "../core/address.js";

export interface Frame {
  /** sha256 of the decoded RGB pixels and their size: what downstream fingerprints use. */
  pixelsSha256: string;
  width: number;
  height: number;
  png: Buffer;
}

/** Decoding starts this far before the end for a last frame: enough for any frame rate, little to decode. */
const LAST_WINDOW_S = "0.5";

export async function extractFrame(video: string, which: FramePosition): Promise<Frame> {
  const what = `the ${which} frame of ${video}`;
  // The size first, from the container (nothing decoded): a frame too big is refused here.
  const probe = await probeVideo(video, video, { pictures: true });
  checkFrameSize(probe.width, probe.height, video);
  // Two frames' worth of output is all that is ever kept, however many frames a window holds.
  const keepLastBytes = 2 * probe.width * probe.height * 3;
  const args = (seek: boolean) => [
    ...videoInputArgs(video, what, seek ? ["-sseof", `-${LAST_WINDOW_S}`] : [], true),
    "-map",
    "0:v:0",
    ...(which === "first" ? ["-frames:v", "1"] : []),
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "pipe:1",
  ];
  let out = await runFfmpeg(what, args(which === "last"), { keepLastBytes });
  // A video shorter than the window (or one whose end cannot be seeked) is decoded whole.
  if (out.stdout.length === 0 && which === "last") out = await runFfmpeg(what, args(false), { keepLastBytes });
  const { stdout, dropped, stderr } = out;
  const size = /Output #0[\s\S]*?Video: rawvideo[^\n]*?, (\d+)x(\d+)/.exec(stderr);
  if (!size) throw new ClipformError("MEDIA", `${what}: ffmpeg did not say the frame's size`);
  const width = Number(size[1]);
  const height = Number(size[2]);
  checkFrameSize(width, height, video);
  const bytes = width * height * 3;
  const total = dropped + stdout.length;
  if (bytes === 0 || total < bytes) throw new ClipformError("MEDIA", `${what}: no frame could be decoded`);
  // The last whole frame, in offsets of everything written (the kept tail starts at `dropped`).
  const start = which === "first" ? 0 : total - (total % bytes) - bytes - dropped;
  if (start < 0) throw new ClipformError("MEDIA", `${what}: the frame's size changed while decoding`);
  const pixels = stdout.subarray(start, start + bytes);
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
