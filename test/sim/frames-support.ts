/** Frames of simulated videos, decoded for real: solid test pictures and mean frame colours. */
import { expect } from "vitest";
import { runFfmpeg } from "../../src/media/ffmpeg.js";

export type Rgb = [number, number, number];

export const rgbOf = (hex: string): Rgb => [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
/** Lossy H.264/VP9 at the clips' quality, through yuv420p: a flat colour comes back within a few levels. */
const TOLERANCE = 12;

export function expectColour(actual: Rgb, expected: Rgb): void {
  for (const c of [0, 1, 2]) expect(Math.abs(actual[c]! - expected[c]!), `channel ${c}: got ${actual}, expected ${expected}`).toBeLessThanOrEqual(TOLERANCE);
}

/** A PNG of one colour, made by the same ffmpeg clipform uses. */
export async function solidPng(hex: string, width: number, height: number): Promise<Buffer> {
  const { stdout } = await runFfmpeg("test image", ["-loglevel", "error", "-f", "lavfi", "-i", `color=c=0x${hex}:s=${width}x${height}`, "-frames:v", "1", "-c:v", "png", "-f", "image2pipe", "pipe:1"]);
  return stdout;
}

export interface DecodedVideo {
  width: number;
  height: number;
  /** Each frame's mean colour. */
  frames: Rgb[];
  /** Each frame's rgb24 pixels. */
  pixels: Buffer[];
}

/** The mean colours of a GRID x GRID division of one frame: enough to tell two pictures apart, robust to compression. */
export function blockMeans(pixels: Buffer, width: number, height: number, grid = 4): Rgb[] {
  const blocks: Rgb[] = [];
  for (let by = 0; by < grid; by++) {
    for (let bx = 0; bx < grid; bx++) {
      const sums = [0, 0, 0];
      let count = 0;
      for (let y = Math.floor((by * height) / grid); y < Math.floor(((by + 1) * height) / grid); y++) {
        for (let x = Math.floor((bx * width) / grid); x < Math.floor(((bx + 1) * width) / grid); x++) {
          for (const c of [0, 1, 2]) sums[c]! += pixels[(y * width + x) * 3 + c]!;
          count++;
        }
      }
      blocks.push(sums.map((v) => Math.round(v / count)) as Rgb);
    }
  }
  return blocks;
}

/** Every frame of a video as rgb24, with its size. */
export async function decodeFrames(file: string): Promise<DecodedVideo> {
  const probe = await runFfmpeg("probe", ["-i", file, "-frames:v", "1", "-f", "null", "-"]);
  const [, w, h] = /, (\d+)x(\d+)/.exec(probe.stderr)!;
  const width = Number(w);
  const height = Number(h);
  const { stdout } = await runFfmpeg("decode", ["-loglevel", "error", "-i", file, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
  const size = width * height * 3;
  const pixels: Buffer[] = [];
  for (let at = 0; at + size <= stdout.length; at += size) pixels.push(stdout.subarray(at, at + size));
  const frames = pixels.map((frame) => blockMeans(frame, width, height, 1)[0]!);
  return { width, height, frames, pixels };
}
