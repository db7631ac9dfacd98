import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { call, closeSimulators, generate, getStats, pollTask, pollUntilDone, startSim, videoTask } from "./support.js";

afterEach(closeSimulators);

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TINY_PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

describe("async generation", () => {
  it("acknowledges with taskType and taskUUID only, then reports one processing item per result", async () => {
    const sim = await startSim({ latencyMs: 400 });
    const task = videoTask({ numberResults: 2 });
    const ack = await call(sim, [task]);
    expect(ack.status).toBe(200);
    expect(ack.body).toEqual({ data: [{ taskType: "videoInference", taskUUID: task.taskUUID }] });

    const reply = await call(sim, [pollTask(task.taskUUID)]);
    expect(reply.status).toBe(200);
    expect(reply.data).toHaveLength(2);
    for (const item of reply.data) {
      expect(item).toEqual({ taskType: "videoInference", taskUUID: task.taskUUID, status: "processing", progress: expect.any(Number) });
      expect(item.progress).toBeGreaterThanOrEqual(0);
      expect(item.progress).toBeLessThan(100);
    }
  });

  it("gives numberResults 3 three videos with distinct seeds and UUIDs, each priced from the catalog", async () => {
    const sim = await startSim();
    const done = await generate(sim, videoTask({ numberResults: 3, duration: 10 }));

    expect(done.data).toHaveLength(3);
    expect(new Set(done.data.map((i) => i.seed)).size).toBe(3);
    expect(new Set(done.data.map((i) => i.videoUUID)).size).toBe(3);
    for (const item of done.data) {
      expect(item).toMatchObject({ status: "success", cost: 0.3696, NSFWContent: false });
      expect(item.videoUUID).toMatch(UUID_V4);
      expect(Number.isInteger(item.seed) && item.seed! >= 1).toBe(true);
    }
  });

  it("reports no cost unless includeCost is true", async () => {
    const sim = await startSim();
    const done = await generate(sim, videoTask({ includeCost: undefined }));
    expect(done.data).toHaveLength(1);
    expect(done.data[0]).not.toHaveProperty("cost");
  });

  it("serves the video in the requested outputFormat", async () => {
    const sim = await startSim();
    const done = await generate(sim, videoTask({ outputFormat: "WEBM" }));
    const { videoUUID, videoURL } = done.data[0]!;
    expect(videoURL).toBe(`${sim.url}/videos/${videoUUID}.webm`);
    const res = await fetch(videoURL!);
    expect(res.headers.get("content-type")).toBe("video/webm");
    await res.arrayBuffer();
  });

  it("answers several getResponse tasks batched in one request", async () => {
    const sim = await startSim();
    const a = videoTask();
    const b = videoTask({ numberResults: 2 });
    await call(sim, [a, b]);
    await pollUntilDone(sim, b.taskUUID);

    const reply = await call(sim, [pollTask(a.taskUUID), pollTask(b.taskUUID)]);
    expect(reply.status).toBe(200);
    expect(reply.data.map((i) => [i.taskUUID, i.status])).toEqual([
      [a.taskUUID, "success"],
      [b.taskUUID, "success"],
      [b.taskUUID, "success"],
    ]);
  });

  it("accepts frame images as image UUIDs, URLs, data URIs and raw base64, under frameImages or inputImage", async () => {
    const sim = await startSim();
    const images = [randomUUID(), "https://example.com/first.jpg", `data:image/png;base64,${TINY_PNG_BASE64}`, TINY_PNG_BASE64];
    const tasks = [
      ...images.map((image) => videoTask({ model: "klingai:2@1", positivePrompt: undefined, inputs: { frameImages: [image] } })),
      videoTask({ model: "klingai:2@1", positivePrompt: undefined, inputs: { inputImage: [{ image: images[0], frame: 0 }] } }),
    ];
    const reply = await call(sim, tasks);
    expect(reply.errors).toEqual([]);
    expect(reply.data).toHaveLength(tasks.length);
  });
});

describe("imageUpload", () => {
  it("answers a single upload with a data object carrying an imageUUID, usable as a frame image", async () => {
    const sim = await startSim();
    const taskUUID = randomUUID();
    const reply = await call(sim, [{ taskType: "imageUpload", taskUUID, image: `data:image/png;base64,${TINY_PNG_BASE64}` }]);

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ data: { taskType: "imageUpload", taskUUID, imageUUID: expect.stringMatching(UUID_V4) } });
    const imageUUID = reply.data[0]!.imageUUID;
    const done = await generate(sim, videoTask({ model: "klingai:5@1", inputs: { frameImages: [{ image: imageUUID, frame: "first" }] } }));
    expect(done.data[0]?.status).toBe("success");
  });

  it("gives the same image the same imageUUID, and answers a batch with a data array", async () => {
    const sim = await startSim();
    const upload = (image: string) => ({ taskType: "imageUpload", taskUUID: randomUUID(), image });
    const reply = await call(sim, [upload(`data:image/png;base64,${TINY_PNG_BASE64}`), upload(TINY_PNG_BASE64), upload("https://example.com/x.png")]);

    expect(Array.isArray(reply.body.data)).toBe(true);
    const [a, b, c] = reply.data.map((i) => i.imageUUID);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect((await getStats(sim)).imageUpload).toBe(3);
  });

  it("refuses a taskUUID already used by an upload or a generation (409), like any other reuse", async () => {
    const sim = await startSim();
    const taskUUID = randomUUID();
    const upload = { taskType: "imageUpload", taskUUID, image: TINY_PNG_BASE64 };
    expect((await call(sim, [upload])).status).toBe(200);
    expect((await call(sim, [upload])).errors.map((e) => e.code)).toEqual(["conflictTaskUUID"]);
    expect((await call(sim, [videoTask({ taskUUID })])).status).toBe(409);

    const video = videoTask();
    await call(sim, [video]);
    expect((await call(sim, [{ ...upload, taskUUID: video.taskUUID }])).status).toBe(409);
    expect(await getStats(sim)).toMatchObject({ imageUpload: 1, videoInference: 1, duplicatesRefused: 3 });
  });

  it("refuses an upload without an image", async () => {
    const sim = await startSim();
    const reply = await call(sim, [{ taskType: "imageUpload", taskUUID: randomUUID() }]);
    expect(reply.status).toBe(400);
    expect(reply.errors).toMatchObject([{ code: "missingImage", parameter: "image" }]);
  });
});

describe("stats", () => {
  it("counts requests and tasks, and the most generations processing at once", async () => {
    // Long enough that the three are surely still processing when stats are read.
    const sim = await startSim({ latencyMs: 150 });
    const batch = [videoTask(), videoTask(), videoTask()];
    await call(sim, batch);
    expect(await getStats(sim)).toMatchObject({ inFlight: 3, maxInFlight: 3 });

    for (const task of batch) await pollUntilDone(sim, task.taskUUID);
    const lone = videoTask();
    await generate(sim, lone);
    const after = await getStats(sim);
    expect(after).toMatchObject({
      videoInference: 4,
      acceptedTaskUUIDs: [...batch.map((t) => t.taskUUID), lone.taskUUID],
      inFlight: 0,
      maxInFlight: 3,
      duplicatesRefused: 0,
      failedGenerations: 0,
    });
    // 2 submits and one request per poll; stats calls are not counted.
    expect(after.requests).toBe(2 + (after.getResponse as number));
    expect(sim.stats()).toEqual(after);
  });
});
