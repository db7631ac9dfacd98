/**
 * Shots that feed shots, end to end against the simulator: platform is submitted only after
 * arrival succeeded, with arrival's last frame uploaded as its first; an edit upstream replaces
 * both, an edit downstream only the downstream clip; and kill -9 mid-chain never pays twice.
 */
import { createServer, request as httpRequest, type Server, type ServerResponse } from "node:http";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractFrame } from "../../src/media/frames.js";
import { runFfmpeg } from "../../src/media/ffmpeg.js";
import type { Simulator } from "../../src/sim/index.js";
import { actionsOf, API_KEY, apply, cleanupAfterAll, collect, FAST, planJson, readLock, run, spawnCli, startSim } from "../helpers/apply-sim.js";
import { project } from "../helpers/cli.js";
import { OPENING, STATION_KEY, STORY, TRAILER } from "../helpers/story.js";

cleanupAfterAll();

interface Seen {
  taskType: string;
  body: Record<string, unknown>;
}

/** One exchange through the proxy: the tasks sent and the API's parsed answer. */
interface Exchange {
  tasks: Record<string, unknown>[];
  reply: unknown;
}

/**
 * A loopback proxy in front of the simulator that keeps every task it forwards, in order. With
 * `holdAt(moment)`, the first answer that matches `moment` is not passed back: the caller stays
 * waiting on it, at exactly that point of its work, until `release()`.
 */
async function recordingProxy(sim: Simulator) {
  const seen: Seen[] = [];
  const target = new URL(sim.apiUrl);
  let moment: ((x: Exchange) => boolean) | undefined;
  let reached: (() => void) | undefined;
  const held: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const json = parsed(body);
      const tasks = (json === undefined ? [] : Array.isArray(json) ? json : [json]) as Record<string, unknown>[];
      for (const t of tasks) seen.push({ taskType: String(t.taskType), body: t });
      const fwd = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        const answer: Buffer[] = [];
        up.on("data", (c: Buffer) => answer.push(c));
        up.on("end", () => {
          const reply = Buffer.concat(answer);
          if (moment?.({ tasks, reply: parsed(reply) })) {
            moment = undefined;
            held.push(res);
            reached?.();
            return;
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(reply);
        });
      });
      fwd.on("error", () => res.destroy());
      fwd.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    seen,
    /** Resolves when an answer matching `m` is being held. */
    holdAt: (m: (x: Exchange) => boolean) =>
      new Promise<void>((resolve) => {
        moment = m;
        reached = resolve;
      }),
    /** Stops holding: held answers are dropped, and no moment is waited for. */
    release: () => {
      moment = undefined;
      for (const res of held.splice(0)) res.destroy();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function parsed(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined; // not JSON: a download
  }
}

const env = (url: string) => ({ RUNWARE_BASE_URL: url, RUNWARE_API_KEY: API_KEY });
const promptOf = (t: Seen) => String(t.body.positivePrompt);

