/** A keyframe's takes are images: pick and prune count and name them so, a clip's stay videos. */
import { describe, expect, it } from "vitest";
import { pickTake, takesOf } from "../../src/lockfile/pick.js";
import { planPrune } from "../../src/lockfile/prune.js";
import { pickedMessage } from "../../src/lockfile/record-pick.js";
import type { Lockfile } from "../../src/lockfile/schema.js";
import { desired, entryFor, gen, lockWith } from "../helpers/plan-data.js";

const key = { ...desired("station-key"), kind: "image" as const, generation: { ...gen({ model: "runware:101@1" }), taskType: "imageInference" as const, duration: undefined } };
const image = () => entryFor(key, 2);

describe("takes of a keyframe image", () => {
  it("are images in pick's list and its message", () => {
    const lock = lockWith({ "station-key": image(), arrival: entryFor(desired("arrival")) });
    const [take] = takesOf(lock, "station-key");
    expect(take).toMatchObject({ index: 1, kind: "image", picked: true });
    expect(pickedMessage("station-key", take!, "clipform.lock.json")).toMatch(/^station-key now uses take 1 \([0-9a-f]{8}, 2 images\)\./);
    expect(pickedMessage("arrival", takesOf(lock, "arrival")[0]!, "clipform.lock.json")).toContain(", 1 video).");
  });

  it("a take with no image to pick says so", () => {
    const entry = { ...image(), results: [] };
    entry.tasks = [{ ...entry.tasks[0]!, status: "failed" as const }];
    expect(() => pickTake(lockWith({ "station-key": entry }), "station-key", "1")).toThrow(/take 1 of station-key has no images \(failed\): nothing to pick/);
  });

  it("prune says which kind it drops", () => {
    const e = image();
    const lock: Lockfile = { ...lockWith({}), takes: { [e.fingerprint]: { address: "station-key", manifest: e.manifest, model: e.model, request: e.request, tasks: e.tasks, results: e.results } } };
    expect(planPrune(lock, { now: new Date("2026-01-01T00:00:00Z") }).dropped.map((d) => [d.address, d.kind, d.results])).toEqual([["station-key", "image", 2]]);
  });
});
