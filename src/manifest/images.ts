/**
 * Frame image references: what kind each one is, and for local files their content hash,
 * format and pixel size, so a bad image is caught before anything is paid for. Whether an image
 * is readable is checked once per file; whether its size, weight and format suit a model is
 * checked per clip, against that model's own limits (imageLimitIssues).
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { isInside } from "../core/paths.js";
import { ClipformError } from "../errors.js";
import { COMMON, type Confidence, type ModelSpec } from "../models/catalog.js";
import { readProjectFile } from "../util/safe-fs.js";

/** `link`: a frame of another clip (src/manifest/links.ts), resolved at apply time. */
export type ImageKind = "file" | "url" | "dataUri" | "base64" | "uuid" | "link";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64_RE = /^[A-Za-z0-9+/]{64,}={0,2}$/;
const FILE_EXT_RE = /\.(png|jpe?g|webp|gif|bmp|tiff?|heic|avif)$/i;
/** Frame images are hashed in memory: none this heavy is read (every known model's limit is far below). */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

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

  load(ref: string, baseDir: string, root: string): LocalImageResult {
    const path = isAbsolute(ref) ? ref : resolve(baseDir, ref);
    // An image is uploaded to the API: one outside the project (an absolute path, ../) never is.
    if (!isInside(root, path)) return { ok: false, message: `image ${ref} lies outside the project (${path}): clipform reads and uploads only images inside the project` };
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
    const result = checkImage(ref, path, st.size, root);
    this.cache.set(path, { key, result });
    return result;
  }
}

function checkImage(ref: string, path: string, size: number, root: string): LocalImageResult {
  if (size > MAX_READ_BYTES) return { ok: false, message: `image ${ref} is ${mb(size)} MB; clipform reads no frame image over ${mb(MAX_READ_BYTES)} MB` };
  let buf: Buffer | undefined;
  try {
    buf = readProjectFile(path, { within: root, maxBytes: MAX_READ_BYTES, shown: `image ${ref}` });
  } catch (e) {
    if (e instanceof ClipformError) return { ok: false, message: e.message };
    throw e;
  }
  if (buf === undefined) return { ok: false, message: `image file not found: ${ref} (looked for ${path})` };
  const problem = imageProblem(ref, buf);
  if (problem) {
    const hint = FILE_EXT_RE.test(ref) ? "" : " (if this was meant as base64 or an image UUID, it is not valid as either)";
    return { ok: false, message: problem.startsWith("not a") ? `${ref} is ${problem}${hint}` : problem };
  }
  const sha256 = createHash("sha256").update(buf).digest("hex");
  return { ok: true, image: { path, sha256, bytes: size, info: sniffImage(buf) } };
}

const mb = (bytes: number) => String(Number((bytes / 1048576).toFixed(1)));

/** The JPEG end-of-image marker (EOI). */
const JPEG_END = Buffer.from([0xff, 0xd9]);

/** What makes bytes no image at all (unknown format, cut short), or undefined. */
function imageProblem(label: string, buf: Buffer): string | undefined {
  const info = sniffImage(buf);
  if (info.format === "unknown") return "not a PNG, JPEG or WEBP image";
  // A header alone (a download cut short, a 5-byte JPEG) is no image: the API would refuse it after upload.
  const name = info.format.toUpperCase();
  if (info.width === undefined || info.height === undefined) return `image ${label} is a truncated or damaged ${name}: its pixel size cannot be read`;
  if (info.format === "jpeg" && buf.lastIndexOf(JPEG_END) < 2) return `image ${label} is a truncated ${name}: it stops before its end marker`;
  return undefined;
}

export interface ImageIssue {
  severity: "error" | "warning";
  /** invalidImage (a verified limit), disputedLimit, unconfirmedLimit, or commonLimit (the model's own is not known). */
  code: "invalidImage" | "disputedLimit" | "unconfirmedLimit" | "commonLimit";
  message: string;
}

