/**
 * Cutting a sequence: its members' videos joined, in order, into one MP4. When every member
 * agrees on container, codec, size, pixel format, frame rate and audio, the streams are copied
 * as they are (the concat demuxer: fast, no loss); otherwise everything is re-encoded (H.264,
 * yuv420p) at the first member's size, each member scaled to fit and padded. The film is written
 * to a temporary file and renamed into place: never a half-written film.
 */
import { mkdtempSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { randomUUID } from "node:crypto";
import { runFfmpeg } from "./ffmpeg.js";
import { probeVideo, type VideoProbe } from "./sequence-probe.js";
import { checkFrameSize, videoInputArgs } from "./input.js";
import { sha256OfFile } from "./sequence-record.js";

export type CutMode = "copy" | "encode";

export interface CutInput {
  /** Absolute path of each member's video, in order (a repeat appears twice). */
  file: string;
  /** How messages name it ("arrival"). */
  label: string;
}

export interface CutResult {
  mode: CutMode;
  sha256: string;
  bytes: number;
  mtimeMs: number;
  /** Seconds of film, by the members' own durations. */
  duration: number;
}

/** Codecs an MP4 carries that browsers play: others are re-encoded rather than copied. */
const COPY_CODECS = new Set(["h264", "hevc"]);
/** Sample rate and layout of the film's audio when members are re-encoded. */
const AUDIO_RATE = 48_000;
const DEFAULT_FPS = 24;

const audioSignature = (p: VideoProbe) => (p.audio ? `${p.audio.codec}/${p.audio.sampleRate ?? "?"}/${p.audio.channels ?? "?"}` : "none");

/** Whether the streams of every member can be copied into one MP4 as they are. */
export function canCopy(probes: readonly VideoProbe[]): boolean {
  const first = probes[0]!;
  if (!COPY_CODECS.has(first.codec) || !/\bmp4\b|\bmov\b/.test(first.container)) return false;
  return probes.every(
    (p) =>
      p.container === first.container &&
      p.codec === first.codec &&
      p.width === first.width &&
      p.height === first.height &&
      p.pixelFormat === first.pixelFormat &&
      p.fps === first.fps &&
      audioSignature(p) === audioSignature(first),
  );
}

/** One line of a concat list: the path quoted as the demuxer reads it. */
const concatLine = (file: string) => `file '${`file:${file}`.replace(/'/g, "'\\''")}'`;

function copyArgs(list: string, out: string): string[] {
  // The list is clipform's own; its members were sniffed and probed (see cutSequence), and are read through the file protocol only.
  return ["-protocol_whitelist", "file", "-f", "concat", "-safe", "0", "-i", `file:${list}`, "-map", "0", "-c", "copy", "-movflags", "+faststart", "-f", "mp4", out];
}

const even = (n: number) => n + (n % 2);

/** Re-encodes every member to the first one's size (even, as yuv420p needs) and frame rate; silent members get silence when others have sound. */
export function encodeArgs(inputs: readonly CutInput[], probes: readonly VideoProbe[], out: string): string[] {
  const w = even(probes[0]!.width);
  const h = even(probes[0]!.height);
  const fps = probes[0]!.fps ?? DEFAULT_FPS;
  const withAudio = probes.some((p) => p.audio);
  const filters: string[] = [];
  const joined: string[] = [];
  probes.forEach((p, i) => {
    filters.push(`[${i}:v:0]scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps},format=yuv420p[v${i}]`);
    joined.push(`[v${i}]`);
    if (!withAudio) return;
    if (p.audio) filters.push(`[${i}:a:0]aresample=${AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo[a${i}]`);
    else filters.push(`anullsrc=r=${AUDIO_RATE}:cl=stereo,atrim=duration=${p.duration ?? 0}[a${i}]`);
    joined.push(`[a${i}]`);
  });
  filters.push(`${joined.join("")}concat=n=${probes.length}:v=1:a=${withAudio ? 1 : 0}${withAudio ? "[v][a]" : "[v]"}`);
  return [
    ...inputs.flatMap((m) => videoInputArgs(m.file, m.label)),
    "-filter_complex",
    filters.join(";"),
    "-map",
    "[v]",
    ...(withAudio ? ["-map", "[a]", "-c:a", "aac", "-b:a", "192k"] : []),
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "18",
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
    out,
  ];
}

/** A stuck decoder must not hang an apply; a long film may take a while to encode. */
function timeoutFor(mode: CutMode, seconds: number): number {
  return 60_000 + Math.ceil(seconds) * (mode === "copy" ? 500 : 10_000);
}

/**
 * Cuts `inputs` into `out` (an absolute path whose folder exists). Throws ClipformError("MEDIA")
 * when ffmpeg cannot read a member or write the film; `out` is then left as it was.
 */
export async function cutSequence(inputs: readonly CutInput[], out: string): Promise<CutResult> {
  // In order, so a problem names the first member that has it; a repeated member is read once.
  const byFile = new Map<string, VideoProbe>();
  for (const m of inputs) {
    if (byFile.has(m.file)) continue;
    const probe = await probeVideo(m.file, m.label);
    checkFrameSize(probe.width, probe.height, m.label);
    byFile.set(m.file, probe);
  }
  const probes = inputs.map((m) => byFile.get(m.file)!);
  const mode: CutMode = canCopy(probes) ? "copy" : "encode";
  const duration = probes.reduce((s, p) => s + (p.duration ?? 0), 0);
  const part = join(dirname(out), `.${basename(out)}.${process.pid}.${randomUUID().slice(0, 8)}.part`);
  const scratch = mode === "copy" ? mkdtempSync(join(tmpdir(), "clipform-cut-")) : undefined;
  try {
    let args: string[];
    if (scratch) {
      const list = join(scratch, "members.txt");
      writeFileSync(list, inputs.map((m) => concatLine(m.file)).join("\n") + "\n");
      args = copyArgs(list, part);
    } else args = encodeArgs(inputs, probes, part);
    await runFfmpeg(`cutting ${basename(out)}`, args, { timeoutMs: timeoutFor(mode, duration) });
    const sha256 = await sha256OfFile(part);
    renameSync(part, out);
    const st = statSync(out);
    return { mode, sha256, bytes: st.size, mtimeMs: st.mtimeMs, duration };
  } finally {
    try {
      unlinkSync(part);
    } catch {
      /* renamed into place, or never written */
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
