/**
 * The videos simulated generations point at: small committed clips (scripts/gen-sim-videos.sh)
 * that follow the requested aspect and differ by seed, so the report, chains and tests can tell
 * generations apart; served over HTTP with byte ranges so interrupted downloads can resume.
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { COMMON } from "../models/catalog.js";
import type { FrameKeys } from "./frame-images.js";

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

/** The shape of a requested frame, as the committed clips come in. */
export type Aspect = "landscape" | "portrait" | "square";

/**
 * scripts/gen-sim-videos.sh's PALETTE: the two colours (RRGGBB) of each committed clip. A video
 * composed at run time (compose.ts) shows the first colour of its seed's pair.
 */
export const VIDEO_PALETTE: readonly (readonly [string, string])[] = [
  ["e6194b", "ffe119"], ["3cb44b", "4363d8"], ["f58231", "911eb4"], ["42d4f4", "f032e6"], ["bfef45", "fabed4"], ["469990", "dcbeff"],
  ["9a6324", "fffac8"], ["800000", "aaffc3"], ["808000", "ffd8b1"], ["000075", "a9a9a9"], ["ff4500", "1e90ff"], ["2f4f4f", "ffd700"],
];
/** How many different clips each aspect has. */
export const VIDEO_VARIETY = VIDEO_PALETTE.length;
/** Pixel sizes of the committed clips (scripts/gen-sim-videos.sh's SIZES). */
export const ASPECT_SIZES: Readonly<Record<Aspect, { width: number; height: number }>> = {
  landscape: { width: 160, height: 90 },
  portrait: { width: 90, height: 160 },
  square: { width: 120, height: 120 },
};
const ASPECTS = Object.keys(ASPECT_SIZES) as Aspect[];

/** The aspect a request asks for; without a size the models' defaults are landscape. */
export function aspectOf(width: number | undefined, height: number | undefined): Aspect {
  if (!width || !height) return "landscape";
  const ratio = width / height;
  return ratio > 1.1 ? "landscape" : ratio < 0.9 ? "portrait" : "square";
}

/** What one simulated video shows: chosen by its seed, so the variants of a task differ. */
export interface VideoLook {
  format: OutputFormat;
  seed: number;
  aspect: Aspect;
  /** The request's frame images (keys into the simulator's ImageStore): shown by a composed video. */
  frames?: FrameKeys;
}

export interface SampleVideos {
  bytes(look: VideoLook): Buffer;
}

/** `assets/video/` at the package root: two levels up from both src/sim/ and dist/sim/. */
const ASSET_DIR = new URL("../../assets/video/", import.meta.url);

export function isOutputFormat(value: unknown): value is OutputFormat {
  return typeof value === "string" && Object.hasOwn(VIDEO_FORMATS, value);
}

/** Which palette entry (and committed clip number) a seed shows. */
export function paletteIndex(seed: number): number {
  return ((Math.trunc(seed) % VIDEO_VARIETY) + VIDEO_VARIETY) % VIDEO_VARIETY;
}

/** The committed file that shows `look`: `<aspect>-<NN>.<ext>`. */
export function sampleFileName({ format, seed, aspect }: VideoLook): string {
  return `${aspect}-${String(paletteIndex(seed)).padStart(2, "0")}.${VIDEO_FORMATS[format].ext}`;
}

/** Reads every committed clip once, at start-up (a few hundred KB in all). */
export async function loadSampleVideos(): Promise<SampleVideos> {
  const looks = ASPECTS.flatMap((aspect) =>
    (Object.keys(VIDEO_FORMATS) as OutputFormat[]).flatMap((format) => Array.from({ length: VIDEO_VARIETY }, (_, seed): VideoLook => ({ format, seed, aspect }))),
  );
  const files = new Map(await Promise.all(looks.map(async (look) => [sampleFileName(look), await readFile(new URL(sampleFileName(look), ASSET_DIR))] as const)));
  return { bytes: (look) => files.get(sampleFileName(look))! };
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
