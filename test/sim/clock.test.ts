/** The simulator on a clock of the test's own: a generation is done exactly when its time has passed. */
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../helpers/clock.js";
import { call, closeSimulators, pollTask, startSim, videoTask } from "./support.js";

afterEach(closeSimulators);

describe("simulator clock", () => {
  it("keeps a generation processing until the clock has moved by its latency, with progress on the way", async () => {
    const clock = new ManualClock();
    const sim = await startSim({ latencyMs: 1_000, clock });
    const task = videoTask();
    expect((await call(sim, [task])).status).toBe(200);
    const poll = async () => (await call(sim, [pollTask(task.taskUUID)])).data[0]!;
    expect(await poll()).toMatchObject({ status: "processing", progress: 0 });
    clock.advance(400);
    expect(await poll()).toMatchObject({ status: "processing", progress: 40 });
    clock.advance(599);
    expect((await poll()).status).toBe("processing");
    clock.advance(1);
    expect((await poll()).status).toBe("success");
  });
});
