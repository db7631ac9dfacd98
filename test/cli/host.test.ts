/**
 * A command run in-process (the test harness) never touches the test runner's process: Ctrl-C
 * comes from its own host, and a second one ends the command with 130 instead of exiting.
 */
import { describe, expect, it } from "vitest";
import { cleanupAfterAll, FAST, simEnv, simProject, startSim } from "../helpers/apply-sim.js";
import { ManualClock } from "../helpers/clock.js";
import { startCli } from "../helpers/run.js";

cleanupAfterAll();

describe("commands in-process", () => {
  it("apply listens for Ctrl-C on its own host, never on the process, and quits with 130 there", async () => {
    const clock = new ManualClock();
    const sim = await startSim({ latencyMs: 1_000, clock });
    const dir = simProject(2);
    const before = { int: process.listenerCount("SIGINT"), term: process.listenerCount("SIGTERM") };
    const p = startCli(["apply", ...FAST], { cwd: dir, env: simEnv(sim), input: "" });
    await p.waitFor(/submitted +clip-02/, { stream: "stderr" });
    expect({ int: process.listenerCount("SIGINT"), term: process.listenerCount("SIGTERM") }).toEqual(before);
    p.signal("SIGINT");
    await p.waitFor(/interrupted: submitting nothing more/, { stream: "stderr" });
    p.signal("SIGINT");
    const r = await p.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Quitting now\. Every task sent is recorded in the lockfile/);
    clock.advance(1_000); // the generations end; the command, quit, sends nothing more
    expect(sim.stats().videoInference).toBe(2);
  });

  it("watch ends at its host's SIGTERM with exit 0", async () => {
    const dir = simProject(1);
    const p = startCli(["watch", "--debounce", "30"], { cwd: dir, input: "" });
    await p.waitFor(/update #1 in \d+ ms/);
    p.signal("SIGTERM");
    expect((await p.done).code).toBe(0);
  });
});
