import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../src/sim/server.js";
import { API_KEY, call, closeSimulators, getStats, pollTask, pollUntilDone, startSim, videoTask } from "./support.js";

afterEach(closeSimulators);

describe("validation with the shared request rules", () => {
  it("rejects a duration the model does not support, in Runware's error shape", async () => {
    const sim = await startSim();
    const task = videoTask({ duration: 7 });
    const reply = await call(sim, [task]);

    expect(reply.status).toBe(400);
    expect(reply.body.data).toEqual([]);
    expect(reply.errors).toEqual([
      {
        code: "unsupportedDuration",
        message: expect.stringContaining("duration 7"),
        parameter: "duration",
        type: "float",
        documentation: "https://runware.ai/docs/models/klingai-1-6-standard#request-duration",
        taskType: "videoInference",
        taskUUID: task.taskUUID,
        allowedValues: [5, 10],
      },
    ]);
    expect((await getStats(sim)).videoInference).toBe(0);
  });

  it("rejects a size the model does not support, listing the allowed sizes", async () => {
    const sim = await startSim();
    const reply = await call(sim, [videoTask({ width: 1920, height: 1080 })]);

    expect(reply.status).toBe(400);
    expect(reply.errors).toMatchObject([
      { code: "invalidWidth", parameter: "width", type: "integer", allowedValues: ["1280x720", "720x720", "720x1280"] },
    ]);
  });

  it("rejects klingai:5@1 (image-to-video only) without a frame image", async () => {
    const sim = await startSim();
    const reply = await call(sim, [videoTask({ model: "klingai:5@1" })]);

    expect(reply.status).toBe(400);
    expect(reply.errors.map((e) => e.code)).toEqual(["missingFrameImages"]);
  });

  it("rejects a last frame for klingai:3@1 with the dotted parameter path", async () => {
    const sim = await startSim();
    const inputs = { frameImages: [{ image: randomUUID(), frame: "first" }, { image: randomUUID(), frame: "last" }] };
    const reply = await call(sim, [videoTask({ inputs })]);

    expect(reply.status).toBe(400);
    expect(reply.errors).toContainEqual(
      expect.objectContaining({ code: "invalidFramePosition", parameter: "inputs.frameImages.1.frame", allowedValues: ["first"] }),
    );
  });

  it("ignores rule warnings: klingai:5@1 accepts a positivePrompt its page does not list", async () => {
    const sim = await startSim();
    const reply = await call(sim, [videoTask({ model: "klingai:5@1", inputs: { frameImages: [randomUUID()] } })]);
    expect(reply.status).toBe(200);
    expect(reply.errors).toEqual([]);
  });

  it("requires a UUID v4 taskUUID", async () => {
    const sim = await startSim();
    const reply = await call(sim, [videoTask({ taskUUID: "not-a-uuid" }), videoTask({ taskUUID: undefined })]);

    expect(reply.status).toBe(400);
    expect(reply.errors.map((e) => [e.code, e.parameter])).toEqual([
      ["invalidTaskUUID", "taskUUID"],
      ["missingTaskUUID", "taskUUID"],
    ]);
  });

  it("scopes errors to their task: the valid tasks of a batch are still accepted (HTTP 200)", async () => {
    const sim = await startSim();
    const good = videoTask();
    const bad = videoTask({ duration: 3 });
    const reply = await call(sim, [bad, good]);

    expect(reply.status).toBe(200);
    expect(reply.data).toEqual([{ taskType: "videoInference", taskUUID: good.taskUUID }]);
    expect(reply.errors).toMatchObject([{ code: "unsupportedDuration", taskUUID: bad.taskUUID }]);
    expect((await getStats(sim)).acceptedTaskUUIDs).toEqual([good.taskUUID]);
  });

  it("refuses an unknown task type", async () => {
    const sim = await startSim();
    const reply = await call(sim, [{ taskType: "imageMasking", taskUUID: randomUUID() }]);
    expect(reply.status).toBe(400);
    expect(reply.errors).toMatchObject([{ code: "unsupportedTaskType", parameter: "taskType", allowedValues: ["videoInference", "getResponse", "imageUpload", "imageInference"] }]);
  });
});

describe("task UUIDs are never reused", () => {
  it("refuses a resubmitted taskUUID with 409 conflictTaskUUID and runs one generation only", async () => {
    const sim = await startSim();
    const task = videoTask();
    expect((await call(sim, [task])).status).toBe(200);

    const again = await call(sim, [task]);
    expect(again.status).toBe(409);
    expect(again.errors).toMatchObject([{ code: "conflictTaskUUID", parameter: "taskUUID", taskUUID: task.taskUUID, taskType: "videoInference" }]);

    // Also after the generation finished, and even with different (or invalid) parameters.
    await pollUntilDone(sim, task.taskUUID);
    expect((await call(sim, [{ ...task, duration: 7 }])).errors.map((e) => e.code)).toEqual(["conflictTaskUUID"]);

    const stats = await getStats(sim);
    expect(stats).toMatchObject({ videoInference: 1, acceptedTaskUUIDs: [task.taskUUID], duplicatesRefused: 2 });
  });

  it("refuses the second of two tasks sharing a taskUUID in one request, and accepts the rest (200)", async () => {
    const sim = await startSim();
    const task = videoTask();
    const other = videoTask();
    const reply = await call(sim, [task, task, other]);

    expect(reply.status).toBe(200);
    expect(reply.data.map((i) => i.taskUUID)).toEqual([task.taskUUID, other.taskUUID]);
    expect(reply.errors).toMatchObject([{ code: "conflictTaskUUID", taskUUID: task.taskUUID }]);
    expect(await getStats(sim)).toMatchObject({ videoInference: 2, duplicatesRefused: 1 });
  });
});

