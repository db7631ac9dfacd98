/**
 * Two writers at once, forced (`unlock --force` while an apply runs, then a second apply): both
 * pay for the same clips, which `--force` allows, but every result the API produced must end up
 * recorded (in a clip's entry or among its takes): no paid result disappears from the lockfile.
 */
import { describe, expect, it } from "vitest";
import {
  apply,
  cleanupAfterAll,
  FAST,
  lockPathOf,
  readLockFile,
  run,
  simEnv,
  simProject,
  startSim,
  type LockJson,
  planJson,
} from "../helpers/apply-sim.js";
import { pendingJournals } from "../../src/lockfile/journal.js";
import { startCli } from "../helpers/run.js";

cleanupAfterAll();

/** Task and video UUIDs recorded anywhere in the lockfile: entries and kept takes. */
function recorded(lock: LockJson): { tasks: Set<string>; resultTasks: Set<string> } {
  const all = lock as LockJson & { takes?: Record<string, { tasks: { taskUUID: string }[]; results: { taskUUID: string }[] }> };
  const holders = [...Object.values(all.clips), ...Object.values(all.takes ?? {})];
  return {
    tasks: new Set(holders.flatMap((h) => h.tasks.map((t) => t.taskUUID))),
    resultTasks: new Set(holders.flatMap((h) => h.results.map((r) => r.taskUUID))),
  };
}

describe("apply: two writers, forced", () => {
  it("unlock --force and a second apply: every paid result stays recorded", { timeout: 90_000 }, async () => {
    const N = 20;
    const sim = await startSim({ latencyMs: 1500 });
    const dir = simProject(N);
    const first = startCli(["apply", ...FAST, "--concurrency", "4"], { cwd: dir, env: simEnv(sim), input: "" });
    const firstDone = first.done;
    await first.waitFor(/submitted +clip-/, { stream: "stderr" });
    const unlocked = await run(["unlock", "--force"], { cwd: dir });
    expect(unlocked.code, unlocked.stderr).toBe(0);
    const second = await apply(dir, sim, ["--concurrency", "20"]);
    const one = await firstDone;
    // Since issue 20 the second one also leaves what the first is sending (claimed): it says so and exits 1.
    if (second.code !== 0) expect(second.stderr).toMatch(/not sent: another apply \(pid \d+\) is sending this very request/);
    expect([0, 1]).toContain(second.code);
    // The first one sees the second's records once they reach the lockfile and does not send
    // those clips again: it says so and exits 1 (skipped work), or it was done before.
    if (one.code !== 0) {
      expect(one.code, one.stderr).toBe(1);
      // …or, since issue 20, before that: the other's claim or journal (test/hostile/forced-concurrent.test.ts).
      expect(one.stderr).toMatch(/not sent: (the lockfile gained a task for this very request|another apply)/);
      expect(one.stderr).not.toMatch(/^error:/m);
    }

    const stats = sim.stats();
    // The second apply saw the first one's tasks only as far as they were written: some clips
    // may be paid twice (that is what --force allows), never more.
    expect(stats.videoInference).toBeGreaterThanOrEqual(N);
    expect(stats.videoInference).toBeLessThanOrEqual(2 * N);
    expect(pendingJournals(lockPathOf(dir))).toEqual([]);
    const lock = readLockFile(dir);
    const { tasks, resultTasks } = recorded(lock);
    for (const u of stats.acceptedTaskUUIDs) {
      expect(tasks.has(u), `accepted task ${u} not in the lockfile`).toBe(true);
      expect(resultTasks.has(u), `the result of accepted task ${u} not in the lockfile`).toBe(true);
    }
    for (let i = 1; i <= N; i++) expect(lock.clips[`clip-${String(i).padStart(2, "0")}`]?.results.length).toBeGreaterThanOrEqual(1);
    // Nothing is left to pay for. Two forced writers may both write a clip's video to its one
    // file name: the lockfile keeps both records, and the next apply fetches the recorded one
    // again (a free download) if the other writer's video ended up there.
    const plan = await planJson(dir);
    expect(plan.summary.estimated_cost_usd).toBe(0);
    expect(new Set(plan.changes.map((c) => c.action).filter((a) => a !== "no-op" && a !== "download"))).toEqual(new Set());
    if (plan.changes.some((c) => c.action === "download")) expect((await apply(dir, sim)).code).toBe(0);
    const settled = await run(["plan", "--detailed-exitcode"], { cwd: dir });
    expect(settled.stdout).toContain("No changes");
  });
});
