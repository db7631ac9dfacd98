/**
 * Never pay twice across crashes: apply is SIGKILLed at seeded random moments again and again;
 * the lockfile stays valid JSON, the journal left behind holds every task the API accepted, plan
 * keeps working (it folds the journal in), the next apply takes over the stale state lock, and in
 * the end the API accepted exactly one generation per clip.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pendingJournals } from "../../src/lockfile/journal.js";
import { describe, expect, it } from "vitest";
import {
  actionsOf,
  apply,
  clipsOf,
  cleanupAfterAll,
  collect,
  entryProblems,
  FAST,
  listFiles,
  lockPathOf,
  manifest,
  planJson,
  readLock,
  recordedTaskUUIDs,
  run,
  seeded,
  simEnv,
  simProject,
  sleep,
  spawnCli,
  startSim,
  type LockJson,
  waitForOutput,
  SIM_PRICE,
} from "../helpers/apply-sim.js";

cleanupAfterAll();

const STATE_LOCK = ".clipform/apply.lock";

describe("apply: crash safety", () => {
  it("survives 20 SIGKILLs at random moments over 50 clips and pays once per clip", { timeout: 120_000 }, async () => {
    const N = 50;
    const sim = await startSim({ latencyMs: 200, seed: 11 });
    const dir = simProject(N);
    const rand = seeded(20240607);
    let killedWithTasksInFlight = 0;
    let journalsLeft = 0;
    let tornLines = 0;
    let takeoversSeen = 0;
    let staleLocksLeft = 0;

    for (let i = 0; i < 20; i++) {
      const staleBefore = existsSync(join(dir, STATE_LOCK));
      const p = spawnCli(["apply", ...FAST, "--concurrency", "4"], { cwd: dir, env: simEnv(sim) });
      const out = collect(p);
      // Even kills: a moment after start (startup, lock, plan); odd kills: a moment after the plan
      // is printed (submitting, polling, downloading, writing the lockfile).
      if (i % 2 === 0) await sleep(30 + Math.floor(rand() * 570));
      else {
        await waitForOutput(p, /clipform plan:/, "stdout").catch(() => undefined);
        await sleep(Math.floor(rand() * 400));
      }
      p.kill("SIGKILL");
      const r = await out;
      // A run that finished before the kill is fine; anything else must have been the kill.
      if (r.signal !== "SIGKILL") expect(r.code, r.stderr).toBe(0);
      if (staleBefore && /took over a stale state lock/.test(r.stderr)) takeoversSeen++;
      if (r.stderr.includes("error:")) throw new Error(`apply #${i} failed before the kill:\n${r.stderr}`);

      if (existsSync(lockPathOf(dir))) {
        const text = readFileSync(lockPathOf(dir), "utf8");
        try {
          JSON.parse(text);
        } catch (e) {
          throw new Error(`kill #${i}: the lockfile is not valid JSON: ${(e as Error).message}\n${text.slice(0, 500)}`);
        }
      }
      const journals = pendingJournals(lockPathOf(dir));
      if (journals.length > 0) journalsLeft++;
      const last = journals.at(-1);
      if (last) {
        const text = readFileSync(last, "utf8");
        if (!text.endsWith("\n")) tornLines++;
        // Every other kill with a journal also gets the torn line a kill in the middle of an
        // append leaves (the next event cut short), where a real one did not happen to land.
        else if (i % 2 === 1) {
          appendFileSync(last, text.slice(text.lastIndexOf("\n", text.length - 2) + 1, -9));
          tornLines++;
        }
      }
      if (existsSync(lockPathOf(dir)) || last) {
        // The record as the next start reads it: lockfile and journal.
        const lock: LockJson = readLock(dir);
        if (Object.values(lock.clips).some((e) => e.tasks.some((t) => t.status === "submitted"))) killedWithTasksInFlight++;
        // Whatever the API accepted so far was recorded before it was sent.
        const recorded = recordedTaskUUIDs(lock);
        for (const u of sim.stats().acceptedTaskUUIDs) expect(recorded.has(u), `kill #${i}: accepted ${u} not recorded`).toBe(true);
      }
      // plan never takes the state lock: it works next to a stale one.
      if (existsSync(join(dir, STATE_LOCK))) staleLocksLeft++;
      const plan = await planJson(dir);
      expect(plan.format_version).toBe("1");
    }

    // The kills did land in the middle of things (the test exercised what it claims to).
    expect(killedWithTasksInFlight).toBeGreaterThanOrEqual(2);
    expect(journalsLeft).toBeGreaterThanOrEqual(2);
    expect(tornLines).toBeGreaterThanOrEqual(2);
    expect(staleLocksLeft).toBeGreaterThanOrEqual(1);

    const staleNow = existsSync(join(dir, STATE_LOCK));
    const final = await apply(dir, sim, ["--concurrency", "4"]);
    expect(final.code, final.stderr).toBe(0);
    if (staleNow) {
      expect(final.stderr).toMatch(/took over a stale state lock \(pid \d+/);
      takeoversSeen++;
    }
    expect(takeoversSeen).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(dir, STATE_LOCK))).toBe(false);
    // The last apply folded every journal into the lockfile and removed them.
    expect(pendingJournals(lockPathOf(dir))).toEqual([]);

    const stats = sim.stats();
    expect(stats.videoInference).toBe(N);
    expect(new Set(stats.acceptedTaskUUIDs).size).toBe(N);
    expect(stats.maxInFlight).toBeLessThanOrEqual(4 * 2); // a killed run's tasks may overlap the next run's, never more
    const lock = readLock(dir);
    const recorded = recordedTaskUUIDs(lock);
    for (const u of stats.acceptedTaskUUIDs) expect(recorded.has(u)).toBe(true);
    const problems = clipsOf(N).flatMap((c) => entryProblems(dir, c.id, lock));
    expect(problems).toEqual([]);
    // Each clip's result comes from a task the API accepted.
    for (const c of clipsOf(N)) expect(stats.acceptedTaskUUIDs).toContain(lock.clips[c.id]!.results[0]!.taskUUID);
    const last = await run(["plan", "--detailed-exitcode"], { cwd: dir });
    expect(last.stdout).toContain("No changes");
    expect(last.code).toBe(0);

    // Checked last because it is probabilistic (a kill has to land inside a lockfile write; about
    // one run in three here): an interrupted atomic write must not leave its temporary file next
    // to the lockfile that CI commits, and the next successful apply must not keep it either.
    const litter = listFiles(dir).filter((f) => f !== "clipform.lock.json" && !/^(specs|clipform-out|\.clipform)\//.test(f));
    expect(litter, "files left in the project root by killed applies").toEqual([]);
  });

  /**
   * A kill between "task recorded" and "request sent" leaves a submitted task the API never saw.
   * Made exactly: a finished apply's entry is rewound to that state and a fresh simulator (which
   * knows no task) is used; resume polls, gets taskNotFound, and sends the SAME taskUUID.
   */
  it("a task recorded but never sent is resubmitted with its recorded taskUUID", async () => {
    const first = await startSim();
    const dir = simProject(2);
    expect((await apply(dir, first)).code).toBe(0);
    const lock = readLock(dir);
    const entry = lock.clips["clip-02"]!;
    const recordedUUID = entry.tasks[0]!.taskUUID;
    entry.tasks = [{ taskUUID: recordedUUID, numberResults: 1, status: "submitted", submittedAt: new Date().toISOString() }];
    entry.results = [];
    writeFileSync(lockPathOf(dir), JSON.stringify(lock, null, 2) + "\n");

    const plan = await planJson(dir);
    expect(actionsOf(plan)).toEqual({ "clip-01": "no-op", "clip-02": "resume" });
    expect(plan.changes.find((c) => c.address === "clip-02")!.resume_tasks).toEqual([recordedUUID]);
    // Never acknowledged: the plan shows what sending it once more could cost.
    expect(plan.summary.estimated_cost_usd).toBe(SIM_PRICE);

    const fresh = await startSim();
    const r = await apply(dir, fresh);
    expect(r.code, r.stderr).toBe(0);
    const stats = fresh.stats();
    expect(stats.acceptedTaskUUIDs).toEqual([recordedUUID]);
    expect(stats.getResponse).toBeGreaterThanOrEqual(2); // polled (notFound) before sending, then polled to the end
    const after = readLock(dir);
    expect(after.clips["clip-02"]!.tasks).toHaveLength(1);
    expect(after.clips["clip-02"]!.tasks[0]).toMatchObject({ taskUUID: recordedUUID, status: "succeeded" });
    expect(after.clips["clip-02"]!.results[0]!.taskUUID).toBe(recordedUUID);
    expect(entryProblems(dir, "clip-02", after)).toEqual([]);
    expect((await run(["plan", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });

  /**
   * Crash, then rename: the generation of the old address is still in flight (paid for). The
   * renamed clip is the exact same generation, so it must not be submitted again: it can be
   * taken over from the resumed task once that finishes (like a reuse), never paid twice.
   */
  it("a clip renamed while its generation is in flight is not generated again", async () => {
    const sim = await startSim({ latencyMs: 600 });
    const dir = simProject([{ id: "harbor", prompt: "Fishing boats leave the harbor at dawn" }]);
    const p = spawnCli(["apply", ...FAST], { cwd: dir, env: simEnv(sim) });
    const out = collect(p);
    await waitForOutput(p, /^submitted /m);
    p.kill("SIGKILL");
    await out;
    expect(readLock(dir).clips.harbor!.tasks[0]!.status).toBe("submitted");
    expect(sim.stats().videoInference).toBe(1);

    writeFileSync(join(dir, "specs/clips.yaml"), manifest([{ id: "harbor-dawn", prompt: "Fishing boats leave the harbor at dawn" }]));
    const plan = await planJson(dir);
    expect(plan.changes.find((c) => c.address === "harbor")).toMatchObject({ action: "delete", resume_tasks: [readLock(dir).clips.harbor!.tasks[0]!.taskUUID] });
    const r = await apply(dir, sim);
    expect(sim.stats().videoInference).toBe(1); // the one generation, paid once
    expect(r.code, r.stderr).toBe(0);
    expect(plan.summary.estimated_cost_usd).toBe(0);
    // The copy is made, the old name dropped: nothing left to do.
    expect(readLock(dir).clips["harbor-dawn"]!.results).toHaveLength(1);
    expect(actionsOf(await planJson(dir))).toEqual({ "harbor-dawn": "no-op" });
  });

  it("a recorded task the API does not know, older than the resubmit window, is not resent: it becomes a retry", async () => {
    const first = await startSim();
    const dir = simProject(1);
    expect((await apply(dir, first)).code).toBe(0);
    const lock = readLock(dir);
    const entry = lock.clips["clip-01"]!;
    const old = entry.tasks[0]!.taskUUID;
    entry.tasks = [{ taskUUID: old, numberResults: 1, status: "submitted", submittedAt: new Date(Date.now() - 2 * 3600_000).toISOString() }];
    entry.results = [];
    writeFileSync(lockPathOf(dir), JSON.stringify(lock, null, 2) + "\n");

    const fresh = await startSim();
    const r = await apply(dir, fresh);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed\s+clip-01 .*taskNotFound/);
    expect(fresh.stats().videoInference).toBe(0);
    expect(readLock(dir).clips["clip-01"]!.tasks[0]).toMatchObject({ taskUUID: old, status: "failed", error: { code: "taskNotFound" } });
    expect(actionsOf(await planJson(dir))).toEqual({ "clip-01": "retry" });
  });
});
