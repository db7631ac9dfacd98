import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/sim/index.js";
import { MAX_TASKS_PER_REQUEST, RunwareClient, RunwareError } from "../../src/runware/index.js";
import { API_KEY, createClient, pollUntilDone, startSim, videoTask, type Harness } from "./helpers.js";

const KLING_1_0_PRO_5S_USD = 0.3234;

describe("RunwareClient against the simulator", () => {
  let sim: Simulator;
  let h: Harness;

  beforeEach(async () => {
    sim = await startSim();
    h = createClient(sim.apiUrl);
  });
  afterEach(async () => {
    await h.client.close();
    await sim.close();
  });

  it("submits a task and polls it to success, with one item per result, their seeds and costs", async () => {
    const task = videoTask({ numberResults: 2 });
    expect(await h.client.submitVideo([task])).toEqual([{ taskUUID: task.taskUUID, status: "accepted" }]);

    const result = (await pollUntilDone(h.client, [task.taskUUID])).get(task.taskUUID)!;
    expect(result.status).toBe("success");
    expect(result.error).toBeUndefined();
    expect(result.items).toHaveLength(2);
    for (const item of result.items) {
      expect(item.videoUUID).toMatch(/^[0-9a-f-]{36}$/);
      expect(item.videoURL).toMatch(new RegExp(`^${sim.url}/videos/`));
      expect(Number.isInteger(item.seed)).toBe(true);
      expect(item.cost).toBe(KLING_1_0_PRO_5S_USD);
    }
    expect(new Set(result.items.map((i) => i.seed)).size).toBe(2);
    expect(sim.stats().acceptedTaskUUIDs).toEqual([task.taskUUID]);
  });

  it("reports processing with progress while a generation runs", async () => {
    const slow = await startSim({ latencyMs: 5_000 });
    const { client } = createClient(slow.apiUrl);
    try {
      const task = videoTask();
      await client.submitVideo([task]);
      const result = (await client.poll([task.taskUUID])).get(task.taskUUID)!;
      expect(result.status).toBe("processing");
      expect(result.items).toEqual([]);
      expect(result.progress).toBeGreaterThanOrEqual(0);
      expect(result.progress).toBeLessThan(100);
    } finally {
      await client.close();
      await slow.close();
    }
  });

  it("reports a generation that failed, in either failure shape, as error", async () => {
    const failing = await startSim({ failRate: 1, seed: 7 });
    const { client } = createClient(failing.apiUrl);
    try {
      const tasks = Array.from({ length: 8 }, () => videoTask());
      await client.submitVideo(tasks);
      const results = await pollUntilDone(client, tasks.map((t) => t.taskUUID));
      for (const result of results.values()) {
        expect(result.status).toBe("error");
        expect(result.items).toEqual([]);
        expect(result.error).toBeInstanceOf(RunwareError);
        expect(result.error!.apiCode).toMatch(/^(generationFailed|timeoutProvider)$/);
      }
      expect(failing.stats().failedGenerations).toBe(8);
    } finally {
      await client.close();
      await failing.close();
    }
  });

  it("sends 120 tasks in ceil(120/50) submit requests and polls them in as many per round", async () => {
    const slow = await startSim({ latencyMs: 10_000 });
    const { client } = createClient(slow.apiUrl);
    try {
      const tasks = Array.from({ length: 120 }, () => videoTask());
      const expectedRequests = Math.ceil(120 / MAX_TASKS_PER_REQUEST);

      const results = await client.submitVideo(tasks);
      expect(slow.stats().requests).toBe(expectedRequests);
      expect(results.map((r) => r.taskUUID)).toEqual(tasks.map((t) => t.taskUUID));
      expect(results.every((r) => r.status === "accepted")).toBe(true);

      for (let round = 1; round <= 2; round++) {
        const polled = await client.poll(tasks.map((t) => t.taskUUID));
        expect(polled.size).toBe(120);
        expect([...polled.values()].every((r) => r.status === "processing")).toBe(true);
        expect(slow.stats().requests).toBe(expectedRequests * (1 + round));
      }
      expect(slow.stats().getResponse).toBe(240);
    } finally {
      await client.close();
      await slow.close();
    }
  });

  it("honours a smaller batchSize", async () => {
    const { client } = createClient(sim.apiUrl, { batchSize: 7 });
    try {
      await client.submitVideo(Array.from({ length: 15 }, () => videoTask()));
      expect(sim.stats().requests).toBe(3);
    } finally {
      await client.close();
    }
  });

  it("rejects an invalid task with its code and parameter, without retrying, and accepts its valid sibling", async () => {
    const bad = videoTask({ width: 1234 });
    const good = videoTask();
    const [badResult, goodResult] = await h.client.submitVideo([bad, good]);

    expect(goodResult).toEqual({ taskUUID: good.taskUUID, status: "accepted" });
    expect(badResult!.status).toBe("rejected");
    const error = (badResult as { error: RunwareError }).error;
    expect(error).toMatchObject({ kind: "validation", retryable: false, apiCode: "invalidWidth", parameter: "width", taskUUID: bad.taskUUID });
    expect(error.allowedValues).toContain("1280x720");
    expect(error.message).toContain("invalidWidth");
    expect(error.message).toContain(error.apiMessage);
    expect(sim.stats().requests).toBe(1);
    expect(h.sleeps).toEqual([]);
  });

  it("rejects a whole single-task request refused with HTTP 400 as validation", async () => {
    const task = videoTask({ duration: 7 });
    const [result] = await h.client.submitVideo([task]);
    expect(result!.status).toBe("rejected");
    expect((result as { error: RunwareError }).error).toMatchObject({ kind: "validation", status: 400, taskUUID: task.taskUUID });
    expect(sim.stats().requests).toBe(1);
  });

  it("refuses duplicate taskUUIDs in one call before sending anything", async () => {
    const task = videoTask();
    await expect(h.client.submitVideo([task, { ...task }])).rejects.toMatchObject({ kind: "validation" });
    expect(sim.stats().requests).toBe(0);
  });

  it("treats conflictTaskUUID as accepted: the server already has the task, nothing new is generated", async () => {
    const task = videoTask();
    await h.client.submitVideo([task]);
    expect(await h.client.submitVideo([task])).toEqual([{ taskUUID: task.taskUUID, status: "accepted" }]);
    expect(sim.stats()).toMatchObject({ videoInference: 1, duplicatesRefused: 1 });
    expect(h.events).toContainEqual({ type: "conflictAccepted", taskUUIDs: [task.taskUUID] });
  });

  it("polls an unknown taskUUID as notFound", async () => {
    const known = videoTask();
    await h.client.submitVideo([known]);
    const unknown = "0b6d3d3e-9c1f-4e55-8a9e-7f3c2b1a0d4e";
    const results = await h.client.poll([known.taskUUID, unknown]);
    expect(results.get(unknown)).toMatchObject({ status: "notFound", items: [], error: { kind: "notFound", apiCode: "taskNotFound" } });
    expect(results.get(known.taskUUID)!.status).not.toBe("notFound");
  });

  it("polls each taskUUID once however often it is listed", async () => {
    const task = videoTask();
    await h.client.submitVideo([task]);
    const results = await h.client.poll([task.taskUUID, task.taskUUID]);
    expect(results.size).toBe(1);
    expect(sim.stats().getResponse).toBe(1);
  });

  it("fails with auth on a wrong key, does not retry, and never shows the key", async () => {
    const wrongKey = "sk-live-0d9c8b7a-WRONG-KEY-6f5e";
    const events: unknown[] = [];
    const client = new RunwareClient({ baseUrl: sim.apiUrl, apiKey: wrongKey, sleep: async () => {}, onEvent: (e) => void events.push(e) });
    try {
      const [result] = await client.submitVideo([videoTask()]);
      expect(result!.status).toBe("rejected");
      const error = (result as { error: RunwareError }).error;
      expect(error).toMatchObject({ kind: "auth", retryable: false, status: 401, apiCode: "invalidApiKey" });

      const pollError: unknown = await client.poll([videoTask().taskUUID]).catch((e: unknown) => e);
      expect(pollError).toMatchObject({ kind: "auth" });
      expect(sim.stats().requests).toBe(2);

      for (const err of [error, pollError as RunwareError]) {
        for (const text of [String(err), err.stack ?? "", JSON.stringify(err), JSON.stringify(events)]) {
          expect(text).not.toContain(wrongKey);
          expect(text).not.toContain(API_KEY);
        }
      }
    } finally {
      await client.close();
    }
  });
});
