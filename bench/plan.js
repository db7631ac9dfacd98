// Benchmark: `clipform plan` on a 10,000-clip manifest with a matching 10,000-entry lockfile,
// as a whole process, beside a bare `yaml` parse of the same manifest in the same run.
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProject } from "../dist/manifest/index.js";
import { emptyLockfile, serializeLockfile } from "../dist/lockfile/io.js";
import { BIN, median, REPO } from "./util.js";

export const CLIPS = 10_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MODELS = [
  ["klingai:1@2", 1280, 720],
  ["klingai:3@1", 720, 1280],
  ["klingai:1@1", 720, 720],
];
const WORDS = "cinematic wide shot harbor fog lantern rain neon monorail lighthouse dawn dusk drifting camera slow aerial gentle waves reflections amber cobalt".split(" ");

function prompt(i) {
  const w = [];
  for (let k = 0; k < 10; k++) w.push(WORDS[(i * 7 + k * 13) % WORDS.length]);
  return `Shot ${i}, ${w.join(" ")}, realistic motion, natural light, high detail.`;
}

export function makeProject(clips = CLIPS) {
  const dir = mkdtempSync(join(tmpdir(), "clipform-bench-"));
  mkdirSync(join(dir, "specs"));
  const lines = ["version: 1", "defaults:", "  negativePrompt: blurry, watermark, text, flicker, warped anatomy", "  CFGScale: 0.5", "clips:"];
  for (let i = 0; i < clips; i++) {
    const [model, w, h] = MODELS[i % MODELS.length];
    lines.push(`  shot-${String(i).padStart(5, "0")}:`, `    model: ${model}`, `    positivePrompt: ${prompt(i)}`, `    width: ${w}`, `    height: ${h}`, `    duration: ${i % 5 === 0 ? 10 : 5}`);
    if (i % 4 === 0) lines.push("    numberResults: 2");
  }
  writeFileSync(join(dir, "specs", "shots.yaml"), lines.join("\n") + "\n");
  // A lockfile that matches every clip: the plan has nothing to do, as after a full apply.
  const project = loadProject({ root: dir });
  if (project.diagnostics.length) throw new Error(`bench manifest is invalid: ${project.diagnostics[0].message}`);
  const lock = emptyLockfile("5a0f6f1e-0000-4000-8000-000000000001");
  lock.serial = 1;
  let n = 0;
  for (const c of project.clips) {
    const taskUUID = `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;
    lock.clips[c.address] = {
      fingerprint: c.fingerprint,
      manifest: c.manifest,
      model: c.generation.model,
      request: c.generation,
      numberResults: c.numberResults,
      tasks: [{ taskUUID, numberResults: c.numberResults, status: "succeeded", submittedAt: "2026-01-01T00:00:00.000Z", finishedAt: "2026-01-01T00:03:00.000Z" }],
      results: Array.from({ length: c.numberResults }, (_, k) => ({
        taskUUID,
        videoUUID: `10000000-0000-4000-8000-${String(n * 4 + k).padStart(12, "0")}`,
        seed: 1000 + k,
        costUsd: 0.1848,
        videoURL: `https://vm.example/${n}-${k}.mp4`,
        file: `out/${n}-${k}.mp4`,
        sha256: "0".repeat(64),
        bytes: 4,
      })),
    };
  }
  mkdirSync(join(dir, "out"));
  for (const e of Object.values(lock.clips)) for (const r of e.results) writeFileSync(join(dir, r.file), "fake");
  writeFileSync(join(dir, "clipform.lock.json"), serializeLockfile(lock));
  return dir;
}

function timed(args, cwd, rssFile) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--import", join(REPO, "bench", "rss.mjs"), ...args], {
    cwd,
    env: { PATH: process.env.PATH, NO_COLOR: "1", BENCH_RSS_FILE: rssFile },
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

export function runPlanBench() {
  const dir = makeProject();
  const manifest = join(dir, "specs", "shots.yaml");
  const rssYaml = join(dir, "rss-yaml.txt");
  const rssPlan = join(dir, "rss-plan.txt");
  const rssFast = join(dir, "rss-fast.txt");
  const yamlMs = [];
  const fastMs = [];
  const planMs = [];
  let planOut = "";
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so all three see the same machine noise.
    yamlMs.push(timed([join(REPO, "bench", "bare-yaml.mjs"), manifest], dir, rssYaml).ms);
    fastMs.push(timed([join(REPO, "bench", "bare-yaml.mjs"), manifest, "--fast"], dir, rssFast).ms);
    const p = timed([BIN, "plan", "--detailed-exitcode"], dir, rssPlan);
    planMs.push(p.ms);
    planOut = p.stdout;
  }
  const peak = (f) => Math.max(...readFileSync(f, "utf8").trim().split("\n").map(Number));
  const result = {
    clips: CLIPS,
    manifest_bytes: statSync(manifest).size,
    lockfile_bytes: statSync(join(dir, "clipform.lock.json")).size,
    runs: RUNS,
    bare_yaml_parse_ms: Math.round(median(yamlMs)),
    bare_yaml_parse_same_settings_ms: Math.round(median(fastMs)),
    clipform_plan_ms: Math.round(median(planMs)),
    ratio: Math.round((median(planMs) / median(yamlMs)) * 100) / 100,
    ratio_same_settings: Math.round((median(planMs) / median(fastMs)) * 100) / 100,
    peak_rss_mib: { bare_yaml: Math.round(peak(rssYaml) / 1024), bare_yaml_same_settings: Math.round(peak(rssFast) / 1024), clipform_plan: Math.round(peak(rssPlan) / 1024) },
    plan_says_no_changes: planOut.includes("No changes."),
  };
  rmSync(dir, { recursive: true, force: true });
  return result;
}
