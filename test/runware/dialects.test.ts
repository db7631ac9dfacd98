/**
 * Money safety under every simulator dialect: the client submits clips with 1–3 variants,
 * polls them to the end and downloads every result. Whatever the dialect, each clip is generated
 * exactly once, every paid variant is recorded and on disk, and only believable costs are kept.
 */
import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DIALECT_NAMES, type DialectName } from "../../src/sim/index.js";
import { MAX_COST_PER_GENERATION_USD, type PollResult } from "../../src/runware/index.js";
import { createClient, startSim, videoTask } from "./helpers.js";

const dirs: string[] = [];
/** Faults each dialect's run met: the storm must really have happened. */
const faults = new Map<DialectName, number>();
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  const stormed = [...faults.values()].filter((n) => n > 0).length;
  expect(stormed, JSON.stringify(Object.fromEntries(faults))).toBeGreaterThanOrEqual(DIALECT_NAMES.length / 2);
});

const FAILING: readonly DialectName[] = ["errors-200", "errors-5xx", "error-items"];
const COUNTS = [1, 2, 3, 1, 2, 3];
const ROUND_MS = 15;
const SCENARIO_DEADLINE_MS = 15_000;
/** A fault storm on top of each dialect: 429s, 500/503s, and connections dropped before or after acting. */
const STORM = { rateLimitRate: 0.1, errorRate: 0.1, resetRate: 0.1 };

async function scenario(dialect: DialectName) {
  // one-by-one: variants finish ~50 ms apart, several poll rounds between them.
  const sim = await startSim({ dialects: [dialect], latencyMs: dialect === "one-by-one" ? 200 : 60, failRate: FAILING.includes(dialect) ? 0.5 : 0, seed: 100 + DIALECT_NAMES.indexOf(dialect), ...STORM });
  const dir = await mkdtemp(join(tmpdir(), `clipform-dialect-${dialect}-`));
  dirs.push(dir);
  const { client, events } = createClient(sim.apiUrl);
  try {
    const tasks = COUNTS.map((numberResults) => videoTask({ numberResults }));
    const submitted = await client.submitVideo(tasks);
    expect(submitted.map((s) => s.status)).toEqual(COUNTS.map(() => "accepted"));

    const finished = new Map<string, PollResult>();
    const started = performance.now();
    while (finished.size < tasks.length) {
      if (performance.now() - started > SCENARIO_DEADLINE_MS) throw new Error(`${dialect}: tasks still running after ${SCENARIO_DEADLINE_MS} ms`);
      const open = tasks.filter((t) => !finished.has(t.taskUUID)).map((t) => t.taskUUID);
      for (const [uuid, result] of await client.poll(open)) if (result.status !== "processing") finished.set(uuid, result);
      await new Promise((resolve) => setTimeout(resolve, ROUND_MS));
    }
    const files: string[] = [];
    for (const task of tasks) {
      for (const item of finished.get(task.taskUUID)!.items) {
        const dest = join(dir, `${item.videoUUID}.mp4`);
        await client.download(item.videoURL, dest, { partKey: item.videoUUID });
        files.push(dest);
      }
    }
    return { sim, tasks, finished, files, events, counters: client.pollCounters() };
  } finally {
    await client.close();
    await sim.close();
  }
}

describe.concurrent("every dialect, in a fault storm: one generation per clip, every paid variant recorded and downloaded", () => {
  for (const dialect of DIALECT_NAMES) {
    it(dialect, async () => {
      const { sim, tasks, finished, files, counters } = await scenario(dialect);
      const stats = sim.stats();
      faults.set(dialect, stats.rateLimited + stats.serverErrors + stats.resets);
      expect(stats.videoInference).toBe(tasks.length);
      expect(stats.duplicatesRefused).toBe(0);
      expect(new Set(stats.acceptedTaskUUIDs)).toEqual(new Set(tasks.map((t) => t.taskUUID)));

      let failed = 0;
      for (const [i, task] of tasks.entries()) {
        const result = finished.get(task.taskUUID)!;
        if (result.status === "error") failed++;
        else expect(result.items, `${dialect}: task ${i}`).toHaveLength(COUNTS[i]!);
      }
      if (FAILING.includes(dialect)) expect(failed).toBeGreaterThan(0);
      else expect(failed).toBe(0);
      expect(stats.failedGenerations).toBe(failed);

      const items = [...finished.values()].flatMap((r) => r.items);
      expect(new Set(items.map((i) => i.videoUUID)).size).toBe(items.length);
      for (const file of files) expect(statSync(file).size).toBeGreaterThan(0);
      for (const item of items) {
        if (dialect === "bad-cost") {
          expect(item.cost).toBeUndefined();
          expect(item.costAnomaly).toBeDefined();
        } else {
          expect(item.cost).toBeGreaterThan(0);
          expect(item.cost).toBeLessThanOrEqual(MAX_COST_PER_GENERATION_USD);
        }
      }
      if (dialect === "partial-batch" || dialect === "wrong-uuid") expect(counters.oneByOne).toBe(true);
      if (dialect === "redirect") expect(stats.videoDownloads).toBe(files.length);
    });
  }
});

describe("empty answers for unknown tasks", () => {
  it("keep the task silent and processing: never taken as not-found, never resent", async () => {
    const sim = await startSim({ dialects: ["empty-unknown"] });
    const { client } = createClient(sim.apiUrl);
    try {
      const uuid = randomUUID();
      expect((await client.poll([uuid])).get(uuid)).toEqual({ status: "processing", items: [], silent: true });
      expect(sim.stats().videoInference).toBe(0);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
