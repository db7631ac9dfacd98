// Benchmark: `clipform watch` on a 1,000-clip project (10 manifests × 100 clips): time from a
// save to the new plan on screen, measured from outside the process as a user would see it.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, median } from "./util.js";

const MANIFESTS = 10;
const PER_MANIFEST = 100;
const SAVES = Number(process.env.BENCH_SAVES ?? 15);

function makeProject() {
  const dir = mkdtempSync(join(tmpdir(), "clipform-bench-watch-"));
  mkdirSync(join(dir, "specs"));
  for (let m = 0; m < MANIFESTS; m++) {
    const lines = ["version: 1", "defaults:", "  model: klingai:3@1", "  width: 1280", "  height: 720", "clips:"];
    for (let i = 0; i < PER_MANIFEST; i++) {
      lines.push(`  m${m}-clip-${i}:`, `    positivePrompt: Manifest ${m} clip ${i}, a slow aerial drift over a foggy harbor at first light`, `    duration: ${i % 2 ? 5 : 10}`);
    }
    writeFileSync(join(dir, "specs", `part-${m}.yaml`), lines.join("\n") + "\n");
  }
  return dir;
}

export async function runWatchBench() {
  const dir = makeProject();
  const p = spawn(process.execPath, [BIN, "watch"], { cwd: dir, env: { PATH: process.env.PATH, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let waiter;
  p.stdout.on("data", (d) => {
    out += d;
    waiter?.();
  });
  const waitUpdate = (n) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no update #${n}:\n${out.slice(-2000)}`)), 10_000);
      waiter = () => {
        const m = new RegExp(`update #${n} in (\\d+) ms`).exec(out);
        if (m) {
          clearTimeout(t);
          waiter = undefined;
          resolve(Number(m[1]));
        }
      };
      waiter();
    });
  try {
    await waitUpdate(1);
    await new Promise((r) => setTimeout(r, 700)); // let the watcher settle, as a user's first save would
    const latencies = [];
    const inside = [];
    for (let k = 0; k < SAVES; k++) {
      const file = join(dir, "specs", `part-${k % MANIFESTS}.yaml`);
      const text = readFileSync(file, "utf8").replace(/a slow aerial drift( \d+)?/, `a slow aerial drift ${k}`);
      const t0 = process.hrtime.bigint();
      writeFileSync(file, text);
      inside.push(await waitUpdate(k + 2));
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await new Promise((r) => setTimeout(r, 150));
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      clips: MANIFESTS * PER_MANIFEST,
      manifests: MANIFESTS,
      saves: SAVES,
      save_to_plan_ms_median: Math.round(median(latencies)),
      save_to_plan_ms_p90: Math.round(sorted[Math.floor(sorted.length * 0.9)]),
      save_to_plan_ms_max: Math.round(sorted[sorted.length - 1]),
      replan_inside_process_ms_median: median(inside),
      debounce_ms: 40,
    };
  } finally {
    p.kill("SIGINT");
    rmSync(dir, { recursive: true, force: true });
  }
}
