import { afterEach, describe, expect, it } from "vitest";
import type { SimOptions } from "../../src/sim/index.js";
import { call, closeSimulators, getStats, pollTask, pollUntilDone, startSim, videoTask, type Reply } from "./support.js";

afterEach(closeSimulators);

/** A request's outcome: its HTTP status, or "reset" when the connection was destroyed. */
async function outcome(request: Promise<Reply>): Promise<number | "reset"> {
  try {
    return (await request).status;
  } catch {
    return "reset";
  }
}

describe("request faults, each at rate 1", () => {
  it("rateLimitRate answers 429 with Retry-After and rateLimitExceeded, without acting", async () => {
    const sim = await startSim({ rateLimitRate: 1 });
    const submit = await call(sim, [videoTask()]);
    const poll = await call(sim, [pollTask(crypto.randomUUID())]);

    for (const reply of [submit, poll]) {
      expect(reply.status).toBe(429);
      expect(reply.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      expect(reply.body).toEqual({ errors: [{ code: "rateLimitExceeded", message: expect.any(String) }] });
    }
    expect(await getStats(sim)).toMatchObject({ requests: 2, rateLimited: 2, videoInference: 0, getResponse: 0, acceptedTaskUUIDs: [] });
  });

  it("errorRate answers 500 or 503 (with Retry-After), without acting", async () => {
    const sim = await startSim({ errorRate: 1 });
    const replies: Reply[] = [];
    for (let i = 0; i < 12; i++) replies.push(await call(sim, [videoTask()]));

    expect(new Set(replies.map((r) => r.status))).toEqual(new Set([500, 503]));
    for (const reply of replies) {
      expect(reply.errors).toMatchObject([{ code: reply.status === 503 ? "serviceUnavailable" : "internalServerError" }]);
      expect(reply.headers.has("retry-after")).toBe(reply.status === 503);
    }
    expect(await getStats(sim)).toMatchObject({ serverErrors: 12, videoInference: 0 });
  });

  it("resetRate destroys every connection, half before acting and half after (the generation starts)", async () => {
    const sim = await startSim({ resetRate: 1 });
    const tasks = Array.from({ length: 16 }, () => videoTask());
    for (const task of tasks) expect(await outcome(call(sim, [task]))).toBe("reset");

    const stats = await getStats(sim);
    const accepted = stats.acceptedTaskUUIDs as string[];
    expect(stats.resets).toBe(16);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThan(16);
    expect(tasks.map((t) => t.taskUUID)).toEqual(expect.arrayContaining(accepted));
  });
});

describe("failed generations", () => {
  it("failRate 1 fails every generation, reported in errors or as status:error items, both shapes seen", async () => {
    const sim = await startSim({ failRate: 1 });
    const tasks = Array.from({ length: 10 }, () => videoTask({ numberResults: 2 }));
    await call(sim, tasks);
    const polls = await Promise.all(tasks.map((t) => pollUntilDone(sim, t.taskUUID)));

    const shapes = new Set<string>();
    polls.forEach((reply, i) => {
      const { taskUUID } = tasks[i]!;
      expect(reply.status).toBe(200);
      if (reply.errors.length > 0) {
        shapes.add("errors");
        expect(reply.data).toEqual([]);
        expect(reply.errors).toEqual([{ code: expect.any(String), message: expect.any(String), taskType: "videoInference", taskUUID }]);
      } else {
        shapes.add("data");
        expect(reply.data).toHaveLength(2);
        for (const item of reply.data) {
          expect(item).toEqual({ taskType: "videoInference", taskUUID, status: "error", error: { code: expect.any(String), message: expect.any(String) } });
        }
      }
    });
    expect(shapes).toEqual(new Set(["errors", "data"]));
    expect(await getStats(sim)).toMatchObject({ videoInference: 10, failedGenerations: 10 });
  });

  it("reports failures batched with successes in one 200 poll", async () => {
    const sim = await startSim({ failRate: 0.5 });
    const tasks = Array.from({ length: 12 }, () => videoTask());
    await call(sim, tasks);
    await Promise.all(tasks.map((t) => pollUntilDone(sim, t.taskUUID)));

    const reply = await call(sim, tasks.map((t) => pollTask(t.taskUUID)));
    const succeeded = reply.data.filter((i) => i.status === "success").length;
    const failed = reply.data.filter((i) => i.status === "error").length + reply.errors.length;
    expect(reply.status).toBe(200);
    expect(succeeded).toBeGreaterThan(0);
    expect(failed).toBe((await getStats(sim)).failedGenerations);
    expect(succeeded + failed).toBe(12);
  });
});

describe("reproducibility", () => {
  const MIXED: SimOptions = { rateLimitRate: 0.2, errorRate: 0.2, resetRate: 0.2 };

  /** Sequential submits against a fresh simulator: each one's outcome, and whether its task was accepted. */
  async function requestOutcomes(seed: number): Promise<string[]> {
    const sim = await startSim({ ...MIXED, seed });
    const tasks = Array.from({ length: 30 }, () => videoTask());
    const outcomes = [];
    for (const task of tasks) outcomes.push(await outcome(call(sim, [task])));
    const accepted = new Set(sim.stats().acceptedTaskUUIDs);
    return outcomes.map((o, i) => `${o}${accepted.has(tasks[i]!.taskUUID) ? " accepted" : ""}`);
  }

  /** Which of 12 generations fail, and in which shape. */
  async function generationOutcomes(seed: number): Promise<string[]> {
    const sim = await startSim({ failRate: 0.5, seed });
    const tasks = Array.from({ length: 12 }, () => videoTask());
    await call(sim, tasks);
    const polls = await Promise.all(tasks.map((t) => pollUntilDone(sim, t.taskUUID)));
    return polls.map((r) => (r.errors[0]?.code ? `errors:${r.errors[0].code}` : r.data[0]!.error ? `data:${r.data[0]!.error.code}` : "success"));
  }

  it("replays the same request faults for the same seed, and other faults for another seed", async () => {
    const first = await requestOutcomes(7);
    expect(new Set(first)).toEqual(new Set(["200 accepted", "429", "500", "503", "reset", "reset accepted"]));
    expect(await requestOutcomes(7)).toEqual(first);
    expect(await requestOutcomes(8)).not.toEqual(first);
  });

  it("replays the same generation failures for the same seed", async () => {
    const first = await generationOutcomes(7);
    expect(first).toContain("success");
    expect(first.some((o) => o !== "success")).toBe(true);
    expect(await generationOutcomes(7)).toEqual(first);
    expect(await generationOutcomes(8)).not.toEqual(first);
  });
});
