/**
 * Small hostile inputs: a truncated JPEG fails validation, and costs in a hand-edited lockfile
 * that are negative, infinite (JSON 1e400) or absurd never become a learned price, a spent
 * figure or an estimate ("Spent $Infinity" and "-$300.00" are never printed).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/sim/index.js";
import { costProblem, MAX_COST_PER_GENERATION_USD, saneCost } from "../../src/util/money-guard.js";
import { errorsOf, loadOne, posOf } from "../helpers/manifest-fixtures.js";
import { apply, cleanupAfterAll, run, simEnv, simProject, startSim } from "../helpers/apply-sim.js";

cleanupAfterAll();

const withImage = (ref: string) =>
  `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: The harbor wakes up\n    inputs:\n      frameImages:\n        - image: ${ref}\n          frame: first\n`;

describe("truncated images", () => {
  it("a 5-byte JPEG fails validation at its reference", () => {
    const yaml = withImage("./cut.jpg");
    const [error] = errorsOf(loadOne(yaml, { "specs/cut.jpg": Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]) }));
    expect(error?.message).toBe("image ./cut.jpg is a truncated or damaged JPEG: its pixel size cannot be read");
    expect({ line: error!.line, col: error!.col }).toEqual(posOf(yaml, "./cut.jpg"));
  });

  it("a JPEG cut after its header (no end marker) fails validation", () => {
    const sof = Buffer.alloc(19);
    sof.set([0xff, 0xc0, 0x00, 0x11, 0x08]);
    sof.writeUInt16BE(720, 5);
    sof.writeUInt16BE(1280, 7);
    const [error] = errorsOf(loadOne(withImage("./cut.jpg"), { "specs/cut.jpg": Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.alloc(64, 0x55)]) }));
    expect(error?.message).toBe("image ./cut.jpg is a truncated JPEG: it stops before its end marker");
  });
});

describe("money guard", () => {
  it.each([
    [-100, "negative"],
    [Infinity, "not-finite"],
    [Number.NaN, "not-a-number"],
    ["0.3", "not-a-number"],
    [MAX_COST_PER_GENERATION_USD + 0.01, "absurd"],
  ])("%s is not a believable cost (%s)", (value, problem) => {
    expect(costProblem(value)).toBe(problem);
    expect(saneCost(value)).toBeUndefined();
  });

  it("real costs pass, a multi-video charge within its ceiling too", () => {
    expect(saneCost(0)).toBe(0);
    expect(saneCost(0.1848)).toBe(0.1848);
    expect(saneCost(120, 4)).toBe(120);
  });
});

describe("a lockfile with hostile costs", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSim();
  });

  it.each([
    ["-100", /-\$/],
    ["-300", /-\$300\.00/],
    ["1e400", /\$Infinity|\$NaN/],
    ["123456", /\$123,?456/],
  ])("costUsd %s is ignored by plan, status and report", async (cost, forbidden) => {
    const dir = simProject(2);
    expect((await apply(dir, sim)).code).toBe(0);
    const lockPath = join(dir, "clipform.lock.json");
    // The number is written into the JSON text as is: JSON.parse turns 1e400 into Infinity.
    writeFileSync(lockPath, readFileSync(lockPath, "utf8").replace(/"costUsd": [0-9.]+/, `"costUsd": ${cost}`));
    // A third clip, so the plan has something to estimate from the learned price.
    const specs = join(dir, "specs", "clips.yaml");
    writeFileSync(specs, readFileSync(specs, "utf8") + '  clip-03:\n    positivePrompt: "A third shot of the pier"\n');
    const env = simEnv(sim);
    const outputs = [];
    for (const args of [["plan"], ["plan", "--json"], ["plan", "--markdown"], ["status"], ["report"]]) {
      const r = await run(args, { cwd: dir, env });
      expect(r.stderr).not.toMatch(/internal error|    at /);
      outputs.push(`${args.join(" ")}:\n${r.stdout}${r.stderr}`);
    }
    outputs.push(readFileSync(join(dir, "clipform-report.html"), "utf8"));
    const all = outputs.join("\n");
    expect(all).not.toMatch(forbidden);
    const plan = JSON.parse(outputs[1]!.replace(/^plan --json:\n/, "")) as { summary: { estimated_cost_usd: number } };
    expect(plan.summary.estimated_cost_usd).toBeGreaterThan(0);
    expect(plan.summary.estimated_cost_usd).toBeLessThan(1);
  });
});
