import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/sim/index.js";
import { sampleFileName } from "../../src/sim/videos.js";
import { ImageUploader, imageContentHash, RunwareError, type DownloadProgress } from "../../src/runware/index.js";
import { createClient, pollUntilDone, sendJson, startSim, startTinyServer, videoTask, type Harness, type TinyServer } from "./helpers.js";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const SIM_VIDEOS = new URL("../../assets/video/", import.meta.url);
const PNG_BASE64 = Buffer.from("pretend this is a PNG").toString("base64");

let sim: Simulator;
let h: Harness;
let dir: string;
let tiny: TinyServer | undefined;

beforeEach(async () => {
  sim = await startSim();
  h = createClient(sim.apiUrl);
  dir = await mkdtemp(join(tmpdir(), "clipform-download-"));
});
afterEach(async () => {
  await h.client.close();
  await sim.close();
  await tiny?.close();
  tiny = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe("image uploads", () => {
  it("returns the imageUUID from the object-shaped upload answer", async () => {
    const imageUUID = await h.client.uploadImage(`data:image/png;base64,${PNG_BASE64}`);
    expect(imageUUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.stats().imageUpload).toBe(1);
  });

  it("uploads each distinct content once, sharing concurrent requests, whatever its encoding", async () => {
    const uploader = new ImageUploader(h.client);
    const [a, b] = await Promise.all([uploader.upload(PNG_BASE64), uploader.upload(PNG_BASE64)]);
    const c = await uploader.upload(`data:image/png;base64,${PNG_BASE64}`);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(sim.stats()).toMatchObject({ imageUpload: 1, requests: 1 });

    const other = await uploader.upload(Buffer.from("another picture").toString("base64"));
    expect(other).not.toBe(a);
    expect(sim.stats().imageUpload).toBe(2);
    expect(imageContentHash(PNG_BASE64)).toBe(sha256(Buffer.from("pretend this is a PNG")));
  });

  it("does not remember a failed upload", async () => {
    let calls = 0;
    tiny = await startTinyServer((_req, body, res) => {
      const [task] = JSON.parse(body) as { taskUUID: string }[];
      if (++calls === 1) return sendJson(res, 400, { errors: [{ code: "invalidImage", message: "Bad image.", taskUUID: task!.taskUUID }] });
      sendJson(res, 200, { data: { taskType: "imageUpload", taskUUID: task!.taskUUID, imageUUID: "img-1" } });
    });
    const { client } = createClient(`${tiny.url}/v1`);
    try {
      const uploader = new ImageUploader(client);
      await expect(uploader.upload(PNG_BASE64)).rejects.toMatchObject({ kind: "validation", apiCode: "invalidImage" });
      expect(await uploader.upload(PNG_BASE64)).toBe("img-1");
    } finally {
      await client.close();
    }
  });
});

describe("downloads", () => {
  let sample: Buffer;
  let videoURL: string;

  beforeEach(async () => {
    const task = videoTask();
    await h.client.submitVideo([task]);
    const item = (await pollUntilDone(h.client, [task.taskUUID])).get(task.taskUUID)!.items[0]!;
    videoURL = item.videoURL;
    // The simulator serves the committed clip the result's seed chooses.
    sample = await readFile(new URL(sampleFileName({ format: "MP4", seed: item.seed!, aspect: "landscape" }), SIM_VIDEOS));
  });

  it("streams a video to its destination and reports its sha256", async () => {
    const dest = join(dir, "clips", "a.mp4");
    const progress: DownloadProgress[] = [];
    const result = await h.client.download(videoURL, dest, { expectedSha256: sha256(sample), onProgress: (p) => progress.push(p) });
    expect(result).toEqual({ sha256: sha256(sample), bytes: sample.length });
    expect(await readFile(dest)).toEqual(sample);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(progress.at(-1)).toEqual({ bytes: sample.length, totalBytes: sample.length });
  });

  it("two writers saving the same video at once (two applies, forced) both succeed, with one whole file", async () => {
    const other = createClient(sim.apiUrl);
    try {
      for (let i = 0; i < 10; i++) {
        const dest = join(dir, `same-${i}.mp4`);
        const opts = { partKey: "5f0c8e0e-0000-4000-8000-000000000001", expectedSha256: sha256(sample) };
        const both = await Promise.all([h.client.download(videoURL, dest, opts), other.client.download(videoURL, dest, opts)]);
        expect(both).toEqual([
          { sha256: sha256(sample), bytes: sample.length },
          { sha256: sha256(sample), bytes: sample.length },
        ]);
        expect(await readFile(dest)).toEqual(sample);
      }
    } finally {
      await other.client.close();
    }
  });

  it("completes a truncated .part with a Range request", async () => {
    const dest = join(dir, "b.mp4");
    const half = Math.floor(sample.length / 2);
    await writeFile(`${dest}.part`, sample.subarray(0, half));
    const progress: DownloadProgress[] = [];
    const result = await h.client.download(videoURL, dest, { expectedSha256: sha256(sample), onProgress: (p) => progress.push(p) });
    expect(result.sha256).toBe(sha256(sample));
    expect(await readFile(dest)).toEqual(sample);
    // Only the missing tail travelled: the first progress report already counts the kept half.
    expect(progress[0]!.bytes).toBeGreaterThan(half);
    expect(progress[0]!.totalBytes).toBe(sample.length);
  });

  it("keeps the bytes already on disk when resuming", async () => {
    const dest = join(dir, "c.mp4");
    const half = Math.floor(sample.length / 2);
    await writeFile(`${dest}.part`, Buffer.alloc(half));
    const resumed = Buffer.concat([Buffer.alloc(half), sample.subarray(half)]);
    expect(await h.client.download(videoURL, dest)).toEqual({ sha256: sha256(resumed), bytes: sample.length });
    expect(sim.stats().videoDownloads).toBe(1);
  });

  it("starts over once when a resumed file fails the checksum", async () => {
    const dest = join(dir, "c2.mp4");
    await writeFile(`${dest}.part`, Buffer.alloc(Math.floor(sample.length / 2)));
    expect(await h.client.download(videoURL, dest, { expectedSha256: sha256(sample) })).toEqual({ sha256: sha256(sample), bytes: sample.length });
    expect(await readFile(dest)).toEqual(sample);
    expect(sim.stats().videoDownloads).toBe(2);
  });

  it("fails on a sha256 mismatch and leaves no file behind", async () => {
    const dest = join(dir, "c3.mp4");
    const error: unknown = await h.client.download(videoURL, dest, { expectedSha256: "0".repeat(64) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareError);
    expect(error).toMatchObject({ apiCode: "checksumMismatch", retryable: false });
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(sim.stats().videoDownloads).toBe(1);
  });

  it("accepts a .part that is already complete", async () => {
    const dest = join(dir, "d.mp4");
    await writeFile(`${dest}.part`, sample);
    expect(await h.client.download(videoURL, dest)).toEqual({ sha256: sha256(sample), bytes: sample.length });
    expect(await readFile(dest)).toEqual(sample);
  });

  it("fails at once, leaving no file, on a URL that does not exist", async () => {
    const dest = join(dir, "e.mp4");
    await expect(h.client.download(`${sim.url}/videos/${randomUUID()}.mp4`, dest)).rejects.toMatchObject({ status: 404, retryable: false });
    expect(existsSync(dest)).toBe(false);
    expect(h.sleeps).toEqual([]);
  });
});

describe("downloads from servers the simulator does not imitate", () => {
  const body = Buffer.from("0123456789".repeat(1_000));

  it("starts over when the server ignores Range", async () => {
    const ranges: (string | undefined)[] = [];
    tiny = await startTinyServer((req, _body, res) => {
      ranges.push(req.headers.range);
      res.writeHead(200, { "content-length": body.length });
      res.end(body);
    });
    const dest = join(dir, "f.bin");
    await writeFile(`${dest}.part`, Buffer.alloc(100));
    expect(await h.client.download(`${tiny.url}/f.bin`, dest, { expectedSha256: sha256(body) })).toEqual({ sha256: sha256(body), bytes: body.length });
    expect(ranges).toEqual(["bytes=100-"]);
    expect(await readFile(dest)).toEqual(body);
  });

  it("resumes with Range after the connection drops mid-body", async () => {
    const DROP_AFTER_MS = 50; // long enough for the client to have written what it received
    const ranges: (string | undefined)[] = [];
    tiny = await startTinyServer((req, _body, res) => {
      ranges.push(req.headers.range);
      const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0);
      if (start === 0) {
        res.writeHead(200, { "content-length": body.length });
        res.write(body.subarray(0, 4_000), () => setTimeout(() => res.destroy(), DROP_AFTER_MS));
        return;
      }
      res.writeHead(206, { "content-length": body.length - start, "content-range": `bytes ${start}-${body.length - 1}/${body.length}` });
      res.end(body.subarray(start));
    });
    const dest = join(dir, "g.bin");
    expect(await h.client.download(`${tiny.url}/g.bin`, dest, { expectedSha256: sha256(body) })).toEqual({ sha256: sha256(body), bytes: body.length });
    expect(ranges).toEqual([undefined, "bytes=4000-"]);
    expect(h.events).toContainEqual(expect.objectContaining({ type: "retry", operation: "download" }));
  });
});
