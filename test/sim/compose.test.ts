/**
 * Videos whose request had frame images show them: the client uploads a picture (or inlines it),
 * the simulator serves a video that starts (or ends) on it, and the frames are decoded for real.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findFfmpeg } from "../../src/media/ffmpeg.js";
import { VideoComposer, composeVideo } from "../../src/sim/compose.js";
import { ImageStore } from "../../src/sim/frame-images.js";
import type { Simulator } from "../../src/sim/index.js";
import { createStats } from "../../src/sim/stats.js";
import { ASPECT_SIZES, VIDEO_PALETTE, loadSampleVideos, paletteIndex, sampleFileName, type Aspect, type OutputFormat } from "../../src/sim/videos.js";
import { createClient, pollUntilDone, startSim, videoTask, type Harness } from "../runware/helpers.js";
import { decodeFrames, expectColour, rgbOf, solidPng, type Rgb } from "./frames-support.js";

const GREEN = "00ff00";
const BLUE = "2040c0";

let sim: Simulator;
let h: Harness;
let dir: string;

beforeEach(async () => {
  sim = await startSim();
  h = createClient(sim.apiUrl);
  dir = await mkdtemp(join(tmpdir(), "clipform-compose-"));
});
afterEach(async () => {
  await h.client.close();
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

/** Submits one task with the client, waits for it, downloads its first video; returns the file and seed. */
async function generateAndDownload(task: ReturnType<typeof videoTask>, ext: string): Promise<{ file: string; seed: number }> {
  const [submitted] = await h.client.submitVideo([task]);
  expect(submitted!.status).toBe("accepted");
  const video = (await pollUntilDone(h.client, [task.taskUUID])).get(task.taskUUID)!.items[0]!;
  const file = join(dir, `${video.videoUUID}.${ext}`);
  await h.client.download(video.videoURL, file);
  return { file, seed: video.seed! };
}

const seedColour = (seed: number): Rgb => rgbOf(VIDEO_PALETTE[paletteIndex(seed)]![0]);

