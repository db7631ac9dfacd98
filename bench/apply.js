// Benchmark: `clipform apply` of N clips at concurrency c against the simulator with generation
// latency L, whole process, against the ideal ceil(N/c) × L.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

function run(args, cwd, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
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

export async function applyCase({ clips, concurrency, latencyMs, pollIntervalMs }) {
  const sim = await startSimulator({ latencyMs, apiKey: "bench" });
  const dir = project(clips);
  try {
    const env = { PATH: process.env.PATH, NO_COLOR: "1", RUNWARE_API_KEY: "bench", RUNWARE_BASE_URL: sim.apiUrl };
    const { ms, out } = await run(["apply", "--auto-approve", "--json", "--concurrency", String(concurrency), "--poll-interval", String(pollIntervalMs)], dir, env);
    const events = out.trim().split("\n").map((l) => JSON.parse(l));
    const polls = events.filter((e) => e.event === "polled");
    const s = sim.stats();
    const ideal = Math.ceil(clips / concurrency) * latencyMs;
    return {
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
