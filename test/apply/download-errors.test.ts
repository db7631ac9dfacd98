/**
 * A download that cannot be saved where it belongs fails that download only: told as an event,
 * the paid result kept in the lockfile, the run going on. A bug in a download is not swallowed:
 * it reaches the caller (the CLI's one boundary), never an unhandled rejection.
 */
import { mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { desired, lockWith } from "../helpers/plan-data.js";
import { rig, type Rig } from "./fake-api.js";

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});

describe("download errors", () => {
  it("a link planted on the way to an output fails that download, keeps the paid result and lets the others finish", async () => {
    const clips = [desired("harbor/wide", { positivePrompt: "A harbor at dawn" }), desired("lighthouse", { positivePrompt: "A lighthouse" })];
    let planted = false;
    const r = rig(clips, lockWith({}), {
      onEvent: (e) => {
        if (e.type !== "submitted" || planted) return;
        // After apply's checks of the output folder: out/harbor becomes a link to a folder elsewhere.
        planted = true;
        mkdirSync(join(r.dir, "elsewhere"));
        mkdirSync(join(r.dir, "out"), { recursive: true });
        symlinkSync(join(r.dir, "elsewhere"), join(r.dir, "out", "harbor"));
      },
    });
    rigs.push(r);
    const s = await r.engine.run();
    expect(s).toMatchObject({ succeeded: 2, downloaded: 1, downloadFailed: 1 });
    const failed = r.events.filter((e) => e.type === "download-failed");
    expect(failed).toEqual([expect.objectContaining({ address: "harbor/wide", message: expect.stringContaining("symbolic link") })]);
    expect(readdirSync(join(r.dir, "elsewhere"))).toEqual([]);
    const lock = r.onDisk();
    expect(lock.clips["harbor/wide"]!.results).toHaveLength(1);
    expect(lock.clips["harbor/wide"]!.results[0]!.file).toBeUndefined();
    expect(lock.clips.lighthouse!.results[0]!.file).toBe("out/lighthouse.v1.mp4");
  });

  it("a bug in a download reaches the caller once every download has settled", async () => {
    const r = rig([desired("a", { positivePrompt: "One" }), desired("b", { positivePrompt: "Two" })], lockWith({}));
    rigs.push(r);
    r.api.download = () => Promise.reject(new TypeError("x is not a function"));
    await expect(r.engine.run()).rejects.toThrow(TypeError);
    // Both takes are paid and recorded, whatever the downloads did.
    expect(Object.values(r.onDisk().clips).map((e) => e.results.length)).toEqual([1, 1]);
  });
});
