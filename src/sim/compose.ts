/**
 * Videos made at run time for requests with frame images: the given first frame image opens
 * the video, the given last frame image ends it, and the frames between are the seed's palette
 * colour, at the requested aspect and container. So a chain of shots can be seen to join up (the
 * next video starts on the picture it was given), in tests and in the report.
 *
 * A simulator must never fail a generation for this: without an ffmpeg, or when encoding fails,
 * the video is the committed clip its seed chooses (videos.ts), counted and noted once.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pLimit from "p-limit";
import { ClipformError } from "../errors.js";
import { findFfmpeg, runFfmpeg, type Ffmpeg } from "../media/ffmpeg.js";
import type { ImageStore, KeptImage } from "./frame-images.js";
import { ByteLru } from "./lru.js";
import type { SimStats } from "./stats.js";
import { ASPECT_SIZES, VIDEO_FORMATS, VIDEO_PALETTE, paletteIndex, type Aspect, type OutputFormat, type SampleVideos, type VideoLook } from "./videos.js";

/** Like the committed clips: 1 second at 12 fps. */
const FPS = 12;
const FRAMES = 12;
/** Composed videos are a few KB each; this keeps thousands. */
const MAX_CACHED_VIDEO_BYTES = 16 * 1024 * 1024;
/** The machine is shared with the client under test: a download storm encodes two at a time. */
const MAX_CONCURRENT_ENCODES = 2;
const ENCODE_TIMEOUT_MS = 20_000;

/** scripts/gen-sim-videos.sh's settings, so composed and committed clips are alike. */
const H264 = ["-c:v", "libx264", "-profile:v", "baseline", "-preset", "veryslow", "-crf", "32", "-movflags", "+faststart"];
const VP9 = ["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "45", "-deadline", "good"];
const COMMON = ["-an", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-pix_fmt", "yuv420p"];
const ENCODER: Readonly<Record<OutputFormat, readonly string[]>> = { MP4: H264, MOV: H264, WEBM: VP9 };

export interface Composition {
  format: OutputFormat;
  aspect: Aspect;
  /** RRGGBB of the frames between. */
  colour: string;
  first?: Buffer;
  last?: Buffer;
}

/**
 * Encodes a composition with `ffmpeg`: frame images are scaled to fit the frame and padded (black),
 * whatever their format (ffmpeg recognises PNG, JPEG and WEBP by content). Throws a MEDIA error
 * when ffmpeg fails (an undecodable image, for one).
 */
export async function composeVideo(c: Composition, ffmpeg: Ffmpeg): Promise<Buffer> {
  const { width: w, height: h } = ASPECT_SIZES[c.aspect];
  const dir = await mkdtemp(join(tmpdir(), "clipform-sim-"));
  try {
    const args = ["-loglevel", "error", "-f", "lavfi", "-i", `color=c=0x${c.colour}:s=${w}x${h}:r=${FPS}:d=${FRAMES / FPS}`];
    const filters: string[] = [];
    let base = "0:v";
    let inputs = 1;
    const frameAt = [
      { image: c.first, n: 0 },
      { image: c.last, n: FRAMES - 1 },
    ];
    for (const [i, { image, n }] of frameAt.entries()) {
      if (!image) continue;
      const file = join(dir, `frame-${i}`);
      await writeFile(file, image);
      args.push("-i", file);
      filters.push(`[${inputs++}:v]scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1[img${i}]`);
      filters.push(`[${base}][img${i}]overlay=enable='eq(n,${n})'[over${i}]`);
      base = `over${i}`;
    }
    const out = join(dir, `video.${VIDEO_FORMATS[c.format].ext}`);
    const graph = filters.length > 0 ? ["-filter_complex", filters.join(";"), "-map", `[${base}]`] : [];
    await runFfmpeg("simulated video", [...args, ...graph, "-frames:v", String(FRAMES), ...ENCODER[c.format], ...COMMON, out], { ffmpeg, timeoutMs: ENCODE_TIMEOUT_MS });
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ComposerOptions {
  images: ImageStore;
  samples: SampleVideos;
  stats: SimStats;
  /** The ffmpeg to encode with (default: the process's, src/media/ffmpeg.ts). */
  findFfmpeg?: () => Ffmpeg | undefined;
  /** Told once, the first time a video falls back to its committed clip. */
  warn?: (line: string) => void;
}

/** The bytes of every simulated video: composed (and cached) when its request had frame images. */
export class VideoComposer {
  readonly #o: ComposerOptions;
  readonly #done = new ByteLru<Buffer>(MAX_CACHED_VIDEO_BYTES);
  readonly #pending = new Map<string, Promise<Buffer>>();
  readonly #inTurn = pLimit(MAX_CONCURRENT_ENCODES);
  #warned = false;

  constructor(options: ComposerOptions) {
    this.#o = options;
  }

  bytes(look: VideoLook): Promise<Buffer> {
    const { frames } = look;
    if (!frames) return Promise.resolve(this.#o.samples.bytes(look));
    const first = frames.first === undefined ? undefined : this.#o.images.get(frames.first);
    const last = frames.last === undefined ? undefined : this.#o.images.get(frames.last);
    if ((frames.first !== undefined && !first) || (frames.last !== undefined && !last)) {
      return Promise.resolve(this.#fallback(look, "its frame image is no longer held (the simulator keeps the most recent 64 MiB)"));
    }
    // The same pictures in the same look are the same video: a retried download never re-encodes.
    const hash = (image: KeptImage | undefined) => image?.hash ?? "-";
    const key = [look.format, look.aspect, paletteIndex(look.seed), hash(first), hash(last)].join(":");
    const cached = this.#done.get(key);
    if (cached) return Promise.resolve(cached);
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#make(look, first?.bytes, last?.bytes)
        .then((bytes) => {
          this.#done.set(key, bytes, bytes.length);
          return bytes;
        })
        .finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  async #make(look: VideoLook, first: Buffer | undefined, last: Buffer | undefined): Promise<Buffer> {
    const ffmpeg = (this.#o.findFfmpeg ?? findFfmpeg)();
    if (!ffmpeg) return this.#fallback(look, "no ffmpeg was found (install one on the PATH or set CLIPFORM_FFMPEG to one)");
    const colour = VIDEO_PALETTE[paletteIndex(look.seed)]![0];
    try {
      const bytes = await this.#inTurn(() => composeVideo({ format: look.format, aspect: look.aspect, colour, ...(first && { first }), ...(last && { last }) }, ffmpeg));
      this.#o.stats.composedVideos++;
      return bytes;
    } catch (error) {
      // ffmpeg failing, or the temporary files it works in: anything else is a simulator bug.
      const media = error instanceof ClipformError && error.code === "MEDIA";
      if (!media && !(error instanceof Error && "syscall" in error)) throw error;
      return this.#fallback(look, error.message);
    }
  }

  #fallback(look: VideoLook, reason: string): Buffer {
    this.#o.stats.composeFallbacks++;
    if (!this.#warned) {
      this.#warned = true;
      this.#o.warn?.(`simulator: a video that should show its frame images is a committed clip instead: ${reason}`);
    }
    return this.#o.samples.bytes(look);
  }
}
