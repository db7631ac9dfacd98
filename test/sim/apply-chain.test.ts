/**
 * The contract's chain on the embedded simulator, as a user runs it: platform's video visibly
 * starts on arrival's last frame, which is what the simulator's composed videos are for.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, project } from "../helpers/cli.js";
import { STORY } from "../helpers/story.js";
import { blockMeans, decodeFrames, expectColour } from "./frames-support.js";

describe("apply --sim of a chain", () => {
  it("makes platform's first frame arrival's last frame, and its other frames something else", { timeout: 60_000 }, async () => {
    const dir = project({ "specs/story.yaml": STORY });
    const run = await cli(["apply", "--sim", "--auto-approve", "--poll-interval", "20"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);

    const lock = JSON.parse(readFileSync(join(dir, ".clipform", "sim", "clipform.lock.json"), "utf8")) as { clips: Record<string, { results: { file: string }[] }> };
    // Recorded paths are relative to the project root.
    const arrival = await decodeFrames(join(dir, lock.clips.arrival!.results[0]!.file));
    const platform = await decodeFrames(join(dir, lock.clips.platform!.results[0]!.file));
    expect({ width: platform.width, height: platform.height }).toEqual({ width: arrival.width, height: arrival.height });

    const grid = (v: typeof arrival, i: number) => blockMeans(v.pixels.at(i)!, v.width, v.height);
    const joint = grid(arrival, -1);
    grid(platform, 0).forEach((block, i) => expectColour(block, joint[i]!));
    // The rest of platform is its own: its last frame is not arrival's picture.
    const differs = grid(platform, -1).some((block, i) => block.some((v, c) => Math.abs(v - joint[i]![c]!) > 40));
    expect(differs).toBe(true);
  });
});
