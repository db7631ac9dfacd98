import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ClipformError } from "../../src/errors.js";
import { findFfmpeg, runFfmpeg } from "../../src/media/ffmpeg.js";

describe("ffmpeg", () => {
  it("finds the build the npm package ships, with no PATH at all", () => {
    const f = findFfmpeg({ PATH: "" });
    expect(f?.source).toBe("@ffmpeg-installer/ffmpeg");
    expect(f?.path).toMatch(/@ffmpeg-installer/);
  });

  it("prefers CLIPFORM_FFMPEG, and refuses one that is not executable", () => {
    const dir = mkdtempSync(join(tmpdir(), "cf-ff-"));
    const fake = join(dir, "my-ffmpeg");
    writeFileSync(fake, "#!/bin/sh\nexit 0\n");
    expect(findFfmpeg({ CLIPFORM_FFMPEG: fake })).toBeUndefined();
    chmodSync(fake, 0o755);
    expect(findFfmpeg({ CLIPFORM_FFMPEG: fake })).toEqual({ path: fake, source: "CLIPFORM_FFMPEG" });
  });

  it("runs it, and reports a failure as a MEDIA error with ffmpeg's own words", async () => {
    const { stdout } = await runFfmpeg("a test", ["-f", "lavfi", "-i", "color=c=red:s=4x2:d=0.04", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
    expect(stdout[0]).toBeGreaterThan(240); // red
    expect(stdout[1]).toBeLessThan(16);
    expect(stdout[2]).toBeLessThan(16);
    expect(stdout.length).toBe(4 * 2 * 3);
    const err = await runFfmpeg("reading nothing", ["-i", "/nonexistent/clip.mp4", "-f", "null", "-"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClipformError);
    expect((err as ClipformError).code).toBe("MEDIA");
    expect((err as Error).message).toMatch(/^reading nothing: ffmpeg exited with 1: .*No such file/);
  });
});
