/**
 * Ctrl-C during apply: once, it stops submitting and waits for what is in flight; twice, it quits
 * at once, and the next apply resumes the recorded tasks by polling, never resubmitting them.
 */
import { describe, expect, it } from "vitest";
import {
  actionsOf,
  apply,
  cleanupAfterAll,
  collect,
  entryProblems,
  FAST,
  planJson,
  readLock,
  simEnv,
  simProject,
  spawnCli,
  startSim,
  waitForOutput,
} from "../helpers/apply-sim.js";

cleanupAfterAll();

describe("apply: Ctrl-C", () => {
  it("once: submits nothing more, finishes what is in flight, records it, exits non-zero", async () => {
    const sim = await startSim({ latencyMs: 800 });
    const dir = simProject(6);
    const p = spawnCli(["apply", ...FAST, "--concurrency", "2"], { cwd: dir, env: simEnv(sim) });
    const out = collect(p);
    await waitForOutput(p, /^submitted /m);
    const inFlightAtSignal = sim.stats().acceptedTaskUUIDs;
    p.kill("SIGINT");
    const r = await out;
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/interrupted: submitting nothing more; waiting for the generations in flight/);
    expect(r.stderr).toMatch(/Apply finished with problems: 2 succeeded, 0 failed, 2 downloaded, 4 skipped/);

    const stats = sim.stats();
    expect(stats.videoInference).toBe(2);
    expect(stats.acceptedTaskUUIDs).toEqual(inFlightAtSignal);
    const lock = readLock(dir);
    const done = Object.keys(lock.clips).sort();
    expect(done).toHaveLength(2);
    for (const a of done) {
      expect(lock.clips[a]!.tasks[0]!.status).toBe("succeeded");
      expect(entryProblems(dir, a, lock)).toEqual([]);
    }
    const plan = await planJson(dir);
    const actions = actionsOf(plan);
    for (const [a, action] of Object.entries(actions)) expect(action).toBe(done.includes(a) ? "no-op" : "create");
    expect(Object.values(actions).filter((x) => x === "create")).toHaveLength(4);
  });

  it("twice: quits at once (130); the next apply polls the recorded tasks and never resends them", async () => {
    const sim = await startSim({ latencyMs: 800 });
    const dir = simProject(6);
    const p = spawnCli(["apply", ...FAST, "--concurrency", "2"], { cwd: dir, env: simEnv(sim) });
    const out = collect(p);
    await waitForOutput(p, /^submitted /m);
    p.kill("SIGINT");
    // The second Ctrl-C once the first has been heard (two signals, never coalesced into one).
    await waitForOutput(p, /interrupted: submitting nothing more/);
    p.kill("SIGINT");
    const r = await out;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Quitting now\. Every task sent is recorded in the lockfile/);

    const inFlight = sim.stats().acceptedTaskUUIDs;
    expect(inFlight).toHaveLength(2);
    const lock = readLock(dir);
    // It did not wait for the generations: both are still recorded as submitted, nothing else is.
    const submitted = Object.entries(lock.clips).filter(([, e]) => e.tasks.some((t) => t.status === "submitted"));
    expect(submitted.map(([, e]) => e.tasks[0]!.taskUUID).sort()).toEqual([...inFlight].sort());
    expect(Object.keys(lock.clips)).toHaveLength(2);

    const plan = await planJson(dir);
    const resume = plan.changes.filter((c) => c.action === "resume");
    expect(resume.map((c) => c.address).sort()).toEqual(submitted.map(([a]) => a).sort());
    for (const c of resume) {
      expect(c.generate).toBe(0);
      expect(c.resume_tasks).toEqual([lock.clips[c.address]!.tasks[0]!.taskUUID]);
    }
    expect(plan.changes.filter((c) => c.action === "create")).toHaveLength(4);
    expect(plan.summary.generations).toBe(4);

    const before = sim.stats();
    const r2 = await apply(dir, sim, ["--concurrency", "2"]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toMatch(/resuming/);
    const after = sim.stats();
    expect(after.videoInference - before.videoInference).toBe(4);
    expect(after.duplicatesRefused).toBe(0);
    for (const u of inFlight) expect(after.acceptedTaskUUIDs.filter((x) => x === u)).toHaveLength(1);
    expect(new Set(after.acceptedTaskUUIDs).size).toBe(6);
    const lock2 = readLock(dir);
    for (const a of Object.keys(lock2.clips)) expect(entryProblems(dir, a, lock2)).toEqual([]);
    for (const [a, e] of submitted) expect(lock2.clips[a]!.tasks.map((t) => t.taskUUID)).toEqual(e.tasks.map((t) => t.taskUUID));
    expect(Object.keys(lock2.clips)).toHaveLength(6);
  });
});
