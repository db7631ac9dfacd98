/**
 * Apply against a misbehaving API: request-level fault storms, failed generations and retries,
 * and a wrong API key (which must never leak the key anywhere).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  actionsOf,
  apply,
  cleanupAfterAll,
  clipsOf,
  collect,
  entryProblems,
  FAST,
  listFiles,
  planJson,
  readLock,
  recordedTaskUUIDs,
  run,
  simEnv,
  simProject,
  spawnCli,
  startSim,
  waitForOutput,
} from "../helpers/apply-sim.js";

cleanupAfterAll();

describe.concurrent("apply: faults", () => {
  it("a storm of 429s, 500/503s and connection resets: one run, one accepted generation per clip", { timeout: 60_000 }, async () => {
    const N = 20;
    const sim = await startSim({ latencyMs: 40, rateLimitRate: 0.15, errorRate: 0.15, resetRate: 0.15, seed: 7 });
    const dir = simProject(N);
    const r = await apply(dir, sim, [], {});
    expect(r.code, r.stderr).toBe(0);
    const stats = sim.stats();
    // The storm really happened. With seed 7 the very first API request (the first submit batch)
    // is acted on and its connection reset before the answer: the client must look the tasks up,
    // not send them again.
    expect(stats.rateLimited + stats.serverErrors + stats.resets).toBeGreaterThanOrEqual(3);
    expect(stats.resets).toBeGreaterThan(0);
    expect(stats.videoInference).toBe(N);
    expect(new Set(stats.acceptedTaskUUIDs).size).toBe(N);
    const lock = readLock(dir);
    const recorded = recordedTaskUUIDs(lock);
    expect(recorded.size).toBe(N);
    for (const u of stats.acceptedTaskUUIDs) expect(recorded.has(u)).toBe(true);
    expect(clipsOf(N).flatMap((c) => entryProblems(dir, c.id, lock))).toEqual([]);
    for (const c of clipsOf(N)) expect(lock.clips[c.id]!.tasks).toHaveLength(1);
    const plan = await run(["plan", "--detailed-exitcode"], { cwd: dir });
    expect(plan.code).toBe(0);
  });

  it("failed generations are recorded with the API's error; the next apply retries only those", async () => {
    const N = 8;
    const failing = await startSim({ failRate: 0.5, seed: 3 });
    const dir = simProject(N);
    const r = await apply(dir, failing);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Apply finished with problems/);
    const stats1 = failing.stats();
    expect(stats1.videoInference).toBe(N);
    expect(stats1.failedGenerations).toBeGreaterThan(0);
    expect(stats1.failedGenerations).toBeLessThan(N);

    const lock = readLock(dir);
    const failed = Object.entries(lock.clips).filter(([, e]) => e.tasks[0]!.status === "failed").map(([a]) => a).sort();
    expect(failed).toHaveLength(stats1.failedGenerations);
    for (const a of failed) {
      const e = lock.clips[a]!;
      expect(e.results).toEqual([]);
      expect(["generationFailed", "timeoutProvider"]).toContain(e.tasks[0]!.error?.code);
      expect(e.tasks[0]!.error?.message).toMatch(/^The provider (failed to generate the video|did not return the video in time)\.$/);
      expect(r.stderr).toContain(`failed      ${a}  task ${e.tasks[0]!.taskUUID.slice(0, 8)}: ${e.tasks[0]!.error!.code}: ${e.tasks[0]!.error!.message}`);
    }
    for (const c of clipsOf(N).filter((c) => !failed.includes(c.id))) expect(entryProblems(dir, c.id, lock)).toEqual([]);

    const plan = await planJson(dir);
    const retry = plan.changes.filter((c) => c.action === "retry").map((c) => c.address).sort();
    expect(retry).toEqual(failed);
    expect(plan.changes.filter((c) => c.action !== "retry").every((c) => c.action === "no-op")).toBe(true);
    for (const c of plan.changes.filter((c) => c.action === "retry")) expect(c.reason).toMatch(/failed earlier: (generationFailed|timeoutProvider): /);

    const healthy = await startSim({ failRate: 0 });
    const r2 = await apply(dir, healthy);
    expect(r2.code, r2.stderr).toBe(0);
    const stats2 = healthy.stats();
    expect(stats2.videoInference).toBe(failed.length);
    const lock2 = readLock(dir);
    for (const a of failed) {
      const e = lock2.clips[a]!;
      expect(e.tasks.map((t) => t.status)).toEqual(["failed", "succeeded"]);
      expect(e.tasks[1]!.taskUUID).not.toBe(e.tasks[0]!.taskUUID); // a retry is a new generation, with a new UUID
      expect(stats2.acceptedTaskUUIDs).toContain(e.tasks[1]!.taskUUID);
      expect(entryProblems(dir, a, lock2)).toEqual([]);
    }
    // Clips that had succeeded are untouched.
    for (const c of clipsOf(N).filter((c) => !failed.includes(c.id))) expect(lock2.clips[c.id]).toEqual(lock.clips[c.id]);
    expect((await run(["plan", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });
});

describe.concurrent("apply: a key that stops working while tasks are in flight", () => {
  /**
   * A run is killed with generations in flight; the next apply (say, CI after the key was
   * rotated) resumes them with a key the API refuses. Polling can never succeed: apply must say
   * so and exit 1, keeping the tasks recorded as submitted (they were paid for and will be
   * resumed with a good key), rather than poll forever.
   */
  it("resuming with a refused key: exit 1 with the auth error, tasks stay recorded", async () => {
    const sim = await startSim({ latencyMs: 60_000 });
    const dir = simProject(2);
    const p = spawnCli(["apply", ...FAST], { cwd: dir, env: simEnv(sim) });
    const out = collect(p);
    await waitForOutput(p, /submitted[\s\S]*submitted/);
    p.kill("SIGKILL");
    await out;
    const lock = readLock(dir);
    expect(Object.values(lock.clips).map((e) => e.tasks[0]!.status)).toEqual(["submitted", "submitted"]);

    const r = await run(["apply", ...FAST], { cwd: dir, env: simEnv(sim, "a-revoked-key"), timeoutMs: 20_000 }); // an auth error is not retryable: it ends long before retries would (the margin is for a loaded machine)
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalidApiKey|Invalid API key/);
    expect(sim.stats().videoInference).toBe(2);
    const after = readLock(dir);
    for (const [a, e] of Object.entries(lock.clips)) expect(after.clips[a]!.tasks).toEqual(e.tasks);
  });
});

