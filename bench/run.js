// `npm run bench`: runs the benchmarks and writes bench/REPORT.md and bench/results.json.
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { runApplyBench } from "./apply.js";
import { runClientBench } from "./client.js";
import { runPlanBench } from "./plan.js";
import { REPO } from "./util.js";

const only = process.argv[2];
const results = { machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30) }, date: new Date().toISOString() };

if (!only || only === "plan") {
  console.log("plan: 10,000 clips, whole process, beside a bare yaml parse …");
  results.plan = runPlanBench();
  console.log(results.plan);
}

if (!only || only === "client") {
  console.log("client: requests per second, and HTTP requests per clip for 200 clips in flight …");
  results.client = await runClientBench();
  console.log(results.client);
}

if (!only || only === "apply") {
  console.log("apply: N clips at concurrency c with latency L, against ceil(N/c) × L …");
  results.apply = await runApplyBench();
}

writeFileSync(join(REPO, "bench", "results.json"), JSON.stringify(results, null, 2) + "\n");
console.log("wrote bench/results.json");
