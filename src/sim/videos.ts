/**
 * The sample videos every simulated generation points at, and serving them over HTTP with
 * byte ranges so interrupted downloads can resume.
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { COMMON } from "../models/catalog.js";

export type OutputFormat = (typeof COMMON.outputFormats)[number];

/** Every model page's documented default. */
export const DEFAULT_OUTPUT_FORMAT: OutputFormat = "MP4";

interface FormatInfo {
  ext: string;
  contentType: string;
}

export const VIDEO_FORMATS: Readonly<Record<OutputFormat, FormatInfo>> = {
  MP4: { ext: "mp4", contentType: "video/mp4" },
  WEBM: { ext: "webm", contentType: "video/webm" },
  MOV: { ext: "mov", contentType: "video/quicktime" },
};

export type SampleVideos = Readonly<Record<OutputFormat, Buffer>>;

/** `assets/video/` at the package root: two levels up from both src/sim/ and dist/sim/. */
const ASSET_DIR = new URL("../../assets/video/", import.meta.url);

export function isOutputFormat(value: unknown): value is OutputFormat {
  return typeof value === "string" && Object.hasOwn(VIDEO_FORMATS, value);
}

/** Reads the committed sample files once, at start-up. */
export async function loadSampleVideos(): Promise<SampleVideos> {
  const load = (format: OutputFormat) => readFile(new URL(`sample.${VIDEO_FORMATS[format].ext}`, ASSET_DIR));
  const [MP4, WEBM, MOV] = await Promise.all([load("MP4"), load("WEBM"), load("MOV")]);
  return { MP4, WEBM, MOV };
}

type ByteRange = { start: number; end: number };

/**
 * Parses a single-range `Range` header (`bytes=a-b`, `bytes=a-`, `bytes=-n`).
 * Returns undefined when the header is absent or not one we honour (several ranges, other
 * units, bad syntax): the whole file is then sent, as RFC 9110 allows.
 */
function parseRange(header: string | undefined, size: number): ByteRange | "unsatisfiable" | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "") {
    const suffix = Number(last);
    return suffix === 0 || size === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size) return "unsatisfiable";
  return start > end ? undefined : { start, end };
}

export function sendVideo(req: IncomingMessage, res: ServerResponse, bytes: Buffer, format: OutputFormat): void {
  const size = bytes.length;
  const range = parseRange(req.headers.range, size);
  if (range === "unsatisfiable") {
    res.writeHead(416, { "Content-Range": `bytes */${size}`, "Accept-Ranges": "bytes" });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  res.writeHead(range ? 206 : 200, {
    "Content-Type": VIDEO_FORMATS[format].contentType,
    "Content-Length": end - start + 1,
    "Accept-Ranges": "bytes",
    ...(range && { "Content-Range": `bytes ${start}-${end}/${size}` }),
  });
  res.end(bytes.subarray(start, end + 1)); // Node sends no body for HEAD
}
