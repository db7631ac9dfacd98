/**
 * The case as found: a chained shot made from the last frame of a "video" that was an HLS
 * playlist naming a video outside the project. The 2018 ffmpeg followed it, and clipform
 * uploaded that frame to the server. Now the download is said to be no video, no frame is
 * taken from it, nothing is uploaded, and the chained clip is not sent.
 */
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanupAfterAll } from "../helpers/apply-sim.js";
import { project } from "../helpers/cli.js";
import { STORY } from "../helpers/story.js";
import { cli, startHostileApi, type HostileApi } from "./inproc.js";

cleanupAfterAll();
let api: HostileApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe("a server that sends an HLS playlist as a video", () => {
  it("no frame is taken from what it names, nothing is uploaded, the chained clip is not sent", async () => {
    const outside = mkdtempSync(join(tmpdir(), "clipform-outside-"));
    copyFileSync(new URL("../../assets/video/landscape-00.mp4", import.meta.url).pathname, join(outside, "private.mp4"));
    const hls = `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${join(outside, "private.mp4")}\n#EXT-X-ENDLIST\n`;
    api = await startHostileApi({ video: Buffer.from(hls) });
    const dir = project({ "specs/story.yaml": STORY });
    const r = await cli(["apply", "--auto-approve", "--poll-interval", "10"], dir, api.env);
    expect(r.stderr).toMatch(/note +arrival: clipform-out\/arrival\.v1\.mp4 is not a video or picture \(it starts with "#EXTM3U/);
    expect(r.stderr).toMatch(/skipped +platform: .*arrival\.v1\.mp4 is not an MP4\/MOV or WebM\/Matroska video/);
    expect(api.taskTypes.filter((t) => t === "imageUpload")).toEqual([]);
    expect(api.submits.length).toBe(1);
    expect(r.code).toBe(1);
  });
});