/**
 * What `model` would reject in an image (pixel size, weight, format), by the confidence of its
 * limits: verified ones reject, conflict and unconfirmed ones warn. A limit the model's
 * definition does not give falls back on the common Runware one, as a warning only: it is a
 * guess for that model. `label` names the image in messages ("./key.png", "given as base64").
 */
export function imageLimitIssues(label: string, image: { bytes: number; info: ImageInfo }, model: ModelSpec | undefined): ImageIssue[] {
  const own = model?.imageLimits;
  // An unknown model is reported on its own; its images are held to the common limits.
  const judged = (key: "minSide" | "maxSide" | "maxBytes" | "formats"): { value: number | readonly string[]; confidence: Confidence | "common" } =>
    own?.[key] !== undefined ? { value: own[key]!, confidence: own.confidence } : { value: COMMON.image[key], confidence: model ? "common" : "verified" };
  const issues: ImageIssue[] = [];
  const issue = (confidence: Confidence | "common", message: string) => {
    if (confidence === "verified") issues.push({ severity: "error", code: "invalidImage", message });
    else if (confidence === "conflict") issues.push({ severity: "warning", code: "disputedLimit", message: `${message} (a disputed limit of ${model!.air}: the sources disagree; accepted)` });
    else if (confidence === "unconfirmed") issues.push({ severity: "warning", code: "unconfirmedLimit", message: `${message} (an unconfirmed limit of ${model!.air}: the API may accept it)` });
    else issues.push({ severity: "warning", code: "commonLimit", message: `${message} (the common Runware limit: ${model!.air}'s own is not known, so the API may accept it)` });
  };
  const bytes = judged("maxBytes");
  if (image.bytes > (bytes.value as number)) issue(bytes.confidence, `image ${label} is ${mb(image.bytes)} MB; the limit is ${mb(bytes.value as number)} MB`);
  const { width, height, format } = image.info;
  if (width !== undefined && height !== undefined) {
    const min = judged("minSide");
    const max = judged("maxSide");
    const tooSmall = Math.min(width, height) < (min.value as number);
    const tooBig = Math.max(width, height) > (max.value as number);
    if (tooSmall || tooBig) {
      // The strictest confidence among the bounds broken decides.
      const broken = [...(tooSmall ? [min.confidence] : []), ...(tooBig ? [max.confidence] : [])];
      const confidence = (["verified", "conflict", "unconfirmed", "common"] as const).find((c) => broken.includes(c))!;
      issue(confidence, `image ${label} is ${width}x${height} px; each side must be ${String(min.value)} to ${String(max.value)} px`);
    }
  }
  const formats = judged("formats");
  const allowed = (formats.value as readonly string[]).map((f) => f.toLowerCase().replace(/^jpg$/, "jpeg"));
  if (format !== "unknown" && !allowed.includes(format)) {
    issue(formats.confidence, `image ${label} is a ${format.toUpperCase()}; ${model?.air ?? "the model"} takes ${allowed.map((f) => f.toUpperCase()).join(", ")}`);
  }
  return issues;
}

export type InlineImageResult = { ok: true; bytes: number; info: ImageInfo } | { ok: false; message: string };

/** Reads an image given inline (a data URI or raw base64) as a local file is read. */
export function inlineImage(ref: string, kind: "dataUri" | "base64"): InlineImageResult {
  const m = kind === "dataUri" ? /^data:([^;,]*)(;base64)?,(.*)$/is.exec(ref) : undefined;
  if (kind === "dataUri" && (!m || !m[2])) return { ok: false, message: "a data URI frame image must be base64-encoded (data:image/png;base64,…)" };
  const buf = Buffer.from(kind === "dataUri" ? m![3]! : ref, "base64");
  const problem = imageProblem(inlineLabel(kind), buf);
  if (problem) return { ok: false, message: problem.startsWith("not a") ? `the image ${inlineLabel(kind)} is ${problem}` : problem };
  return { ok: true, bytes: buf.length, info: sniffImage(buf) };
}

/** How messages name an image given inline. */
export const inlineLabel = (kind: "dataUri" | "base64"): string => (kind === "dataUri" ? "given as a data URI" : "given as base64");
