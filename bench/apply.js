// Benchmark: `clipform apply` of N clips at concurrency c against the simulator with generation
// latency L, whole process, against the ideal ceil(N/c) × L.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../dist/sim/index.js";
import { BIN } from "./util.js";

function project(n) {
  const dir = mkdtempSync(join(tmpdir(), "clipform-bench-apply-"));
  mkdirSync(join(dir, "specs"));
  const lines = ["version: 1", "defaults:", "  model: klingai:3@1", "  width: 1280", "  height: 720", "clips:"];
  for (let i = 0; i < n; i++) lines.push(`  clip-${String(i).padStart(4, "0")}:`, `    positivePrompt: Benchmark clip number ${i}, a lighthouse in a storm`);
  writeFileSync(join(dir, "specs", "clips.yaml"), lines.join("\n") + "\n");
  return dir;
}

const IO = new URL("./io.mjs", import.meta.url).href;

function run(args, cwd, env, bin = BIN) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, ["--import", IO, bin, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`apply exited ${code}: ${err}`));
      else resolve({ ms, out });
    });
  });
}

/** `bin`: the clipform to run (another build, to compare before and after side by side). */
export async function applyCase({ clips, concurrency, latencyMs, pollIntervalMs, bin = BIN, label }) {
  const sim = await startSimulator({ latencyMs, apiKey: "bench" });
  const dir = project(clips);
  const ioFile = join(dir, ".bench-io");
  try {
    const env = { PATH: process.env.PATH, NO_COLOR: "1", RUNWARE_API_KEY: "bench", RUNWARE_BASE_URL: sim.apiUrl, BENCH_IO_FILE: ioFile };
    const { ms, out } = await run(["apply", "--auto-approve", "--json", "--concurrency", String(concurrency), "--poll-interval", String(pollIntervalMs)], dir, env, bin);
    const io = JSON.parse(readFileSync(ioFile, "utf8").trim().split("\n").pop());
    const events = out.trim().split("\n").map((l) => JSON.parse(l));
    const polls = events.filter((e) => e.event === "polled");
    const s = sim.stats();
    const ideal = Math.ceil(clips / concurrency) * latencyMs;
    return {
      ...(label ? { build: label } : {}),
      clips,
      concurrency,
      latency_ms: latencyMs,
      poll_interval_ms: pollIntervalMs,
      wall_ms: Math.round(ms),
      ideal_ms: ideal,
      ratio: Math.round((ms / ideal) * 100) / 100,
      accepted_generations: s.videoInference,
      max_in_flight: s.maxInFlight,
      api_http_requests: s.requests,
      api_http_requests_per_clip: Math.round((s.requests / clips) * 100) / 100,
      poll_ticks: polls.length,
      max_tasks_per_tick: Math.max(...polls.map((p) => p.tasks)),
      poll_http_requests: s.pollRequests,
      poll_http_requests_per_tick: Math.round((s.pollRequests / polls.length) * 100) / 100,
      write_bytes_per_clip: io.writeBytes === undefined ? undefined : Math.round(io.writeBytes / clips),
      wchar_per_clip: io.wchar === undefined ? undefined : Math.round(io.wchar / clips),
      peak_rss_mib: Math.round(io.maxRssKiB / 1024),
    };
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runApplyBench() {
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 2000);
  const cases = [];
  for (const [clips, concurrency] of [
    [40, 10],
    [100, 25],
    [200, 50],
  ]) {
    cases.push(await applyCase({ clips, concurrency, latencyMs, pollIntervalMs: 100 }));
    console.log(cases[cases.length - 1]);
  }
  return cases;
}

/**
 * The scale case of the journal: 6,000 clips (10,000 with BENCH_SCALE_CLIPS) at concurrency 600
 * against 4 s of latency, this build and, when BENCH_BEFORE_BIN names one, an older build run
 * side by side (before, after, one after the other on the same machine).
 */
export async function runScaleBench() {
  const clips = Number(process.env.BENCH_SCALE_CLIPS ?? 6000);
  const concurrency = Number(process.env.BENCH_SCALE_CONCURRENCY ?? 600);
  const latencyMs = Number(process.env.BENCH_SCALE_LATENCY_MS ?? 4000);
  const builds = [...(process.env.BENCH_BEFORE_BIN ? [["before", process.env.BENCH_BEFORE_BIN]] : []), ["after", BIN]];
  const cases = [];
  for (const [label, bin] of builds) {
    cases.push(await applyCase({ clips, concurrency, latencyMs, pollIntervalMs: 100, bin, label }));
    console.log(cases[cases.length - 1]);
  }
  return cases;
}
