/**
 * Videos are data, not programs (issue 20). A file a server sent is given to ffmpeg only when its
 * first bytes are a video container, only as that container, through the file protocol alone, at
 * a frame size clipform decodes, within a deadline and a memory cap; and the output says which
 * ffmpeg ran. The cases as found: an HLS playlist "video" made the 2018 ffmpeg read a video
 * outside the project (and clipform uploaded that frame); a 100 KB video declaring 7680×4320 at
 * 120 fps made last-frame extraction buffer ~6 GB.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ClipformError } from "../../src/errors.js";
import { atLeast, capped, describeFfmpeg, FFMPEG_MEMORY_BYTES, findFfmpeg, runFfmpeg } from "../../src/media/ffmpeg.js";
import { extractFrame } from "../../src/media/frames.js";
import { sniff } from "../../src/media/input.js";
import { cutSequence } from "../../src/media/sequence.js";

const SAMPLE = new URL("../../assets/video/landscape-00.mp4", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "clipform-hostile-video-"));
const outside = join(dir, "outside");
const proj = join(dir, "project");
mkdirSync(outside);
mkdirSync(proj);

/** An HLS playlist, saved where a downloaded video goes, naming a video outside the project. */
function playlist(name: string): string {
  copyFileSync(SAMPLE, join(outside, "private.mp4"));
  const file = join(proj, name);
  writeFileSync(file, `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${join(outside, "private.mp4")}\n#EXT-X-ENDLIST\n`);
  return file;
}

const rejection = (p: Promise<unknown>) => p.then(() => new Error("resolved"), (e: unknown) => e);

describe("a file is given to ffmpeg only as the container its first bytes show", () => {
  it("knows MP4/MOV, WebM/Matroska, PNG, JPEG and WebP by their first bytes, and nothing else", () => {
    expect(sniff(Buffer.from("\0\0\0\x20ftypisom\0\0\x02\0", "latin1"))).toEqual({ kind: "video", format: "mov" });
    expect(sniff(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 1, 0, 0, 0]))).toEqual({ kind: "video", format: "matroska" });
    expect(sniff(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))?.kind).toBe("picture");
    expect(sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))?.format).toBe("jpeg");
    expect(sniff(Buffer.from("RIFF\0\0\0\0WEBPVP8 ", "latin1"))?.format).toBe("webp");
    for (const text of ["#EXTM3U\n#EXT-X", "ffconcat version 1.0", "<html><body>", "\0\0\0\x04ftyp", ""]) expect(sniff(Buffer.from(text, "latin1")), text).toBeUndefined();
  });

  it("an HLS playlist saved as a video: no frame is taken from the video it names outside the project", async () => {
    const err = await rejection(extractFrame(playlist("arrival.v1.mp4"), "last"));
    expect(err).toBeInstanceOf(ClipformError);
    expect((err as ClipformError).code).toBe("MEDIA");
    expect((err as Error).message).toMatch(/arrival\.v1\.mp4 is not an MP4\/MOV or WebM\/Matroska video \(it starts with "#EXTM3U/);
  });

  it("an HLS playlist as a film's member: the film is not cut", async () => {
    const err = await rejection(cutSequence([{ file: SAMPLE, label: "arrival" }, { file: playlist("platform.v1.mp4"), label: "platform" }], join(proj, "film.mp4")));
    expect((err as Error).message).toMatch(/^reading platform: .*is not an MP4\/MOV/);
  });

  it("a real video still gives its frames, read as MP4 through the file protocol", async () => {
    const frame = await extractFrame(SAMPLE, "last");
    expect(frame.width * frame.height).toBeGreaterThan(0);
  });
});