describe("polling", () => {
  it("answers a poll for an unknown taskUUID with taskNotFound (400 when alone)", async () => {
    const sim = await startSim();
    const unknown = randomUUID();
    const reply = await call(sim, [pollTask(unknown)]);

    expect(reply.status).toBe(400);
    expect(reply.errors).toMatchObject([{ code: "taskNotFound", parameter: "taskUUID", taskUUID: unknown, taskType: "getResponse" }]);
  });

  it("answers 200 when an unknown taskUUID is batched with a known one", async () => {
    const sim = await startSim();
    const task = videoTask();
    await call(sim, [task]);
    const unknown = randomUUID();
    const reply = await call(sim, [pollTask(unknown), pollTask(task.taskUUID)]);

    expect(reply.status).toBe(200);
    expect(reply.data.map((i) => i.taskUUID)).toEqual([task.taskUUID]);
    expect(reply.errors).toMatchObject([{ code: "taskNotFound", taskUUID: unknown }]);
    expect((await getStats(sim)).getResponse).toBe(2);
  });

  it("refuses a poll whose taskUUID is not a UUID v4", async () => {
    const sim = await startSim();
    const reply = await call(sim, [pollTask("42")]);
    expect(reply.status).toBe(400);
    expect(reply.errors.map((e) => e.code)).toEqual(["invalidTaskUUID"]);
  });
});

describe("authentication", () => {
  it("answers 401 invalidApiKey for a wrong key and for no key, without acting", async () => {
    const sim = await startSim({ apiKey: API_KEY });
    for (const key of ["wrong-key", null]) {
      const reply = await call(sim, [videoTask()], { key });
      expect(reply.status).toBe(401);
      expect(reply.errors).toMatchObject([{ code: "invalidApiKey" }]);
    }
    expect(await getStats(sim)).toMatchObject({ requests: 2, videoInference: 0 });
  });

  it("accepts the key in a leading authentication task", async () => {
    const sim = await startSim({ apiKey: API_KEY });
    const task = videoTask();
    const reply = await call(sim, [{ taskType: "authentication", apiKey: API_KEY }, task], { key: null });

    expect(reply.status).toBe(200);
    expect(reply.data).toEqual([{ taskType: "videoInference", taskUUID: task.taskUUID }]);
    expect((await call(sim, [{ taskType: "authentication", apiKey: "wrong" }, videoTask()], { key: null })).status).toBe(401);
  });

  it("accepts any non-empty key when none is configured", async () => {
    const sim = await startSim();
    expect((await call(sim, [videoTask()], { key: "anything" })).status).toBe(200);
    expect((await call(sim, [videoTask()], { key: null })).status).toBe(401);
  });
});

describe("request envelope", () => {
  it("answers 400 to a body that is not JSON, not an array, or has no task", async () => {
    const sim = await startSim();
    for (const rawBody of ["{not json", '{"taskType":"getResponse"}', "[]"]) {
      const reply = await call(sim, undefined, { rawBody });
      expect(reply.status, rawBody).toBe(400);
      expect(reply.errors.map((e) => e.code), rawBody).toEqual(["invalidPayload"]);
    }
  });

  it("answers 413 to a body over the size limit", async () => {
    const sim = await startSim();
    const reply = await call(sim, undefined, { rawBody: `[${" ".repeat(MAX_BODY_BYTES)}]` });
    expect(reply.status).toBe(413);
    expect(reply.errors.map((e) => e.code)).toEqual(["payloadTooLarge"]);
  });

  it("serves the API at POST / too, and answers 405 to other methods on the API path", async () => {
    const sim = await startSim();
    expect((await call(sim, [videoTask()], { path: "/" })).status).toBe(200);

    const res = await fetch(sim.apiUrl);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect((await fetch(`${sim.url}/elsewhere`)).status).toBe(404);
  });
});

describe("dry runs (X-Runware-Dry-Run: 1)", () => {
  it("validate and price a task without generating it, charging it or using its taskUUID", async () => {
    const sim = await startSim({ apiKey: API_KEY });
    const task = videoTask({ numberResults: 2 });
    const res = await fetch(`${sim.url}/v1`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${API_KEY}`, "X-Runware-Dry-Run": "1" },
      body: JSON.stringify([task, videoTask({ width: 1000 })]),
    });
    const body = (await res.json()) as { data: { taskUUID: string; cost?: number }[]; errors: { code: string }[] };
    expect(body.data).toEqual([{ taskType: "videoInference", taskUUID: task.taskUUID, cost: 0.3696 }]);
    expect(body.errors.map((e) => e.code)).toEqual(["invalidWidth"]);
    expect(await getStats(sim)).toMatchObject({ videoInference: 0, dryRuns: 1, acceptedTaskUUIDs: [] });
    expect((await call(sim, [task])).status).toBe(200);
    expect(await getStats(sim)).toMatchObject({ videoInference: 1, duplicatesRefused: 0 });
  });
});
