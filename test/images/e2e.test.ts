/** The binary as a user runs it: a manifest with one clip and one keyframe image, applied on the simulator. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sniffImage } from "../../src/manifest/images.js";
import { cli, project } from "../helpers/cli.js";

const MANIFEST = `version: 1
clips:
  arrival:
    model: klingai:3@1
    positivePrompt: A train pulls into a snowy mountain station at dusk.
images:
  station-key:
    model: runware:101@1
    positivePrompt: A snowy mountain station at dusk, cinematic still.
    width: 1280
    height: 720
`;

describe("clipform apply --sim with an image", () => {
  it("plans the image with its price, applies it once, records it like a clip, writes the PNG; the next plan has no changes", async () => {
    const dir = project({ "clipform.yaml": "version: 1\n", "specs/trailer.yaml": MANIFEST });
    const planned = await cli(["plan", "--json"], { cwd: dir });
    expect(planned.code).toBe(0);
    const json = JSON.parse(planned.stdout) as { changes: { address: string; kind: string; action: string; estimated_cost_usd: number; price_source: string }[] };
    expect(json.changes.map((c) => [c.address, c.kind, c.action, c.price_source])).toEqual([
      ["arrival", "video", "create", "observed"],
      ["station-key", "image", "create", "derived"],
    ]);

    const applied = await cli(["apply", "--sim", "--auto-approve"], { cwd: dir });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/station-key\s+create\s+runware:101@1 image 1280x720 ×1 \$0.0011 \(derived\)/);
    expect(applied.stdout + applied.stderr).toMatch(/Apply complete: 2 succeeded, 0 failed, 2 downloaded/);

    const lock = JSON.parse(readFileSync(join(dir, ".clipform/sim/clipform.lock.json"), "utf8"));
    const entry = lock.clips["station-key"];
    expect(entry.request).toMatchObject({ taskType: "imageInference", width: 1280, height: 720, outputFormat: "PNG" });
    expect(entry.tasks).toEqual([expect.objectContaining({ status: "succeeded" })]);
    expect(entry.results).toHaveLength(1);
    const [r] = entry.results;
    expect(r.costUsd).toBeGreaterThan(0);
    expect(r.file).toBe(".clipform/sim/clipform-out/station-key.v1.png");
    expect(sniffImage(readFileSync(join(dir, r.file)))).toEqual({ format: "png", width: 1280, height: 720 });

    const again = await cli(["plan", "--sim", "--detailed-exitcode"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/No changes/);

    // pick counts and names an image's takes as images, a clip's as videos.
    const listed = await cli(["pick", "station-key", "--sim"], { cwd: dir });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^\* 1  [0-9a-f]{8}  succeeded .*  1 image  \$0\.\d+$/m);
    expect(listed.stdout).not.toContain("video");
    const picked = await cli(["pick", "station-key", "1", "--sim"], { cwd: dir });
    expect(picked.stdout).toMatch(/^station-key now uses take 1 \([0-9a-f]{8}, 1 image\)\./);
    expect((await cli(["pick", "arrival", "--sim"], { cwd: dir })).stdout).toMatch(/  1 video  /);

    // The report shows the keyframe as a picture, the clip as a video.
    expect((await cli(["report", "--sim"], { cwd: dir })).code).toBe(0);
    const html = readFileSync(join(dir, "clipform-report.html"), "utf8");
    expect(html).toMatch(/<img src="[^"]*station-key\.v1\.png"/);
    expect(html).toMatch(/<video src="[^"]*arrival\.v1\.mp4"/);
  });
});
