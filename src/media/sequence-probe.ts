/**
 * What a video file holds, read from what `ffmpeg -i` prints about its input (the package ships
 * no ffprobe): container, first video stream (codec, size, pixel format, frame rate), first
 * audio stream, duration. Only what deciding between a stream copy and a re-encode needs.
 */
import { ClipformError } from "../errors.js";
import { runFfmpeg } from "./ffmpeg.js";
import { videoInputArgs } from "./input.js";

/** Reading a file without decoding it (stream copy to nowhere) is quick: a bounded wait, generous for a 2 GiB download. */
const PROBE_TIMEOUT_MS = 120_000;

export interface VideoProbe {
  /** The demuxer's names, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  container: string;
  codec: string;
  width: number;
  height: number;
  pixelFormat: string;
  fps?: number;
  /** Seconds, when the container says. */
  duration?: number;
  audio?: { codec: string; sampleRate?: number; channels?: string };
  /** Frames ffmpeg read (the whole file is read once, without decoding). */
  frames?: number;
}

/** Splits at commas outside parentheses and brackets: "yuv420p(tv, progressive), 160x90" → two parts. */
function topLevelParts(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(" || ch === "[") depth++;
    if (ch === ")" || ch === "]") depth = Math.max(0, depth - 1);
    if (ch === "," && depth === 0) {
      parts.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

/** The input description in ffmpeg's stderr, or undefined when it has no video stream. */
export function parseProbe(stderr: string): VideoProbe | undefined {
  // Only the input's description: what follows describes the (null) output.
  const input = stderr.split(/\n(?=Output #0|Stream mapping:)/)[0] ?? "";
  const container = /Input #0, (.+?), from /.exec(input)?.[1];
  const video = /Stream #0:\d+[^:]*: Video: (.+)/.exec(input)?.[1];
  if (!container || !video) return undefined;
  const parts = topLevelParts(video);
  const size = parts.map((p) => /^(\d+)x(\d+)/.exec(p)).find(Boolean);
  if (!size) return undefined;
  const fps = parts.map((p) => /^([\d.]+)k? fps$/.exec(p)).find(Boolean);
  const d = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(input);
  const audio = /Stream #0:\d+[^:]*: Audio: (.+)/.exec(input)?.[1];
  const aparts = audio ? topLevelParts(audio) : [];
  const rate = aparts.map((p) => /^(\d+) Hz$/.exec(p)).find(Boolean);
  const frames = [...stderr.matchAll(/frame=\s*(\d+)/g)].pop();
  return {
    container,
    codec: parts[0]!.split(" ")[0]!,
    width: Number(size[1]),
    height: Number(size[2]),
    pixelFormat: (parts[1] ?? "").replace(/\(.*$/, ""),
    ...(fps ? { fps: Number(fps[1]) * (fps[0].includes("k fps") ? 1000 : 1) } : {}),
    ...(d ? { duration: Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) } : {}),
    ...(audio ? { audio: { codec: aparts[0]!.split(" ")[0]!, ...(rate ? { sampleRate: Number(rate[1]) } : {}), ...(aparts[2] ? { channels: aparts[2] } : {}) } } : {}),
    ...(frames ? { frames: Number(frames[1]) } : {}),
  };
}

/** Probes `file` (an absolute path); `label` names it in errors. */
export async function probeVideo(file: string, label: string, o: { pictures?: boolean } = {}): Promise<VideoProbe> {
  // Copying every stream to nowhere reads the file without decoding it and exits 0 (`-i` alone exits 1).
  const { stderr } = await runFfmpeg(`reading ${label}`, [...videoInputArgs(file, `reading ${label}`, [], o.pictures), "-map", "0", "-c", "copy", "-f", "null", "-"], { timeoutMs: PROBE_TIMEOUT_MS });
  const probe = parseProbe(stderr);
  if (!probe) throw new ClipformError("MEDIA", `${label} has no video stream ffmpeg can read`);
  return probe;
}
