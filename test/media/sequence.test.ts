/**
 * Cutting sequences with the real ffmpeg on the simulator's committed videos: a stream copy when
 * the members agree, a re-encode when they do not (landscape + portrait), and in both cases a
 * film that decodes whole, as long as its members together. A failure leaves no film behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ClipformError } from "../../src/errors.js";
import { runFfmpeg } from "../../src/media/ffmpeg.js";
import { canCopy, cutSequence, type CutInput } from "../../src/media/sequence.js";
import { parseProbe, probeVideo } from "../../src/media/sequence-probe.js";
import { sha256Hex } from "../../src/util/canonical.js";

const asset = (name: string) => fileURLToPath(new URL(`../../assets/video/${name}`, import.meta.url));
const member = (name: string): CutInput => ({ file: asset(name), label: name });

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "clipform-seq-"));
  dirs.push(d);
  return d;
}

/** Decodes every frame of the film (not a copy: a real decode) and reads what ffmpeg saw. */
async function decodeAll(file: string): Promise<{ frames: number; width: number; height: number; duration: number; audio: boolean }> {
  const { stderr } = await runFfmpeg("decoding the film", ["-i", file, "-map", "0", "-f", "null", "-"]);
  const p = parseProbe(stderr)!;
  const frames = Number([...stderr.matchAll(/frame=\s*(\d+)/g)].pop()![1]);
  return { frames, width: p.width, height: p.height, duration: p.duration!, audio: p.audio !== undefined };
}

describe("cutting a sequence", () => {
  it("two MP4s of one size: stream copy; the film decodes whole, as long as both together", async () => {
    const out = join(scratch(), "trailer.mp4");
    const r = await cutSequence([member("landscape-00.mp4"), member("landscape-01.mp4")], out);
    expect(r.mode).toBe("copy");
    expect(r.sha256).toBe(sha256Hex(readFileSync(out)));
    expect(r.bytes).toBe(readFileSync(out).length);
    const film = await decodeAll(out);
    expect(film).toMatchObject({ width: 160, height: 90, audio: false });
    expect(film.frames).toBe(24); // 12 + 12, at 12 fps
    expect(film.duration).toBeGreaterThan(1.9);
    expect(film.duration).toBeLessThan(2.2);
  });

  it("landscape and portrait: re-encoded at the first member's size, the portrait one padded", async () => {
    const out = join(scratch(), "mixed.mp4");
    const r = await cutSequence([member("landscape-02.mp4"), member("portrait-03.mp4")], out);
    expect(r.mode).toBe("encode");
    const probe = await probeVideo(out, "the film");
    expect(probe).toMatchObject({ codec: "h264", pixelFormat: "yuv420p", width: 160, height: 90 });
    const film = await decodeAll(out);
    expect(film.frames).toBeGreaterThanOrEqual(23);
    expect(film.frames).toBeLessThanOrEqual(25);
    expect(film.duration).toBeGreaterThan(1.9);
    expect(film.duration).toBeLessThan(2.2);
  });

  it("a repeated member is in the film twice; MOV and MP4 of one codec are still copied", async () => {
    const out = join(scratch(), "loop.mp4");
    const r = await cutSequence([member("landscape-00.mp4"), member("landscape-01.mov"), member("landscape-00.mp4")], out);
    expect(r.mode).toBe("copy");
    expect((await decodeAll(out)).frames).toBe(36);
  });

  it("WEBM (VP9) members are re-encoded into an H.264 MP4", async () => {
    const out = join(scratch(), "webm.mp4");
    const r = await cutSequence([member("square-00.webm"), member("square-01.webm")], out);
    expect(r.mode).toBe("encode");
    expect(await probeVideo(out, "the film")).toMatchObject({ codec: "h264", width: 120, height: 120 });
    expect((await decodeAll(out)).frames).toBe(24);
  });

  it("a member with sound and one without: re-encoded with a sound track, silence where there was none", async () => {
    const dir = scratch();
    const loud = join(dir, "loud.mp4");
    await runFfmpeg("making a clip with sound", ["-f", "lavfi", "-i", "testsrc=size=160x90:rate=12:duration=1", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", loud]);
    expect((await probeVideo(loud, "loud")).audio?.codec).toBe("aac");
    const out = join(dir, "sound.mp4");
    const r = await cutSequence([{ file: loud, label: "loud" }, member("landscape-00.mp4")], out);
    expect(r.mode).toBe("encode");
    const film = await decodeAll(out);
    expect(film.audio).toBe(true);
    expect(film.duration).toBeGreaterThan(1.9);
    expect(film.duration).toBeLessThan(2.3);
  });

  it("a member that is no video: a MEDIA error naming it, the earlier film untouched, no temporary file left", async () => {
    const dir = scratch();
    const bogus = join(dir, "bogus.mp4");
    writeFileSync(bogus, "not a video at all");
    const out = join(dir, "trailer.mp4");
    writeFileSync(out, "the earlier film");
    const err = await cutSequence([member("landscape-00.mp4"), { file: bogus, label: "platform" }], out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClipformError);
    expect((err as ClipformError).code).toBe("MEDIA");
    // Refused by its first bytes, before ffmpeg reads it (issue 20).
    expect((err as Error).message).toMatch(/^reading platform: .*bogus\.mp4 is not an MP4\/MOV or WebM\/Matroska video \(it starts with "not a video "\)/);
    expect(readFileSync(out, "utf8")).toBe("the earlier film");
    expect(readdirSync(dir).sort()).toEqual(["bogus.mp4", "trailer.mp4"]);
  });
});

describe("reading what ffmpeg says about a video", () => {
  it("container, codec, size, pixel format (past its parentheses), frame rate, duration, audio", () => {
    const stderr = `Input #0, matroska,webm, from 'x.webm':
  Duration: 00:01:02.50, start: 0.000000, bitrate: 7 kb/s
    Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv, progressive), 1280x720, SAR 1:1 DAR 16:9, 23.98 fps, 23.98 tbr, 1k tbn, 1k tbc
    Stream #0:1(eng): Audio: opus, 48000 Hz, stereo, fltp (default)
Output #0, null, to 'pipe:':
    Stream #0:0: Video: rawvideo, 4x4, 1 fps
frame= 1500 fps=0.0`;
    expect(parseProbe(stderr)).toEqual({
      container: "matroska,webm",
      codec: "vp9",
      width: 1280,
      height: 720,
      pixelFormat: "yuv420p",
      fps: 23.98,
      duration: 62.5,
      audio: { codec: "opus", sampleRate: 48000, channels: "stereo" },
      frames: 1500,
    });
  });

  it("no video stream: nothing to cut from", () => {
    expect(parseProbe("Input #0, mp3, from 'a.mp3':\n  Duration: 00:00:03.00\n    Stream #0:0: Audio: mp3, 44100 Hz, stereo\n")).toBeUndefined();
  });

  it("copies only when every member agrees", () => {
    const p = { container: "mov,mp4,m4a,3gp,3g2,mj2", codec: "h264", width: 160, height: 90, pixelFormat: "yuv420p", fps: 12 };
    expect(canCopy([p, { ...p }])).toBe(true);
    expect(canCopy([p, { ...p, width: 90, height: 160 }])).toBe(false);
    expect(canCopy([p, { ...p, fps: 24 }])).toBe(false);
    expect(canCopy([p, { ...p, audio: { codec: "aac" } }])).toBe(false);
    expect(canCopy([{ ...p, codec: "vp9", container: "matroska,webm" }, { ...p, codec: "vp9", container: "matroska,webm" }])).toBe(false);
  });
});
