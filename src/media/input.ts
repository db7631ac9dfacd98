/**
 * Videos are data, not programs. Every byte of a download is the server's, and ffmpeg follows
 * whatever a file asks when it is left to guess: an HLS playlist saved as `x.mp4` made it read a
 * video outside the project (and clipform uploaded that frame). So before any tool reads a file:
 * - its container is known by its first bytes (MP4/MOV `ftyp`, WebM/Matroska EBML; for pictures
 *   PNG, JPEG, WebP), and anything else is refused;
 * - ffmpeg reads it only as that container (`-f mov` / `-f matroska`), through the `file`
 *   protocol alone, with one decoder thread;
 * - its frame size is checked before a frame is decoded (a 100 KB file declaring 7680×4320 at
 *   120 fps made last-frame extraction buffer ~6 GB).
 */
import { closeSync, openSync, readSync } from "node:fs";
import { resolve } from "node:path";
import { ClipformError } from "../errors.js";

export type VideoContainer = "mov" | "matroska";
export type PictureFormat = "png" | "jpeg" | "webp";
export type Sniffed = { kind: "video"; format: VideoContainer } | { kind: "picture"; format: PictureFormat };

/** The widest frame clipform decodes, on either side… */
export const MAX_FRAME_SIDE = 8192;
/** …and the most pixels (4096×4096: every 4K format; an 8K frame is ~100 MB of RGB per frame). */
export const MAX_FRAME_PIXELS = 4096 * 4096;

/** Bytes enough to tell every container above apart. */
export const SNIFF_BYTES = 16;

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const EBML = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
/** Top-level QuickTime boxes a MOV may start with instead of `ftyp` (older writers). */
const MOV_FIRST_BOXES = new Set(["ftyp", "moov", "mdat", "wide", "free", "skip"]);

/** What the first bytes of a file say it is; undefined for anything clipform does not read. */
export function sniff(head: Buffer): Sniffed | undefined {
  if (head.length >= 8) {
    const box = head.toString("latin1", 4, 8);
    // A box's size is at least its 8-byte header (1 means a 64-bit size follows).
    const size = head.readUInt32BE(0);
    if (MOV_FIRST_BOXES.has(box) && (size === 1 || size >= 8)) return { kind: "video", format: "mov" };
  }
  if (head.subarray(0, 4).equals(EBML)) return { kind: "video", format: "matroska" };
  if (head.subarray(0, 8).equals(PNG)) return { kind: "picture", format: "png" };
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { kind: "picture", format: "jpeg" };
  if (head.length >= 12 && head.toString("latin1", 0, 4) === "RIFF" && head.toString("latin1", 8, 12) === "WEBP") return { kind: "picture", format: "webp" };
  return undefined;
}

/** The first bytes of `file`. */
export function readHead(file: string): Buffer {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    return buf.subarray(0, readSync(fd, buf, 0, SNIFF_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

/** What the head shows, quoted for a message: printable text as text, anything else as hex. */
export function describeHead(head: Buffer): string {
  const text = head.toString("latin1");
  return /^[\x20-\x7e\r\n\t]+$/.test(text) ? JSON.stringify(text.slice(0, 12)) : head.subarray(0, 8).toString("hex");
}

/** The container of the video at `file`, by its first bytes; a MEDIA error for anything else. */
export function videoContainer(file: string, label: string): VideoContainer {
  let head: Buffer;
  try {
    head = readHead(file);
  } catch (e) {
    throw new ClipformError("MEDIA", `${label}: cannot read ${file}: ${(e as Error).message}`);
  }
  const s = sniff(head);
  if (s?.kind !== "video") {
    throw new ClipformError("MEDIA", `${label}: ${file} is not an MP4/MOV or WebM/Matroska video (it starts with ${describeHead(head)}): it is not given to ffmpeg`);
  }
  return s.format;
}

/** ffmpeg's demuxer for each picture format (a keyframe image a chained clip starts from). */
const PICTURE_DEMUXERS: Record<PictureFormat, string> = { png: "png_pipe", jpeg: "jpeg_pipe", webp: "webp_pipe" };

/**
 * ffmpeg's input options for a video from a download: the container forced, the file protocol
 * only (no http, no playlists, no concat of other files), one decoder thread. `before` are input
 * options that must come before `-i` (a seek). With `pictures`, a PNG, JPEG or WebP is read too.
 */
export function videoInputArgs(file: string, label: string, before: readonly string[] = [], pictures = false): string[] {
  const format = pictures ? mediaFormat(file, label) : videoContainer(file, label);
  return ["-protocol_whitelist", "file", "-threads", "1", "-f", format, ...before, "-i", `file:${resolve(file)}`];
}

/** The demuxer for a video or a picture, by its first bytes. */
function mediaFormat(file: string, label: string): string {
  let s: Sniffed | undefined;
  try {
    s = sniff(readHead(file));
  } catch {
    /* said by videoContainer below */
  }
  if (s?.kind === "picture") return PICTURE_DEMUXERS[s.format];
  return videoContainer(file, label);
}

/** Refuses a frame size too big to decode safely (before anything is decoded). */
export function checkFrameSize(width: number, height: number, label: string): void {
  if (width > MAX_FRAME_SIDE || height > MAX_FRAME_SIDE || width * height > MAX_FRAME_PIXELS) {
    throw new ClipformError(
      "MEDIA",
      `${label} declares frames of ${width}×${height}: more than clipform decodes (${MAX_FRAME_SIDE} on a side, ${MAX_FRAME_PIXELS} pixels); it was not decoded`,
    );
  }
}