describe.concurrent("apply: the API key is a secret", () => {
  const SECRET = "sk-super-secret-value-123";

  function leaks(dir: string, outputs: string[]): string[] {
    const found: string[] = [];
    outputs.forEach((o, i) => {
      if (o.includes(SECRET)) found.push(`output #${i}`);
    });
    for (const f of listFiles(dir)) if (readFileSync(join(dir, f)).includes(SECRET)) found.push(f);
    return found;
  }

  it("a wrong key: auth error, exit 1, and the key appears in no output and no file", async () => {
    const sim = await startSim({ apiKey: "other" });
    const dir = simProject(2);
    const env = simEnv(sim, SECRET);
    const saved = await run(["plan", "--out", "p.json"], { cwd: dir, env });
    expect(saved.code).toBe(0);
    const r = await run(["apply", "--auto-approve", "--poll-interval", "20"], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/invalidApiKey|Invalid API key|auth/i);
    const j = await run(["apply", "--auto-approve", "--poll-interval", "20", "--json"], { cwd: dir, env });
    expect(j.code).toBe(1);
    expect(sim.stats().videoInference).toBe(0);
    expect(leaks(dir, [saved.stdout, saved.stderr, r.stdout, r.stderr, j.stdout, j.stderr])).toEqual([]);
    expect(listFiles(dir)).toContain("p.json");
  });

  it("the right key: a full apply writes it nowhere in the project", async () => {
    const sim = await startSim({ apiKey: SECRET });
    const dir = simProject(2);
    const env = simEnv(sim, SECRET);
    expect((await run(["plan", "--out", "p.json"], { cwd: dir, env })).code).toBe(0);
    const r = await run(["apply", "p.json", "--poll-interval", "20"], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats().videoInference).toBe(2);
    const files = listFiles(dir);
    expect(files).toEqual(expect.arrayContaining(["clipform.lock.json", "clipform-out/clip-01.v1.mp4", ".clipform/.gitignore"]));
    expect(leaks(dir, [r.stdout, r.stderr])).toEqual([]);
    expect(actionsOf(await planJson(dir))).toEqual({ "clip-01": "no-op", "clip-02": "no-op" });
  });
});
