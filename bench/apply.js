// Benchmark: `clipform apply` of N clips at concurrency c against the simulator with generation
// latency L, whole process, against the ideal ceil(N/c) × L.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_KEY, BIN } from "./util.js";

function project(n) {
  const dir = mkdtempSync(join(tmpdir(), "clipform-bench-apply-"));
  mkdirSync(join(dir, "specs"));
  const lines = ["version: 1", "defaults:", "  model: klingai:3@1", "  width: 1280", "  height: 720", "clips:"];
  for (let i = 0; i < n; i++) lines.push(`  clip-${String(i).padStart(4, "0")}:`, `    positivePrompt: Benchmark clip number ${i}, a lighthouse in a storm`);
  writeFileSync(join(dir, "specs", "clips.yaml"), lines.join("\n") + "\n");
  return dir;
}

const IO = new URL("./io.mjs", import.meta.url).href;
const SIM = new URL("./sim-process.mjs", import.meta.url).pathname;

/** Node flags for a process of `role` ("clipform", "sim"): a CPU profile when BENCH_CPU_PROF names a folder. */
function profileFlags(role, label) {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ["--cpu-prof", "--cpu-prof-dir", join(dir, `${label ?? "this"}-${role}`)] : [];
}

function run(args, cwd, env, bin = BIN, label) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, [...profileFlags("clipform", label), "--import", IO, bin, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    // When each kind of event was first and last seen (ms after the start): where the wall time went.
    const seen = {};
    const timeline = [];
    let partial = "";
    p.stdout.on("data", (d) => {
      out += d;
      const at = Number(process.hrtime.bigint() - t0) / 1e6;
      const lines = (partial + d).split("\n");
      partial = lines.pop();
      for (const l of lines) {
        const kind = /^\{"event":"([a-z-]+)"/.exec(l)?.[1];
        if (!kind) continue;
        seen[kind] ??= { first: at, last: at };
        seen[kind].last = at;
        if (process.env.BENCH_TIMELINE) timeline.push(`${Math.round(at)} ${kind}`);
      }
    });
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      // BENCH_TIMELINE=FILE: each event's arrival (ms) and kind, to see where a run's time went.
      if (process.env.BENCH_TIMELINE) writeFileSync(`${process.env.BENCH_TIMELINE}.${label ?? "this"}`, timeline.join("\n") + "\n");
      if (code !== 0) reject(new Error(`apply exited ${code}: ${err}`));
      else resolve({ ms, out, seen });
    });
  });
}

/** Starts the simulator in its own process; resolves once it listens. */
function startSimProcess(options, ioFile, label) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...profileFlags("sim", label), "--import", IO, SIM, JSON.stringify(options)], {
      env: { PATH: process.env.PATH, BENCH_IO_FILE: ioFile },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    let closed;
    p.on("error", reject);
    p.on("exit", (code) => reject(new Error(`the simulator exited ${code} before listening`)));
    p.stdout.on("data", (d) => {
      out += d;
      if (!out.includes("\n")) return;
      const { url, apiUrl } = JSON.parse(out.split("\n")[0]);
      resolve({
        apiUrl,
        stats: async () => (await fetch(`${url}/__sim/stats`)).json(),
        close: () => (closed ??= new Promise((done) => {
          p.removeAllListeners("exit");
          p.once("exit", done);
          p.kill("SIGTERM");
        })),
      });
    });
  });
}

const lastLine = (file) => JSON.parse(readFileSync(file, "utf8").trim().split("\n").pop());
const cpuSeconds = (io) => (io.userUs === undefined ? undefined : (io.userUs + io.systemUs) / 1e6);

/** `bin`: the clipform to run (another build, to compare before and after side by side). */
export async function applyCase({ clips, concurrency, latencyMs, pollIntervalMs, bin = BIN, label }) {
  const dir = project(clips);
  const ioFile = join(dir, ".bench-io");
  const simIoFile = join(dir, ".bench-sim-io");
  const sim = await startSimProcess({ latencyMs, apiKey: BENCH_KEY }, simIoFile, label);
  try {
    const env = { PATH: process.env.PATH, NO_COLOR: "1", RUNWARE_API_KEY: BENCH_KEY, RUNWARE_BASE_URL: sim.apiUrl, BENCH_IO_FILE: ioFile };
    const { ms, out, seen } = await run(["apply", "--auto-approve", "--json", "--concurrency", String(concurrency), "--poll-interval", String(pollIntervalMs)], dir, env, bin, label);
    const io = lastLine(ioFile);
    const events = out.trim().split("\n").map((l) => JSON.parse(l));
    const polls = events.filter((e) => e.event === "polled");
    const s = await sim.stats();
    await sim.close();
    const simIo = lastLine(simIoFile);
    const ideal = Math.ceil(clips / concurrency) * latencyMs;
    const cpu = cpuSeconds(io);
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
      // Timeline (ms after the process started): first request sent, last result seen, last video saved.
      first_submitted_ms: Math.round(seen.submitted?.first ?? NaN),
      last_succeeded_ms: Math.round(seen.succeeded?.last ?? NaN),
      last_downloaded_ms: Math.round(seen.downloaded?.last ?? NaN),
      cpu_s: cpu === undefined ? undefined : Math.round(cpu * 100) / 100,
      cpu_s_per_1000_clips: cpu === undefined ? undefined : Math.round((cpu / clips) * 1000 * 100) / 100,
      sim_cpu_s: cpuSeconds(simIo) === undefined ? undefined : Math.round(cpuSeconds(simIo) * 100) / 100,
    };
  } finally {
    await sim.close().catch(() => {});
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

/** The scale cases of issue 9: N clips at concurrency c against 4 s of latency. */
export const SCALE_SIZES = [
  [6000, 600],
  [10000, 1000],
];

/**
 * The scale cases, this build and, when BENCH_BEFORE_BIN names one, an older build, run side by
 * side (before, after, one after the other on the same machine, per size). BENCH_SCALE_CLIPS
 * picks one size (6000 or 10000, or any N with BENCH_SCALE_CONCURRENCY), BENCH_SCALE_REPEAT
 * repeats each pair, BENCH_CPU_PROF=DIR writes CPU profiles of clipform and the simulator there.
 */
export async function runScaleBench() {
  const only = process.env.BENCH_SCALE_CLIPS ? Number(process.env.BENCH_SCALE_CLIPS) : undefined;
  const known = SCALE_SIZES.find(([n]) => n === only);
  const sizes = only === undefined ? SCALE_SIZES : [[only, Number(process.env.BENCH_SCALE_CONCURRENCY ?? known?.[1] ?? 600)]];
  const latencyMs = Number(process.env.BENCH_SCALE_LATENCY_MS ?? 4000);
  const repeat = Number(process.env.BENCH_SCALE_REPEAT ?? 1);
  const builds = [...(process.env.BENCH_BEFORE_BIN ? [["before", process.env.BENCH_BEFORE_BIN]] : []), ["after", BIN]];
  const cases = [];
  for (const [clips, concurrency] of sizes) {
    for (let i = 0; i < repeat; i++) {
      for (const [label, bin] of builds) {
        cases.push({ ...(await applyCase({ clips, concurrency, latencyMs, pollIntervalMs: 100, bin, label })), load_average_1m: Math.round(loadavg()[0] * 100) / 100 });
        console.log(cases[cases.length - 1]);
      }
    }
  }
  return cases;
}
