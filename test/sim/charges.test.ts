/**
 * The simulator's bill: every finished generation is charged once, at its true price, whatever
 * its answers report (nothing, a hostile value, ten times the price), so tests can compare
 * clipform's lifetime spend with what was really charged.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { call, closeSimulators, generate, getStats, startSim, videoTask } from "./support.js";

afterEach(closeSimulators);

const KLING_5S = 0.1848; // klingai:3@1, 5 s, per result

describe("the simulator's bill (/__sim/stats chargedUsd)", () => {
  it("charges each finished generation once, per result, in total, per model and per task", async () => {
    const sim = await startSim();
    const a = videoTask({ numberResults: 2 });
    const b = videoTask({ duration: 10 });
    await generate(sim, a);
    await generate(sim, b);
    // Polling a finished task again charges nothing more.
    await generate(sim, { ...a, taskUUID: randomUUID() }).then(() => call(sim, [{ taskType: "getResponse", taskUUID: a.taskUUID }]));
    const stats = await getStats(sim);
    expect(stats.chargedByTask).toMatchObject({ [a.taskUUID]: 2 * KLING_5S, [b.taskUUID]: 0.3696 });
    expect(stats.chargedUsd).toBeCloseTo(4 * KLING_5S + 0.3696, 6);
    expect(stats.chargedByModel).toEqual({ "klingai:3@1": stats.chargedUsd });
    expect(sim.stats().chargedUsd).toBe(stats.chargedUsd);
  });

  it("charges a task that did not ask for its cost, and nothing for a dry run or a refused request", async () => {
    const sim = await startSim();
    const quiet = videoTask({ includeCost: false });
    const done = await generate(sim, quiet);
    expect(done.data[0]!.cost).toBeUndefined();
    const dry = await fetch(`${sim.url}/v1`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer sim-test-key", "X-Runware-Dry-Run": "1" },
      body: JSON.stringify([videoTask()]),
    });
    expect(dry.status).toBe(200);
    const refused = await call(sim, [videoTask({ duration: 7 })]);
    expect(refused.status).toBe(400);
    const stats = await getStats(sim);
    expect(stats.dryRuns).toBe(1);
    expect(stats.chargedByTask).toEqual({ [quiet.taskUUID]: KLING_5S });
    expect(stats.chargedUsd).toBe(KLING_5S);
  });

  it("bills ten times the price under overcharge, as its answers report", async () => {
    const sim = await startSim({ dialects: ["overcharge"] });
    const done = await generate(sim, videoTask());
    expect(done.data[0]!.cost).toBeCloseTo(10 * KLING_5S, 6);
    expect((await getStats(sim)).chargedUsd).toBeCloseTo(10 * KLING_5S, 6);
  });

  it("bills the true price when its answers report a hostile cost", async () => {
    const sim = await startSim({ dialects: ["bad-cost"] });
    await generate(sim, videoTask());
    expect((await getStats(sim)).chargedUsd).toBe(KLING_5S);
  });

  it("charges nothing for a failed generation", async () => {
    const sim = await startSim({ failRate: 1 });
    const task = videoTask();
    await generate(sim, task);
    const stats = await getStats(sim);
    expect(stats.failedGenerations).toBe(1);
    expect(stats.chargedUsd).toBe(0);
    expect(stats.chargedByTask).toEqual({});
  });

  it("bills keyframe images when they are made, and counts results it has no price for", async () => {
    const sim = await startSim();
    const image = (model: string) => ({
      taskType: "imageInference", taskUUID: randomUUID(), deliveryMethod: "async", includeCost: true, outputType: "URL",
      model, positivePrompt: "A snowy station at dusk", width: 1280, height: 720, outputFormat: "PNG", numberResults: 2,
    });
    const priced = image("runware:107@1");
    expect((await call(sim, [priced])).status).toBe(200);
    expect((await call(sim, [image("runware:100@1")])).status).toBe(200);
    const stats = await getStats(sim);
    // 0.0098 documented at 1024x1024, scaled to 1280x720, per image
    expect(stats.chargedByTask).toEqual({ [priced.taskUUID]: 2 * 0.008613 });
    expect(stats.chargedByModel).toEqual({ "runware:107@1": 2 * 0.008613 });
    expect(stats.unpricedResults).toBe(2);
  });
});
