import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/sim/index.js";
import { ASPECT_SIZES, sampleFileName, VIDEO_VARIETY, type Aspect } from "../../src/sim/videos.js";
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
    expect(bytes.length).toBeGreaterThan(500);
    expect(check(bytes)).toBe(true);
  });

  it("serves videos that differ per result and follow the requested aspect", async () => {
    const sim = await startSim();
    const download = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());
    const wide = await generate(sim, videoTask({ numberResults: 4 }));
    const seeds = wide.data.map((d) => d.seed!);
    const files = await Promise.all(wide.data.map((d) => download(d.videoURL!)));
    // Each variant is the committed clip its seed chooses; distinct seeds mod 12 give distinct videos.
    for (const [i, bytes] of files.entries()) {
      expect(bytes).toEqual(readFileSync(new URL(`../../assets/video/${sampleFileName({ format: "MP4", seed: seeds[i]!, aspect: "landscape" })}`, import.meta.url)));
    }
    expect(new Set(files.map((b) => b.toString("base64"))).size).toBe(new Set(seeds.map((s) => s % 12)).size);

    for (const [width, height, aspect] of [[720, 1280, "portrait"], [720, 720, "square"]] as const) {
      const done = await generate(sim, videoTask({ width, height, outputFormat: "WEBM" }));
      const expected = sampleFileName({ format: "WEBM", seed: done.data[0]!.seed!, aspect });
      expect(expected.startsWith(`${aspect}-`)).toBe(true);
      expect(await download(done.data[0]!.videoURL!)).toEqual(readFileSync(new URL(`../../assets/video/${expected}`, import.meta.url)));
    }
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

const CHROMIUM = "/usr/bin/chromium";

describe("the committed clips in Chromium", () => {
  it("every clip plays and has its aspect's size", async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: this test plays the simulator's clips in Debian's chromium (npm test installs it when run as root)`);
    const dir = fileURLToPath(new URL("../../assets/video/", import.meta.url));
    const clips = readdirSync(dir).filter((f) => /^[a-z]+-\d\d\.[a-z0-9]+$/.test(f));
    expect(clips).toHaveLength(VIDEO_VARIETY * 3 * 3);
    const page = join(mkdtempSync(join(tmpdir(), "clipform-clips-")), "play.html");
    writeFileSync(page, `<!doctype html><body>${clips.map((f) => `<video muted data-file="${f}" src="${pathToFileURL(join(dir, f)).href}"></video>`).join("")}</body>`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"] });
    try {
      const tab = await browser.newPage();
      await tab.goto(pathToFileURL(page).href);
      // Each clip must decode and advance: its first timeupdate past 0 (or its end) settles it.
      const played = await tab.evaluate(() =>
        Promise.all(
          Array.from(document.querySelectorAll("video"), (v) =>
            new Promise<[string, number, number, boolean]>((done) => {
              const settle = () => done([v.dataset.file!, v.videoWidth, v.videoHeight, v.currentTime > 0]);
              v.addEventListener("error", settle);
              v.addEventListener("ended", settle);
              v.addEventListener("timeupdate", () => v.currentTime > 0 && settle());
              void v.play().catch(settle);
            }),
          ),
        ),
      );
      for (const [file, width, height, advanced] of played) {
        const size = ASPECT_SIZES[file.split("-")[0] as Aspect];
        expect({ file, width, height, advanced }).toEqual({ file, ...size, advanced: true });
      }
    } finally {
      await browser.close();
    }
  });

  it("keeps the committed set small", () => {
    const dir = fileURLToPath(new URL("../../assets/video/", import.meta.url));
    const total = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(total).toBeLessThan(400_000);
  });
});
