/**
 * `apply --task-timeout` as a user runs it, against a simulator whose generations never finish
 * within the run: apply ends with the still-running message and its own exit code, the tasks
 * recorded in flight (paid once, never resent), and the next apply collects them.
 */
import { describe, expect, it } from "vitest";
import { EXIT_STILL_RUNNING } from "../../src/runware/waiting.js";
import { apply, cleanupAfterAll, readLock, simProject, startSim } from "../helpers/apply-sim.js";
import { ManualClock } from "../helpers/clock.js";

cleanupAfterAll();

describe("apply --task-timeout", () => {
  it("ends at the deadline with exit 75 and the still-running message; nothing is sent twice, and a later apply collects", async () => {
    // The generations take 4 s of the simulator's clock, which moves only when this test says.
    const clock = new ManualClock();
    const sim = await startSim({ latencyMs: 4_000, clock });
    const dir = simProject(2);
    const r = await apply(dir, sim, ["--task-timeout", "500ms"]);
    expect(r.stderr).toMatch(/still running: 2 tasks did not finish within --task-timeout/);
    expect(r.stderr).toMatch(/re-run `clipform apply` to collect them/);
    expect(r.code).toBe(EXIT_STILL_RUNNING);
    const tasks = Object.values(readLock(dir).clips).flatMap((e) => e.tasks);
    expect(tasks).toHaveLength(2);
    for (const t of tasks) expect(t.status).toBe("submitted");
    expect(sim.stats().videoInference).toBe(2);

    clock.advance(4_000);
    const again = await apply(dir, sim, ["--task-timeout", "30s"]);
    expect(again.code).toBe(0);
    expect(sim.stats().videoInference).toBe(2);
    const lock = readLock(dir);
    for (const e of Object.values(lock.clips)) expect(e.results).toHaveLength(1);
  });

  it("--json: errors are JSON events with their code; a bad duration is a usage error", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    const r = await apply(dir, sim, ["--task-timeout", "soon", "--json"]);
    expect(r.code).toBe(1);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.at(-1)).toMatchObject({ event: "error", code: "USAGE", message: expect.stringMatching(/--task-timeout expects a duration/) });
    expect(sim.stats().videoInference).toBe(0);
  });
});