describe("apply: chained clips", () => {
  it("makes platform from arrival's last frame, only once arrival exists; edits cascade downstream only", { timeout: 60_000 }, async () => {
    const sim = await startSim({ latencyMs: 50 });
    const proxy = await recordingProxy(sim);
    const dir = project({ "specs/story.yaml": STORY });
    try {
      const plan = await planJson(dir);
      expect(plan.summary.estimated_cost_usd).toBe(0.3696);

      const first = await run(["apply", ...FAST], { cwd: dir, env: env(proxy.url) });
      expect(first.code, first.stderr).toBe(0);
      const lock = readLock(dir);
      const arrival = lock.clips.arrival!;
      const platform = lock.clips.platform!;
      // Submitted only after arrival succeeded.
      expect(platform.tasks[0]!.submittedAt >= arrival.tasks[0]!.finishedAt!).toBe(true);
      const inference = proxy.seen.filter((t) => t.taskType === "videoInference");
      expect(inference.map(promptOf)).toEqual([expect.stringMatching(/train pulls in/), expect.stringMatching(/passengers step out/)]);
      // What was uploaded is arrival's last frame, and platform's first frame is that upload.
      const uploads = proxy.seen.filter((t) => t.taskType === "imageUpload");
      expect(uploads).toHaveLength(1);
      const last = await extractFrame(join(dir, arrival.results[0]!.file!), "last");
      const sent = Buffer.from(String(uploads[0]!.body.image).replace(/^data:image\/png;base64,/, ""), "base64");
      expect(sent.equals(last.png)).toBe(true);
      const frames = (inference[1]!.body.inputs as { frameImages: { image: string; frame: string }[] }).frameImages;
      expect(frames).toEqual([{ image: expect.stringMatching(/^[0-9a-f-]{36}$/), frame: "first" }]);
      expect(platform.request.frameImages).toEqual([{ frame: "first", image: `frame:${last.pixelsSha256}`, from: "arrival", video: arrival.results[0]!.videoUUID, at: "last" }]);
      expect(actionsOf(await planJson(dir))).toEqual({ arrival: "no-op", platform: "no-op" });
      // The report shows the picture platform was made from.
      const report = await run(["report"], { cwd: dir });
      expect(report.code, report.stderr).toBe(0);
      const html = readFileSync(join(dir, "clipform-report.html"), "utf8");
      expect(html).toContain(`<img src=".clipform/frames/${last.pixelsSha256.slice(0, 32)}.png" alt="first frame: arrival&#39;s last frame"`);

      // An edit upstream: both are replaced, with both costs; platform waits for arrival.
      writeFileSync(join(dir, "specs/story.yaml"), STORY.replace("at dusk.", "at dawn."));
      const edited = await planJson(dir);
      expect(actionsOf(edited)).toEqual({ arrival: "replace", platform: "replace" });
      expect(edited.changes.find((c) => c.address === "platform")).toMatchObject({ waits_for: ["arrival"], estimated_cost_usd: 0.1848 });
      expect(edited.summary.estimated_cost_usd).toBe(0.3696);
      const second = await run(["apply", ...FAST], { cwd: dir, env: env(proxy.url) });
      expect(second.code, second.stderr).toBe(0);
      const after = readLock(dir);
      const newArrival = after.clips.arrival!.results[0]!;
      expect(newArrival.videoUUID).not.toBe(arrival.results[0]!.videoUUID);
      // platform is made from the new take's last frame, as recorded on that video; the
      // simulator's videos come in 12 colours, so the new take may end on the very same picture:
      // then platform's request is unchanged and nothing is paid for it.
      const newFrame = (newArrival as { frames?: { last?: string } }).frames?.last;
      expect(newFrame).toMatch(/^frame:[0-9a-f]{64}$/);
      expect((after.clips.platform!.request.frameImages as { image: string }[])[0]!.image).toBe(newFrame);
      const samePicture = newFrame === `frame:${last.pixelsSha256}`;
      expect(sim.stats().videoInference).toBe(samePicture ? 3 : 4);
      expect(actionsOf(await planJson(dir))).toEqual({ arrival: "no-op", platform: "no-op" });

      // An edit downstream: platform alone.
      writeFileSync(join(dir, "specs/story.yaml"), STORY.replace("at dusk.", "at dawn.").replace("snowy platform.", "icy platform."));
      expect(actionsOf(await planJson(dir))).toEqual({ arrival: "no-op", platform: "replace" });
      const third = await run(["apply", ...FAST], { cwd: dir, env: env(proxy.url) });
      expect(third.code, third.stderr).toBe(0);
      expect(sim.stats().videoInference).toBe(samePicture ? 4 : 5);
    } finally {
      await proxy.close();
    }
  });

  it("a failed upstream leaves its dependants unsent, and says so", { timeout: 60_000 }, async () => {
    const sim = await startSim({ latencyMs: 20, failRate: 1 }); // every generation fails
    const dir = project({ "specs/story.yaml": STORY });
    const r = await apply(dir, sim);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/skipped\s+platform: arrival has no video to take a frame from/);
    expect(sim.stats().videoInference).toBe(1);
  });

  it("kill -9 mid-chain, again and again: the chain completes and no clip is generated twice", { timeout: 120_000 }, async () => {
    const sim = await startSim({ latencyMs: 100 });
    const proxy = await recordingProxy(sim);
    const yaml = `${STORY}  epilogue:
    model: klingai:3@1
    positivePrompt: The empty platform as the train leaves.
    inputs:
      frameImages:
        - image: { from: platform }
`;
    const dir = project({ "specs/story.yaml": yaml });
    // The moments are the API's answers, held back while the apply waits for them, so each kill
    // lands exactly there whatever the machine's speed: a submission the API accepted but clipform
    // never heard of, a poll saying a clip is done, a frame on its way up, for each stage in turn.
    const prompts = { arrival: "A train pulls into", platform: "The passengers step out" };
    const uuidOf = (clip: keyof typeof prompts) => proxy.seen.find((t) => t.taskType === "videoInference" && String(t.body.positivePrompt).startsWith(prompts[clip]))?.body.taskUUID;
    const submitted = (clip: keyof typeof prompts) => (x: Exchange) => x.tasks.some((t) => t.taskType === "videoInference" && String(t.positivePrompt).startsWith(prompts[clip]));
    const finished = (clip: keyof typeof prompts) => (x: Exchange) =>
      x.tasks.some((t) => t.taskType === "getResponse") &&
      ((x.reply as { data?: { taskUUID?: unknown; status?: unknown }[] } | undefined)?.data ?? []).some((d) => d.taskUUID === uuidOf(clip) && d.status === "success");
    const uploading = (x: Exchange) => x.tasks.some((t) => t.taskType === "imageUpload");
    const moments = [submitted("arrival"), finished("arrival"), uploading, submitted("platform"), finished("platform"), uploading];
    let kills = 0;
    try {
      for (const moment of moments) {
        const reached = proxy.holdAt(moment).then(() => true);
        const p = spawnCli(["apply", ...FAST], { cwd: dir, env: env(proxy.url) });
        const out = collect(p);
        if (await Promise.race([reached, out.then(() => false)])) {
          p.kill("SIGKILL");
          kills++;
        }
        await out;
        proxy.release();
      }
    } finally {
      proxy.release();
      await proxy.close();
    }
    const last = await run(["apply", ...FAST], { cwd: dir, env: env(sim.apiUrl) });
    expect(last.code, last.stderr).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(3);
    const lock = readLock(dir);
    for (const a of ["arrival", "platform", "epilogue"]) expect(lock.clips[a]!.results, a).toHaveLength(1);
    // Each clip's request went to the API exactly once, whatever the kills interrupted.
    expect(sim.stats().videoInference).toBe(3);
    expect(actionsOf(await planJson(dir))).toEqual({ arrival: "no-op", platform: "no-op", epilogue: "no-op" });
    expect(readFileSync(join(dir, lock.clips.epilogue!.results[0]!.file!)).length).toBeGreaterThan(0);
  });

  it("the whole contract: a keyframe image, two chained clips and a trailer cut from them", { timeout: 60_000 }, async () => {
    const sim = await startSim({ latencyMs: 30 });
    const yaml = `${STORY}${OPENING}${STATION_KEY}${TRAILER}`;
    const dir = project({ "specs/story.yaml": yaml });
    const plan = await planJson(dir);
    const two = plan.changes.filter((c) => c.address === "arrival" || c.address === "platform").reduce((s, c) => s + (c.estimated_cost_usd ?? 0), 0);
    expect(Math.round(two * 1e4) / 1e4).toBe(0.3696);
    expect(plan.changes.find((c) => c.address === "opening")).toMatchObject({ waits_for: ["station-key"] });
    const r = await apply(dir, sim);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/cut\s+trailer\s+clipform-out\/trailer\.mp4/);
    // The trailer plays: both clips' frames, decoded.
    const { stdout } = await runFfmpeg("count frames", ["-i", join(dir, "clipform-out/trailer.mp4"), "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"]);
    const lock = readLock(dir);
    const frameBytes = 160 * 90;
    expect(stdout.length / frameBytes).toBe(24);
    // opening starts on the keyframe image's picture.
    const key = await extractFrame(join(dir, lock.clips["station-key"]!.results[0]!.file!), "first");
    expect((lock.clips.opening!.request.frameImages as { image: string }[])[0]!.image).toBe(`frame:${key.pixelsSha256}`);
    expect(sim.stats()).toMatchObject({ videoInference: 3, imageInference: 1 });
  });
});

