import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/sim/index.js";
import { allExamples } from "../helpers/model-pages.js";
import { closeSimulators, generate, startSim } from "./support.js";

const examples = allExamples();
/** What the simulator adds to the pages' example responses (the API reference documents both). */
const ADDED_KEYS = ["status", "NSFWContent"];

describe("model page examples", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(closeSimulators);

  it("covers the examples of all five models", () => {
    expect(new Set(examples.map((e) => e.modelId))).toEqual(new Set(["klingai:1@1", "klingai:1@2", "klingai:2@1", "klingai:3@1", "klingai:5@1"]));
  });

  it.each(examples.map((e) => [`${e.page} "${e.title}"`, e] as const))("%s: accepted, then succeeds like the page says", async (_, example) => {
    const taskUUID = String(example.request.taskUUID);
    const done = await generate(sim, { ...example.request, taskUUID, includeCost: true, deliveryMethod: "async" });

    expect(done.status).toBe(200);
    expect(done.errors).toEqual([]);
    expect(done.data).toHaveLength(1);
    const item = done.data[0]!;
    expect(Object.keys(item).sort()).toEqual([...Object.keys(example.response), ...ADDED_KEYS].sort());
    expect(item).toMatchObject({ taskType: "videoInference", taskUUID, status: "success", cost: example.response.cost });
    expect(item.videoURL).toBe(`${sim.url}/videos/${item.videoUUID}.mp4`);
    expect(Number.isInteger(item.seed) && item.seed! >= 1).toBe(true);
  });
});
