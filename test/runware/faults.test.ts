/**
 * Never pay twice, under every fault the simulator injects: 429 with Retry-After, 500/503, and
 * connections dropped before or after the server acted. The simulator's own counters are the
 * witness: each taskUUID accepted exactly once, no resubmission of an accepted task.
 */
import { describe, expect, it } from "vitest";
import type { SimOptions, Simulator } from "../../src/sim/index.js";
import { RunwareError, type ClientEvent, type RunwareClientOptions } from "../../src/runware/index.js";
import { createClient, pollUntilDone, startSim, videoTask, type Harness } from "./helpers.js";

const SIM_RETRY_AFTER_MS = 1_000;

async function withSim(
  simOptions: SimOptions,
  clientOptions: Partial<RunwareClientOptions>,
  body: (sim: Simulator, h: Harness) => Promise<void>,
): Promise<void> {
  const sim = await startSim(simOptions);
  const h = createClient(sim.apiUrl, clientOptions);
  try {
    await body(sim, h);
  } finally {
    await h.client.close();
    await sim.close();
  }
}

const settles = (events: ClientEvent[]) => events.filter((e): e is Extract<ClientEvent, { type: "settle" }> => e.type === "settle");
const sorted = (values: string[]) => [...values].sort();

describe("retries and never paying twice", () => {
  it("waits at least Retry-After on 429, then gives up after maxRetries without generating", async () => {
    await withSim({ rateLimitRate: 1 }, { maxRetries: 2 }, async (sim, h) => {
      const task = videoTask();
      const [result] = await h.client.submitVideo([task]);
      expect(result!.status).toBe("rejected");
      expect((result as { error: RunwareError }).error).toMatchObject({ kind: "rateLimit", retryable: true, status: 429, apiCode: "rateLimitExceeded" });
      expect(h.sleeps).toHaveLength(2);
      for (const ms of h.sleeps) expect(ms).toBeGreaterThanOrEqual(SIM_RETRY_AFTER_MS);
      expect(sim.stats()).toMatchObject({ requests: 3, rateLimited: 3, videoInference: 0 });
    });
  });

  it("gets through intermittent 429s, honouring Retry-After every time", async () => {
    await withSim({ rateLimitRate: 0.6, seed: 3 }, { maxRetries: 20 }, async (sim, h) => {
      const tasks = Array.from({ length: 10 }, () => videoTask());
      const results = [];
      for (const task of tasks) results.push(...(await h.client.submitVideo([task])));
      expect(results.every((r) => r.status === "accepted")).toBe(true);
      const retries = h.events.filter((e) => e.type === "retry");
      expect(retries.length).toBe(sim.stats().rateLimited);
      expect(retries.length).toBeGreaterThan(0);
      expect(h.sleeps.length).toBe(retries.length);
      for (const ms of h.sleeps) expect(ms).toBeGreaterThanOrEqual(SIM_RETRY_AFTER_MS);
      expect(sorted(sim.stats().acceptedTaskUUIDs)).toEqual(sorted(tasks.map((t) => t.taskUUID)));
    });
  });

  it("retries 500 and 503, settling each submit by polling before resending it", async () => {
    await withSim({ errorRate: 0.5, seed: 5 }, {}, async (sim, h) => {
      const tasks = Array.from({ length: 10 }, () => videoTask());
      for (const task of tasks) expect((await h.client.submitVideo([task]))[0]!.status).toBe("accepted");
      const stats = sim.stats();
      expect(stats.serverErrors).toBeGreaterThan(0);
      expect(sorted(stats.acceptedTaskUUIDs)).toEqual(sorted(tasks.map((t) => t.taskUUID)));
      expect(stats.duplicatesRefused).toBe(0);
      // The simulator's 5xx never act, so every settlement finds the task absent and resends it.
      expect(settles(h.events).flatMap((e) => e.onServer)).toEqual([]);
      expect(settles(h.events).flatMap((e) => e.absent).length).toBeGreaterThan(0);
    });
  });

  it("settles connections reset before and after acting by polling: one generation per task", async () => {
    await withSim({ resetRate: 0.5, seed: 11 }, {}, async (sim, h) => {
      const tasks = Array.from({ length: 20 }, () => videoTask());
      for (const task of tasks) expect((await h.client.submitVideo([task]))[0]!.status).toBe("accepted");
      const stats = sim.stats();
      expect(stats.resets).toBeGreaterThan(0);
      expect(sorted(stats.acceptedTaskUUIDs)).toEqual(sorted(tasks.map((t) => t.taskUUID)));
      expect(stats.videoInference).toBe(tasks.length);
      expect(stats.duplicatesRefused).toBe(0);
      // Both kinds happened: resets after acting (found on the server) and before (absent, resent).
      expect(settles(h.events).flatMap((e) => e.onServer).length).toBeGreaterThan(0);
      expect(settles(h.events).flatMap((e) => e.absent).length).toBeGreaterThan(0);
    });
  });

  it("retries polls (idempotent) through every fault kind", async () => {
    await withSim({ rateLimitRate: 0.2, errorRate: 0.2, resetRate: 0.2, seed: 13 }, { maxRetries: 30 }, async (sim, h) => {
      const tasks = Array.from({ length: 5 }, () => videoTask());
      await h.client.submitVideo(tasks);
      const ids = tasks.map((t) => t.taskUUID);
      const results = await pollUntilDone(h.client, ids);
      expect([...results.values()].every((r) => r.status === "success")).toBe(true);
      // How many polls that took depends on timing; poll on (idempotent: still success) until one
      // went through a fault, so the test does not hinge on a loaded machine's pace.
      const retried = () => h.events.some((e) => e.type === "retry" && e.operation === "poll");
      for (let i = 0; i < 30 && !retried(); i++) {
        expect([...(await h.client.poll(ids)).values()].every((r) => r.status === "success")).toBe(true);
      }
      expect(retried()).toBe(true);
    });
  });

  it("throws the last error when polls keep failing past maxRetries", async () => {
    await withSim({ errorRate: 1 }, { maxRetries: 3 }, async (sim, h) => {
      await expect(h.client.poll([videoTask().taskUUID])).rejects.toMatchObject({ kind: "server", retryable: true });
      expect(sim.stats().requests).toBe(4);
      expect(h.sleeps).toHaveLength(3);
    });
  });

  it("reports a submit it cannot settle as accepted but unconfirmed, never as rejected", async () => {
    await withSim({ resetRate: 1 }, { maxRetries: 1 }, async (sim, h) => {
      const task = videoTask();
      const [result] = await h.client.submitVideo([task]);
      expect(result).toMatchObject({ taskUUID: task.taskUUID, status: "accepted", unconfirmed: { kind: "network" } });
      expect(settles(h.events)).toContainEqual(expect.objectContaining({ unconfirmed: [task.taskUUID] }));
    });
  });

  it("survives a storm of 100 concurrent submits with mixed faults: exactly one generation per taskUUID", async () => {
    await withSim({ rateLimitRate: 0.15, errorRate: 0.15, resetRate: 0.3, seed: 17 }, { maxRetries: 40 }, async (sim, h) => {
      const tasks = Array.from({ length: 100 }, () => videoTask());
      const results = (await Promise.all(tasks.map((task) => h.client.submitVideo([task])))).flat();
      expect(results.every((r) => r.status === "accepted" && !("unconfirmed" in r))).toBe(true);

      const stats = sim.stats();
      expect(stats.rateLimited).toBeGreaterThan(0);
      expect(stats.serverErrors).toBeGreaterThan(0);
      expect(stats.resets).toBeGreaterThan(0);
      expect(sorted(stats.acceptedTaskUUIDs)).toEqual(sorted(tasks.map((t) => t.taskUUID)));
      expect(stats.videoInference).toBe(100);
      expect(stats.duplicatesRefused).toBe(0);

      const polled = await pollUntilDone(h.client, tasks.map((t) => t.taskUUID));
      expect([...polled.values()].every((r) => r.status === "success")).toBe(true);
      expect(sim.stats().videoInference).toBe(100);
    });
  });
});
