/** Keyframe images over loopback HTTP: the client sends imageInference, the simulator draws a PNG of the requested size. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildImageTask } from "../../src/apply/image-request.js";
import { fingerprintOf, type DesiredClip, type GenerationFields } from "../../src/manifest/index.js";
import { sniffImage } from "../../src/manifest/images.js";
import type { Simulator } from "../../src/sim/index.js";
import { createClient, pollUntilDone, startSim, type Harness } from "../runware/helpers.js";

function keyframe(over: Partial<GenerationFields> = {}): DesiredClip {
  const generation: GenerationFields = { taskType: "imageInference", model: "runware:107@1", positivePrompt: "A snowy station at dusk", width: 1280, height: 720, outputFormat: "PNG", ...over };
  return { kind: "image", address: "key", clipId: "key", manifest: "specs/a.yaml", matrix: {}, generation, fingerprint: fingerprintOf(generation), numberResults: 1, delivery: {}, frameImages: [], location: { file: "specs/a.yaml", line: 1, col: 1 } };
}

describe("imageInference against the simulator", () => {
  let sim: Simulator;
  let h: Harness;
  let dir: string;
  beforeEach(async () => {
    sim = await startSim();
    h = createClient(sim.apiUrl);
    dir = mkdtempSync(join(tmpdir(), "clipform-kf-"));
  });
  afterEach(async () => {
    await h.client.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the task clipform builds: async, URL, with cost, exactly the fields set", () => {
    const uuid = randomUUID();
    expect(buildImageTask(keyframe({ steps: 30, seed: 7 }), uuid, 2)).toEqual({
      taskType: "imageInference", taskUUID: uuid, deliveryMethod: "async", includeCost: true, outputType: "URL",
      model: "runware:107@1", positivePrompt: "A snowy station at dusk", width: 1280, height: 720, steps: 30, seed: 7, outputFormat: "PNG", numberResults: 2,
    });
  });

  it("round trip: submit, poll, imageUUID and cost read as the output's, a PNG of the requested size downloaded", async () => {
    const task = buildImageTask(keyframe(), randomUUID(), 2);
    expect(await h.client.submitVideo([task])).toEqual([{ taskUUID: task.taskUUID, status: "accepted" }]);
    const result = (await pollUntilDone(h.client, [task.taskUUID])).get(task.taskUUID)!;
    expect(result.status).toBe("success");
    expect(result.items).toHaveLength(2);
    const seeds = new Set<number>();
    for (const [i, item] of result.items.entries()) {
      expect(item.videoUUID).toMatch(/^[0-9a-f-]{36}$/);
      expect(item.videoURL).toBe(`${sim.url}/images/${item.videoUUID}.png`);
      // 0.0098 documented at 1024x1024, scaled to 1280x720
      expect(item.cost).toBe(0.008613);
      seeds.add(item.seed!);
      const dest = join(dir, `key.v${i + 1}.png`);
      const got = await h.client.download(item.videoURL, dest);
      const png = readFileSync(dest);
      expect(got.bytes).toBe(png.length);
      expect(png.length).toBeLessThan(20_000);
      expect(sniffImage(png)).toEqual({ format: "png", width: 1280, height: 720 });
    }
    expect(seeds.size).toBe(2);
    const stats = sim.stats();
    expect(stats).toMatchObject({ imageInference: 1, videoInference: 0, imageDownloads: 2, acceptedTaskUUIDs: [task.taskUUID] });
  });

  it("different seeds draw different colours; the same seed the same picture", async () => {
    const bytes = async (seed: number) => {
      const task = buildImageTask(keyframe({ seed, width: 512, height: 512 }), randomUUID(), 1);
      await h.client.submitVideo([task]);
      const item = (await pollUntilDone(h.client, [task.taskUUID])).get(task.taskUUID)!.items[0]!;
      expect(item.seed).toBe(seed);
      const dest = join(dir, `${task.taskUUID}.png`);
      return (await h.client.download(item.videoURL, dest)).sha256;
    };
    const one = await bytes(11);
    expect(await bytes(11)).toBe(one);
    expect(await bytes(12)).not.toBe(one);
  });

  it("a used taskUUID is refused by the API, never generated twice (the client reads the conflict as: it has the task)", async () => {
    const task = buildImageTask(keyframe(), randomUUID(), 1);
    await h.client.submitVideo([task]);
    const [again] = await h.client.submitVideo([task]);
    expect(again!.status).toBe("accepted");
    expect(sim.stats()).toMatchObject({ imageInference: 1, duplicatesRefused: 1 });
    expect((await pollUntilDone(h.client, [task.taskUUID])).get(task.taskUUID)!.items).toHaveLength(1);
  });

  it("a size the model refuses is rejected with its code and nothing is generated", async () => {
    const task = buildImageTask(keyframe({ width: 1000 }), randomUUID(), 1);
    const [r] = await h.client.submitVideo([task]);
    expect(r).toMatchObject({ status: "rejected", error: { apiCode: "invalidWidth" } });
    expect(sim.stats().imageInference).toBe(0);
  });

  it("hostile dialects apply to image answers too: no status, extra fields and a bad cost are read tolerantly", async () => {
    const hostile = await startSim({ dialects: ["no-status", "extra-fields", "bad-cost"] });
    const c = createClient(hostile.apiUrl);
    try {
      const task = buildImageTask(keyframe(), randomUUID(), 1);
      await c.client.submitVideo([task]);
      const result = (await pollUntilDone(c.client, [task.taskUUID])).get(task.taskUUID)!;
      expect(result.status).toBe("success");
      const [item] = result.items;
      expect(item!.videoUUID).toMatch(/^[0-9a-f-]{36}$/);
      expect(item!.cost).toBeUndefined();
      expect(item!.costAnomaly).toBeDefined();
      expect(item!.extra).toMatchObject({ mediaType: "video" });
    } finally {
      await c.client.close();
      await hostile.close();
    }
  });
});
