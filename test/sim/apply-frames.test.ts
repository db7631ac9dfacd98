/** The whole loop as a user runs it: a clip with a frame image file, applied on the embedded simulator, starts on that picture. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, project } from "../helpers/cli.js";
import { encodePng } from "../../src/media/png.js";
import { decodeFrames, expectColour, rgbOf } from "./frames-support.js";

const ORANGE = "ff8000";

describe("apply --sim with a frame image", async () => {
  it("downloads a video whose first frame is the clip's frame image", async () => {
    const dir = project({
      "specs/clips.yaml": `version: 1\nclips:\n  opening:\n    model: klingai:3@1\n    positivePrompt: A lighthouse at dusk\n    width: 1280\n    height: 720\n    duration: 5\n    inputs:\n      frameImages: [./first.png]\n`,
      // Written by clipform's own PNG encoder, as the frames a chained clip uploads are.
      "specs/first.png": encodePng(Buffer.alloc(640 * 360 * 3).fill(Buffer.from(ORANGE, "hex")), 640, 360),
    });
    const run = await cli(["apply", "--sim", "--auto-approve", "--poll-interval", "20"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);

    const simDir = join(dir, ".clipform", "sim");
    const lock = JSON.parse(readFileSync(join(simDir, "clipform.lock.json"), "utf8")) as { clips: Record<string, { results: { file: string }[] }> };
    // Recorded paths are relative to the project root.
    const video = await decodeFrames(join(dir, lock.clips.opening!.results[0]!.file));
    expect({ width: video.width, height: video.height }).toEqual({ width: 160, height: 90 });
    expectColour(video.frames[0]!, rgbOf(ORANGE));
    expect(video.frames.at(-1)).not.toEqual(video.frames[0]);
  });
});
