import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sniffImage } from "../../src/manifest/images.js";
import { extractFrame, storeFrame } from "../../src/media/frames.js";
import { runFfmpeg } from "../../src/media/ffmpeg.js";

/** A 1 s, 12 fps video that is red, then blue for its last half second. */
async function twoColourVideo(ext: "mp4" | "webm" | "mov"): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "cf-frames-"));
  const out = join(dir, `v.${ext}`);
  const codec = ext === "webm" ? ["-c:v", "libvpx", "-b:v", "200k"] : ["-c:v", "libx264", "-pix_fmt", "yuv420p"];
  await runFfmpeg("a test video", ["-f", "lavfi", "-i", "color=c=red:s=64x36:r=12:d=0.5", "-f", "lavfi", "-i", "color=c=blue:s=64x36:r=12:d=0.5", "-filter_complex", "[0:v][1:v]concat=n=2:v=1", ...codec, out]);
  return out;
}

const mean = (channel: number, frame: { width: number; height: number }, pixels: Buffer) => {
  let s = 0;
  for (let i = channel; i < pixels.length; i += 3) s += pixels[i]!;
  return s / (frame.width * frame.height);
};

describe("extractFrame", () => {
  for (const ext of ["mp4", "webm", "mov"] as const) {
    it(`takes the first and the last frame of a ${ext}`, async () => {
      const video = await twoColourVideo(ext);
      const first = await extractFrame(video, "first");
      const last = await extractFrame(video, "last");
      expect(sniffImage(first.png)).toEqual({ format: "png", width: 64, height: 36 });
      const px = async (f: typeof first) => (await runFfmpeg("decode", ["-i", "pipe:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], { input: f.png })).stdout;
      const fp = await px(first);
      const lp = await px(last);
      expect(mean(0, first, fp)).toBeGreaterThan(200); // red
      expect(mean(2, first, fp)).toBeLessThan(60);
      expect(mean(2, last, lp)).toBeGreaterThan(200); // blue
      expect(mean(0, last, lp)).toBeLessThan(60);
      expect(first.pixelsSha256).not.toBe(last.pixelsSha256);
    });
  }

  it("is the same picture, by hash and by bytes, every time", async () => {
    const video = await twoColourVideo("mp4");
    const a = await extractFrame(video, "last");
    const b = await extractFrame(video, "last");
    expect(a.pixelsSha256).toBe(b.pixelsSha256);
    expect(a.png.equals(b.png)).toBe(true);
  });

  it("reads the simulator's committed clips", async () => {
    const f = await extractFrame(new URL("../../assets/video/portrait-05.webm", import.meta.url).pathname, "last");
    expect([f.width, f.height]).toEqual([90, 160]);
  });

  it("fails as a MEDIA error on something that is no video", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cf-frames-"));
    const bad = join(dir, "bad.mp4");
    writeFileSync(bad, "not a video");
    await expect(extractFrame(bad, "first")).rejects.toMatchObject({ code: "MEDIA" });
  });

  it("keeps each picture once, by content, under .clipform/frames", async () => {
    const root = mkdtempSync(join(tmpdir(), "cf-frames-"));
    const f = await extractFrame(await twoColourVideo("mp4"), "first");
    const rel = storeFrame(root, f);
    expect(rel).toMatch(/^\.clipform\/frames\/[0-9a-f]{32}\.png$/);
    expect(storeFrame(root, f)).toBe(rel);
    expect(readFileSync(join(root, rel)).equals(f.png)).toBe(true);
  });
});