describe("videos with frame images", () => {
  it.each([
    { outputFormat: "MP4", ext: "mp4" },
    { outputFormat: "WEBM", ext: "webm" },
    { outputFormat: "MOV", ext: "mov" },
  ])("start on an uploaded first frame and end on the seed's colour ($outputFormat)", async ({ outputFormat, ext }) => {
    const png = await solidPng(GREEN, 64, 36);
    const imageUUID = await h.client.uploadImage(`data:image/png;base64,${png.toString("base64")}`);
    const { file, seed } = await generateAndDownload(videoTask({ outputFormat, inputs: { frameImages: [{ image: imageUUID, frame: "first" }] } }), ext);

    const video = await decodeFrames(file);
    expect({ width: video.width, height: video.height }).toEqual(ASPECT_SIZES.landscape);
    expect(video.frames.length).toBeGreaterThanOrEqual(10);
    expectColour(video.frames[0]!, rgbOf(GREEN));
    expectColour(video.frames.at(-1)!, seedColour(seed));
    expect((await readFile(file)).length).toBeLessThan(20_000);
    expect(sim.stats()).toMatchObject({ composedVideos: 1, composeFallbacks: 0 });
  });

  it("end on a `last` frame image, given inline as a data URI, at the requested aspect", async () => {
    const png = await solidPng(BLUE, 36, 64);
    const task = videoTask({ width: 720, height: 1280, inputs: { frameImages: [{ image: `data:image/png;base64,${png.toString("base64")}`, frame: "last" }] } });
    const { file, seed } = await generateAndDownload(task, "mp4");

    const video = await decodeFrames(file);
    expect({ width: video.width, height: video.height }).toEqual(ASPECT_SIZES.portrait);
    expectColour(video.frames[0]!, seedColour(seed));
    expectColour(video.frames.at(-1)!, rgbOf(BLUE));
    expect(sim.stats().imageUpload).toBe(0);
  });

  it("show both ends when given first and last (bare base64 and an upload)", async () => {
    const first = await solidPng(GREEN, 64, 36);
    const lastUUID = await h.client.uploadImage((await solidPng(BLUE, 64, 36)).toString("base64"));
    const task = videoTask({ inputs: { frameImages: [{ image: first.toString("base64"), frame: "first" }, { image: lastUUID, frame: "last" }] } });
    const { file, seed } = await generateAndDownload(task, "mp4");

    const { frames } = await decodeFrames(file);
    expectColour(frames[0]!, rgbOf(GREEN));
    expectColour(frames[Math.floor(frames.length / 2)]!, seedColour(seed));
    expectColour(frames.at(-1)!, rgbOf(BLUE));
  });

  it("are encoded once per picture and look, however often they are downloaded", async () => {
    const imageUUID = await h.client.uploadImage((await solidPng(GREEN, 64, 36)).toString("base64"));
    const task = videoTask({ inputs: { frameImages: [{ image: imageUUID }] } });
    const { file } = await generateAndDownload(task, "mp4");
    const video = (await pollUntilDone(h.client, [task.taskUUID])).get(task.taskUUID)!.items[0]!;
    const again = await Promise.all([1, 2, 3].map(async () => Buffer.from(await (await fetch(video.videoURL)).arrayBuffer())));
    const ranged = Buffer.from(await (await fetch(video.videoURL, { headers: { Range: "bytes=10-" } })).arrayBuffer());

    const bytes = await readFile(file);
    for (const copy of again) expect(copy).toEqual(bytes);
    expect(ranged).toEqual(bytes.subarray(10));
    expect(sim.stats()).toMatchObject({ composedVideos: 1, videoDownloads: 5 });
  });

  it("fall back to the committed clip, never failing the task, when the image cannot be decoded", async () => {
    const imageUUID = await h.client.uploadImage(Buffer.from("these bytes are not a picture at all, whatever they claim").toString("base64"));
    const { file, seed } = await generateAndDownload(videoTask({ inputs: { frameImages: [{ image: imageUUID }] } }), "mp4");
    expect(await readFile(file)).toEqual(await readFile(new URL(`../../assets/video/${sampleFileName({ format: "MP4", seed, aspect: "landscape" })}`, import.meta.url)));
    expect(sim.stats()).toMatchObject({ composedVideos: 0, composeFallbacks: 1 });
  });

  it("are the committed clips when the frame image is a URL (no network) or no image is given", async () => {
    for (const inputs of [{ frameImages: [{ image: "https://example.com/frame.png" }] }, undefined]) {
      const { file, seed } = await generateAndDownload(videoTask(inputs ? { inputs } : {}), "mp4");
      expect(await readFile(file)).toEqual(await readFile(new URL(`../../assets/video/${sampleFileName({ format: "MP4", seed, aspect: "landscape" })}`, import.meta.url)));
    }
    expect(sim.stats()).toMatchObject({ composedVideos: 0, composeFallbacks: 0 });
  });
});

describe("composeVideo", () => {
  it("makes the same bytes from the same pictures, so a chain's frames keep their identity across simulator runs", async () => {
    const ffmpeg = findFfmpeg()!;
    const composition = { format: "WEBM", aspect: "square", colour: "3cb44b", first: await solidPng(GREEN, 50, 50), last: await solidPng(BLUE, 50, 50) } as const;
    const [a, b] = await Promise.all([composeVideo(composition, ffmpeg), composeVideo(composition, ffmpeg)]);
    expect(a).toEqual(b);
    expect(a.readUInt32BE(0)).toBe(0x1a45dfa3); // EBML: a WebM file
  });
});

describe("VideoComposer without an ffmpeg", () => {
  it("serves the committed clip, counts it, and says so once", async () => {
    const notExecutable = join(dir, "ffmpeg");
    await writeFile(notExecutable, "not a program");
    const images = new ImageStore();
    const stats = createStats();
    const warnings: string[] = [];
    const samples = await loadSampleVideos();
    const composer = new VideoComposer({ images, samples, stats, findFfmpeg: () => findFfmpeg({ CLIPFORM_FFMPEG: notExecutable }), warn: (line) => warnings.push(line) });
    const frames = images.framesOf({ inputs: { frameImages: [`data:image/png;base64,${(await solidPng(GREEN, 64, 36)).toString("base64")}`] } });
    expect(frames?.first).toBeDefined();

    for (const [seed, aspect, format] of [[3, "square", "WEBM"], [4, "portrait", "MOV"]] as [number, Aspect, OutputFormat][]) {
      expect(await composer.bytes({ format, seed, aspect, frames })).toEqual(samples.bytes({ format, seed, aspect }));
    }
    expect(stats).toMatchObject({ composedVideos: 0, composeFallbacks: 2 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("no ffmpeg");
  });
});
