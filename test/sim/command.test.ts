import { afterEach, describe, expect, it } from "vitest";
import { runSimCommand, startSimulator, type Simulator } from "../../src/sim/index.js";
import { call, closeSimulators, generate, getStats, startSim, videoTask } from "./support.js";

const started: Simulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sim) => sim.close()));
  await closeSimulators();
});

describe("runSimCommand", () => {
  it("prints `listening on URL` first, then the fault settings", async () => {
    const lines: string[] = [];
    const sim = await runSimCommand({ failRate: 0.1, resetRate: 0.05, seed: 42, latencyMs: 10 }, (line) => lines.push(line));
    started.push(sim);

    expect(lines[0]).toBe(`listening on http://127.0.0.1:${sim.port}`);
    expect(lines[1]).toBe("faults: fail-rate 0.1, rate-limit-rate 0, error-rate 0, reset-rate 0.05 (seed 42, latency 10 ms)");
    expect(lines).toHaveLength(2);
    expect(sim.apiUrl).toBe(`${sim.url}/v1`);
    expect((await fetch(`${sim.url}/__sim/stats`)).status).toBe(200);
  });

  it("listens on the requested port", async () => {
    const probe = await startSim();
    const port = probe.port;
    await closeSimulators();
    const sim = await startSimulator({ port });
    started.push(sim);
    expect(sim.url).toBe(`http://127.0.0.1:${port}`);
    expect(await getStats(sim)).toMatchObject({ requests: 0 });
  });

  it.each([
    [{ failRate: 1.5 }, /failRate must be a number from 0 to 1/],
    [{ errorRate: -0.1 }, /errorRate must be a number from 0 to 1/],
    [{ rateLimitRate: 0.5, resetRate: 0.6 }, /must not exceed 1/],
    [{ latencyMs: -1 }, /latencyMs/],
    [{ port: 70_000 }, /port/],
    [{ seed: 1.5 }, /seed must be an integer/],
    [{ dialects: ["one-by-one", "klingon"] }, /unknown dialect "klingon"; known: unknown-status, nulls/],
  ])("rejects nonsense settings: %j", async (opts, message) => {
    await expect(runSimCommand(opts, () => {})).rejects.toThrow(message);
  });

  it("names its dialects in the settings line", async () => {
    const lines: string[] = [];
    started.push(await runSimCommand({ dialects: ["one-by-one", "redirect"], latencyMs: 10 }, (line) => lines.push(line)));
    expect(lines[1]).toMatch(/; dialect one-by-one, redirect$/);
  });

  it("says once, on its warning channel, when videos cannot show their frame images", async () => {
    const lines: string[] = [];
    const warnings: string[] = [];
    const sim = await runSimCommand({ latencyMs: 1 }, (line) => lines.push(line), undefined, (line) => warnings.push(line));
    started.push(sim);
    const notAPicture = Buffer.from("no decoder can read these bytes as a picture, in any format").toString("base64");
    const upload = await call(sim, [{ taskType: "imageUpload", taskUUID: crypto.randomUUID(), image: notAPicture }]);
    const imageUUID = upload.data[0]!.imageUUID!;
    for (const outputFormat of ["MP4", "WEBM"]) {
      const done = await generate(sim, videoTask({ outputFormat, inputs: { frameImages: [{ image: imageUUID }] } }));
      expect((await fetch(done.data[0]!.videoURL!)).status).toBe(200);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^simulator: a video that should show its frame images is a committed clip instead: simulated video: ffmpeg exited/);
    expect(lines).toHaveLength(2);
    expect(await getStats(sim)).toMatchObject({ composeFallbacks: 2, composedVideos: 0 });
  });

  it("stops serving once closed", async () => {
    const sim = await startSimulator();
    await sim.close();
    await expect(fetch(`${sim.url}/__sim/stats`)).rejects.toThrow();
  });
});
