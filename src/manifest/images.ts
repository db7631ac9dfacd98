/**
 * Frame image references: what kind each one is, and for local files their content hash,
 * format and pixel size, so a bad image is caught before anything is paid for.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { COMMON } from "../models/catalog.js";

export type ImageKind = "file" | "url" | "dataUri" | "base64" | "uuid";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64_RE = /^[A-Za-z0-9+/]{64,}={0,2}$/;
const FILE_EXT_RE = /\.(png|jpe?g|webp|gif|bmp|tiff?|heic|avif)$/i;

export function classifyImage(ref: string): ImageKind {
  if (/^data:/i.test(ref)) return "dataUri";
  if (/^https?:\/\//i.test(ref)) return "url";
  if (UUID_RE.test(ref)) return "uuid";
  if (BASE64_RE.test(ref) && !ref.includes("/.")) return "base64";
  return "file";
}

export interface ImageInfo {
  format: "png" | "jpeg" | "webp" | "unknown";
  width?: number;
  height?: number;
}

/** Reads the format and pixel size from the first bytes of a PNG, JPEG or WEBP file. */
export function sniffImage(buf: Buffer): ImageInfo {
  if (buf.length >= 24 && buf.readUInt32BE(0) === 0x89504e47 && buf.toString("ascii", 12, 16) === "IHDR") {
    return { format: "png", width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  }
  if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xd8) {
    let i = 2;
    while (i + 9 < buf.length) {
      if (buf[i] !== 0xff) {
        i++;
        continue;
      }
      const marker = buf[i + 1]!;
      const len = buf.readUInt16BE(i + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { format: "jpeg", height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
      }
      i += 2 + len;
    }
    return { format: "jpeg" };
  }
  if (buf.length >= 30 && buf.toString("ascii", 0, 4) === "RIFF" && buf.toString("ascii", 8, 12) === "WEBP") {
    const chunk = buf.toString("ascii", 12, 16);
    if (chunk === "VP8X") return { format: "webp", width: 1 + buf.readUIntLE(24, 3), height: 1 + buf.readUIntLE(27, 3) };
    if (chunk === "VP8 ") return { format: "webp", width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff };
    if (chunk === "VP8L") {
      const b = buf.readUInt32LE(21);
      return { format: "webp", width: 1 + (b & 0x3fff), height: 1 + ((b >> 14) & 0x3fff) };
    }
    return { format: "webp" };
  }
  return { format: "unknown" };
}

export interface LocalImage {
  path: string;
  sha256: string;
  bytes: number;
  info: ImageInfo;
}

export type LocalImageResult = { ok: true; image: LocalImage } | { ok: false; message: string };

/**
 * Reads and checks a local frame image. Results are cached by path, size and mtime, so watch
 * mode and large projects hash each file once.
 */
export class LocalImageCache {
  private cache = new Map<string, { key: string; result: LocalImageResult }>();

  load(ref: string, baseDir: string): LocalImageResult {
    const path = isAbsolute(ref) ? ref : resolve(baseDir, ref);
    let st;
    try {
      st = statSync(path);
    } catch {
      return { ok: false, message: `image file not found: ${ref} (looked for ${path})` };
    }
    if (!st.isFile()) return { ok: false, message: `image path is not a file: ${ref}` };
    const key = `${st.size}:${st.mtimeMs}`;
    const hit = this.cache.get(path);
    if (hit && hit.key === key) return hit.result;
    const result = checkImage(ref, path, st.size);
    this.cache.set(path, { key, result });
    return result;
  }
}

function checkImage(ref: string, path: string, size: number): LocalImageResult {
  const { maxBytes } = COMMON.image;
  if (size > maxBytes) return { ok: false, message: `image ${ref} is ${(size / 1048576).toFixed(1)} MB; the limit is ${maxBytes / 1048576} MB` };
  const buf = readFileSync(path);
  const problem = imageProblem(ref, buf);
  if (problem) {
    const hint = FILE_EXT_RE.test(ref) ? "" : " (if this was meant as base64 or an image UUID, it is not valid as either)";
    return { ok: false, message: problem.startsWith("not a") ? `${ref} is ${problem}${hint}` : problem };
  }
  const sha256 = createHash("sha256").update(buf).digest("hex");
  return { ok: true, image: { path, sha256, bytes: size, info: sniffImage(buf) } };
}

/** The JPEG end-of-image marker (EOI). */
const JPEG_END = Buffer.from([0xff, 0xd9]);

/** What the API would reject in an image's bytes (format, pixel size, weight), or undefined. */
function imageProblem(label: string, buf: Buffer): string | undefined {
  const { maxBytes, minSide, maxSide } = COMMON.image;
  if (buf.length > maxBytes) return `image ${label} is ${(buf.length / 1048576).toFixed(1)} MB; the limit is ${maxBytes / 1048576} MB`;
  const info = sniffImage(buf);
  if (info.format === "unknown") return "not a PNG, JPEG or WEBP image";
  // A header alone (a download cut short, a 5-byte JPEG) is no image: the API would refuse it after upload.
  const name = info.format.toUpperCase();
  if (info.width === undefined || info.height === undefined) return `image ${label} is a truncated or damaged ${name}: its pixel size cannot be read`;
  if (info.format === "jpeg" && buf.lastIndexOf(JPEG_END) < 2) return `image ${label} is a truncated ${name}: it stops before its end marker`;
  if (info.width !== undefined && info.height !== undefined) {
    const { width, height } = info;
    if (width < minSide || height < minSide || width > maxSide || height > maxSide) {
      return `image ${label} is ${width}x${height} px; each side must be ${minSide} to ${maxSide} px`;
    }
  }
  return undefined;
}

/** Checks an image given inline (a data URI or raw base64) as a local file would be checked. */
export function inlineImageProblem(ref: string, kind: "dataUri" | "base64"): string | undefined {
  const m = kind === "dataUri" ? /^data:([^;,]*)(;base64)?,(.*)$/is.exec(ref) : undefined;
  if (kind === "dataUri" && (!m || !m[2])) return "a data URI frame image must be base64-encoded (data:image/png;base64,…)";
  const buf = Buffer.from(kind === "dataUri" ? m![3]! : ref, "base64");
  const label = kind === "dataUri" ? "given as a data URI" : "given as base64";
  const problem = imageProblem(label, buf);
  return problem?.startsWith("not a") ? `the image ${label} is ${problem}` : problem;
}