describe("a frame too big to decode is refused before it is decoded", () => {
  let huge: string;
  beforeAll(() => {
    // A tiny file declaring 7680×4320 at 120 fps (2 black frames).
    huge = join(proj, "huge.v1.mp4");
    const f = findFfmpeg()!;
    const r = spawnSync(f.path, ["-hide_banner", "-nostdin", "-y", "-f", "lavfi", "-i", "color=black:s=7680x4320:r=120", "-frames:v", "2", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "51", huge], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);

  it.each(["first", "last"] as const)("%s frame of 7680×4320: a MEDIA error saying so", async (which) => {
    const err = await rejection(extractFrame(huge, which));
    expect((err as ClipformError).code).toBe("MEDIA");
    expect((err as Error).message).toContain("declares frames of 7680×4320: more than clipform decodes");
  });

  it("as a film's member: refused the same way", async () => {
    const err = await rejection(cutSequence([{ file: huge, label: "arrival" }], join(proj, "film2.mp4")));
    expect((err as Error).message).toContain("declares frames of 7680×4320");
  });
});

describe("every ffmpeg run is bounded", () => {
  it("killed at its deadline, and the error says so and which ffmpeg ran", async () => {
    const err = await rejection(runFfmpeg("an endless decode", ["-f", "lavfi", "-i", "color=black:s=16x16:r=25", "-f", "null", "-"], { timeoutMs: 300 }));
    expect((err as Error).message).toMatch(/^an endless decode: ffmpeg was stopped after 300 ms \(its deadline\)/);
  });

  it("runs under an address-space cap", () => {
    const [command, args] = capped("/bin/sh", ["-c", "ulimit -v"]);
    const r = spawnSync(command, args, { encoding: "utf8" });
    expect(Number(r.stdout.trim()) * 1024).toBe(FFMPEG_MEMORY_BYTES);
  });

  it("keeps only a bounded tail of what ffmpeg writes", async () => {
    // 200 frames of 64×64 RGB (2.4 MB) written; a tail of at least 2 frames kept.
    const frame = 64 * 64 * 3;
    const out = await runFfmpeg("raw frames", ["-f", "lavfi", "-i", "color=red:s=64x64:r=25", "-frames:v", "200", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], { keepLastBytes: 2 * frame });
    expect(out.dropped + out.stdout.length).toBe(200 * frame);
    expect(out.stdout.length).toBeGreaterThanOrEqual(2 * frame);
    expect(out.stdout.length).toBeLessThan(200 * frame);
  });
});

describe("which ffmpeg runs", () => {
  /** A folder with a fake `ffmpeg` that says it is `version`. */
  function fakeOnPath(version: string): string {
    const bin = mkdtempSync(join(tmpdir(), "clipform-fake-ffmpeg-"));
    writeFileSync(join(bin, "ffmpeg"), `#!/bin/sh\necho "ffmpeg version ${version} Copyright (c) 2000-2024 the FFmpeg developers"\n`);
    chmodSync(join(bin, "ffmpeg"), 0o755);
    return bin;
  }

  it("a current ffmpeg on the PATH is preferred to the bundled 2018 build; an old one is not", () => {
    const current = findFfmpeg({ PATH: fakeOnPath("6.1.1-static") })!;
    expect(current).toMatchObject({ source: "PATH", version: "6.1.1-static" });
    expect(describeFfmpeg(current)).toMatch(/^ffmpeg 6\.1\.1-static \(.*ffmpeg, from the PATH\)$/);
    const old = findFfmpeg({ PATH: fakeOnPath("4.4.2-0ubuntu0.22.04.1") })!;
    expect(old.source).toBe("@ffmpeg-installer/ffmpeg");
    expect(describeFfmpeg(old)).toMatch(/^ffmpeg N-\S+ \(.*ffmpeg, bundled by @ffmpeg-installer\/ffmpeg\)$/);
  });

  it("reads release versions, and never takes a nightly's for a current one", () => {
    expect([atLeast("5.1", [5, 1]), atLeast("n7.0.2", [5, 1]), atLeast("6.0-static", [5, 1])]).toEqual([true, true, true]);
    expect([atLeast("4.4.2", [5, 1]), atLeast("5.0.3", [5, 1]), atLeast("N-47683-g0e8eb07980-static", [5, 1]), atLeast(undefined, [5, 1])]).toEqual([false, false, false, false]);
  });
});
