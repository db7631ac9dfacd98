/**
 * Keyframe images through the apply engine with the in-process fake API: the same guarantees
 * as clips (write-ahead before the paid request, recorded results and files, resume by polling).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { VideoTask } from "../../src/apply/request.js";
import { fingerprintOf, type DesiredClip, type GenerationFields } from "../../src/manifest/index.js";
import { readLockfile } from "../../src/lockfile/io.js";
import { desired, entryFor, lockWith } from "../helpers/plan-data.js";
import { FakeApi, rig, type Rig } from "../apply/fake-api.js";

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});
const track = (r: Rig) => (rigs.push(r), r);

function keyframe(address: string, over: Partial<GenerationFields> = {}): DesiredClip {
  const generation: GenerationFields = { taskType: "imageInference", model: "runware:107@1", positivePrompt: "A snowy station at dusk", width: 1024, height: 1024, outputFormat: "PNG", ...over };
  return { ...desired(address), kind: "image", generation, fingerprint: fingerprintOf(generation) };
}

describe("images in the apply engine", () => {
  it("an image and a clip: each sent once with its own task type, written ahead, recorded with cost and file", async () => {
    const r = track(rig([keyframe("station-key"), desired("arrival")], lockWith({}), { api: (clock) => Object.assign(new FakeApi(clock), { cost: (id: string) => (id.endsWith("1") ? 0.0098 : 0.1848) }) }));
    const sent: VideoTask[] = [];
    const onDiskFirst: boolean[] = [];
    r.api.onSubmit = (tasks) => {
      const lock = readLockfile(r.lockPath).lock;
      for (const t of tasks) {
        sent.push(t);
        onDiskFirst.push(Object.values(lock.clips).some((e) => e.tasks.some((k) => k.taskUUID === t.taskUUID)));
      }
    };
    const s = await r.engine.run();
    expect(s).toMatchObject({ succeeded: 2, failed: 0 });
    expect(onDiskFirst).toEqual([true, true]);
    expect(sent.map((t) => t.taskType).sort()).toEqual(["imageInference", "videoInference"]);
    const img = sent.find((t) => t.taskType === "imageInference")!;
    expect(img).toMatchObject({ deliveryMethod: "async", outputType: "URL", includeCost: true, width: 1024, height: 1024, outputFormat: "PNG" });
    expect(img).not.toHaveProperty("duration");
    const entry = r.onDisk().clips["station-key"]!;
    expect(entry.request).toMatchObject({ taskType: "imageInference", model: "runware:107@1" });
    expect(entry.fingerprint).toBe(keyframe("station-key").fingerprint);
    expect(entry.tasks).toEqual([expect.objectContaining({ taskUUID: img.taskUUID, status: "succeeded" })]);
    expect(entry.results).toEqual([expect.objectContaining({ taskUUID: img.taskUUID, file: "out/station-key.v1.png" })]);
    expect([0.0098, 0.1848]).toContain(entry.results[0]!.costUsd);
    expect(r.onDisk().clips.arrival!.results[0]!.file).toBe("out/arrival.v1.mp4");
    expect(r.api.submits).toHaveLength(2);
  });

  it("an image task recorded and acknowledged before a crash is polled, never sent again", async () => {
    const img = keyframe("station-key");
    const entry = entryFor(img, 0);
    entry.tasks = [{ taskUUID: "00000000-0000-4000-9000-00000000abcd", numberResults: 1, status: "submitted", submittedAt: "2026-01-01T00:00:00Z", acceptedAt: "2026-01-01T00:00:01Z" }];
    const r = track(rig([img], lockWith({ "station-key": entry })));
    r.api.tasks.set("00000000-0000-4000-9000-00000000abcd", { at: r.clock.t, numberResults: 1, done: false });
    const s = await r.engine.run();
    expect(s).toMatchObject({ succeeded: 1 });
    expect(r.api.submits).toEqual([]);
    expect(r.onDisk().clips["station-key"]!.results).toHaveLength(1);
  });

  it("a budget below the image's price sends nothing; one above it sends it", async () => {
    // 2048x2048 at the documented 0.0098 per 1024x1024: 0.0392
    const tight = track(rig([keyframe("k", { width: 2048, height: 2048 })], lockWith({}), { budgets: [{ scope: "--max-cost", limitUsd: 0.03 }] }));
    await tight.engine.run();
    expect(tight.api.submits).toEqual([]);
    const enough = track(rig([keyframe("k", { width: 2048, height: 2048 })], lockWith({}), { budgets: [{ scope: "--max-cost", limitUsd: 0.05 }] }));
    await enough.engine.run();
    expect(enough.api.submits).toHaveLength(1);
  });
});

describe("an image task written ahead but never acknowledged (the crash came before the request left)", () => {
  it("is sent once more with the same UUID when the API does not know it, and recorded once", async () => {
    const img = keyframe("station-key");
    const entry = entryFor(img, 0);
    const uuid = "00000000-0000-4000-9000-00000000beef";
    entry.tasks = [{ taskUUID: uuid, numberResults: 1, status: "submitted", submittedAt: "2026-01-01T00:00:00Z" }];
    const r = track(rig([img], lockWith({ "station-key": entry })));
    const sent: VideoTask[] = [];
    r.api.onSubmit = (tasks) => sent.push(...tasks);
    const s = await r.engine.run();
    expect(s).toMatchObject({ succeeded: 1 });
    expect(sent).toEqual([expect.objectContaining({ taskType: "imageInference", taskUUID: uuid })]);
    expect(r.onDisk().clips["station-key"]!.tasks.map((t) => t.taskUUID)).toEqual([uuid]);
    expect(r.onDisk().clips["station-key"]!.results).toHaveLength(1);
  });
});
