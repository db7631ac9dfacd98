// `npm run bench [plan|client|apply|watch|scale]`: runs the benchmarks side by side on this machine and
// writes bench/results.json and bench/REPORT.md (a single section updates only its own results).
// `npm run bench -- sessions --seeds N` runs the session test instead (bench/sessions.js).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { runApplyBench, runScaleBench } from "./apply.js";
import { runClientBench } from "./client.js";
import { runPlanBench } from "./plan.js";
import { writeReport } from "./report.js";
import { REPO } from "./util.js";
import { runWatchBench } from "./watch.js";
import { runSessionsBench } from "./sessions.js";

const SECTIONS = {
  plan: ["plan: 10,000 clips, whole process, beside a bare yaml parse", runPlanBench],
  client: ["client: requests per second, and HTTP requests per clip for 200 clips in flight", runClientBench],
  apply: ["apply: N clips at concurrency c with latency L, against ceil(N/c) × L", runApplyBench],
  watch: ["watch: save → plan on screen, 1,000-clip project", runWatchBench],
  scale: ["scale: 6,000 clips at concurrency 600 and 10,000 at 1,000, 4 s latency: wall time, bytes written, peak RSS and CPU per build", runScaleBench],
};

const only = process.argv[2];
// The session test is no timing: it runs as many seeded sessions as asked and prints their figures.
if (only === "sessions") process.exit(await runSessionsBench(process.argv.slice(3)));
if (only && !SECTIONS[only]) {
  console.error(`unknown section "${only}"; choose one of ${Object.keys(SECTIONS).join(", ")}`);
  process.exit(1);
}
const file = join(REPO, "bench", "results.json");
const results = only && existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
results.machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30) };
results.date = new Date().toISOString();

for (const [name, [title, run]] of Object.entries(SECTIONS)) {
  if (only && only !== name) continue;
  // The scale case takes minutes: run it when asked for by name.
  if (!only && name === "scale") continue;
  console.log(`${title} …`);
  results[name] = await run();
  console.log(JSON.stringify(results[name], null, 2));
}

writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
writeReport(results, join(REPO, "bench", "REPORT.md"));
console.log("wrote bench/results.json and bench/REPORT.md");
