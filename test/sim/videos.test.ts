import { afterEach, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/sim/index.js";
import { call, closeSimulators, generate, getStats, startSim, videoTask } from "./support.js";

afterEach(closeSimulators);

/** Container signatures: ISO BMFF's "ftyp" box at offset 4 (MP4, MOV); EBML magic (WebM). */
const FORMATS = [
  { outputFormat: "MP4", contentType: "video/mp4", check: (b: Buffer) => b.subarray(4, 8).toString("latin1") === "ftyp" },
  { outputFormat: "MOV", contentType: "video/quicktime", check: (b: Buffer) => b.subarray(4, 12).toString("latin1") === "ftypqt  " },
  { outputFormat: "WEBM", contentType: "video/webm", check: (b: Buffer) => b.readUInt32BE(0) === 0x1a45dfa3 },
];

async function videoURLOf(sim: Simulator, outputFormat = "MP4"): Promise<string> {
  const done = await generate(sim, videoTask({ outputFormat }));
  return done.data[0]!.videoURL!;
}

describe("video downloads", () => {
  it.each(FORMATS)("serves a real $outputFormat file with its Content-Type and Content-Length", async ({ outputFormat, contentType, check }) => {
    const sim = await startSim();
    const res = await fetch(await videoURLOf(sim, outputFormat));
    const bytes = Buffer.from(await res.arrayBuffer());

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(contentType);
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
    expect(bytes.length).toBeGreaterThan(1000);
    expect(check(bytes)).toBe(true);
  });

  it("serves byte ranges so a download can resume", async () => {
    const sim = await startSim();
    const url = await videoURLOf(sim);
    const full = Buffer.from(await (await fetch(url)).arrayBuffer());
    const size = full.length;
    const ranged = async (range: string) => {
      const res = await fetch(url, { headers: { Range: range } });
      return { res, bytes: Buffer.from(await res.arrayBuffer()) };
    };

    const head = await ranged("bytes=0-99");
    expect(head.res.status).toBe(206);
    expect(head.res.headers.get("content-range")).toBe(`bytes 0-99/${size}`);
    expect(head.bytes).toEqual(full.subarray(0, 100));

    const rest = await ranged("bytes=100-");
    expect(rest.res.status).toBe(206);
    expect(rest.res.headers.get("content-range")).toBe(`bytes 100-${size - 1}/${size}`);
    expect(Buffer.concat([head.bytes, rest.bytes])).toEqual(full);

    const tail = await ranged("bytes=-10");
    expect(tail.bytes).toEqual(full.subarray(size - 10));

    const beyond = await ranged(`bytes=${size}-`);
    expect(beyond.res.status).toBe(416);
    expect(beyond.res.headers.get("content-range")).toBe(`bytes */${size}`);

    const several = await ranged("bytes=0-1,5-9");
    expect(several.res.status).toBe(200);
    expect(several.bytes).toEqual(full);
  });

  it("answers HEAD with the headers only", async () => {
    const sim = await startSim();
    const res = await fetch(await videoURLOf(sim), { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("content-length"))).toBeGreaterThan(1000);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it("answers 404 for an unknown video, a wrong extension and another simulator's video", async () => {
    const sim = await startSim();
    const other = await startSim();
    const url = await videoURLOf(sim);

    expect((await fetch(`${sim.url}/videos/${crypto.randomUUID()}.mp4`)).status).toBe(404);
    expect((await fetch(url.replace(/\.mp4$/, ".webm"))).status).toBe(404);
    expect((await fetch(url.replace(sim.url, other.url))).status).toBe(404);
    expect((await getStats(sim)).videoDownloads).toBe(0);
  });

  it("injects faults into API requests only, never into stats or downloads", async () => {
    const sim = await startSim({ resetRate: 1 });
    expect((await fetch(`${sim.url}/__sim/stats`)).status).toBe(200);
    expect((await fetch(`${sim.url}/videos/${crypto.randomUUID()}.mp4`)).status).toBe(404);
    expect((await getStats(sim)).resets).toBe(0);

    await expect(call(sim, [videoTask()])).rejects.toThrow();
    expect((await getStats(sim)).resets).toBe(1);
  });
});
