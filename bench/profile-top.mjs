// `node bench/profile-top.mjs FILE.cpuprofile [N]`: where a CPU profile's time went, by function
// (self time) and by file, for reading the scale bench's profiles (BENCH_CPU_PROF).
import { readFileSync } from "node:fs";

const [file, n = "25"] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, "utf8"));
const dt = new Map();
for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...dt.values()].reduce((a, b) => a + b, 0);
const byFn = new Map();
const byFile = new Map();
for (const node of prof.nodes) {
  const us = dt.get(node.id) ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*\/(dist|node_modules)\//, "$1/");
  const fn = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  byFile.set(where || functionName, (byFile.get(where || functionName) ?? 0) + us);
}
const show = (title, m) => {
  console.log(`${title} (total ${(total / 1e6).toFixed(2)} s sampled)`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${(us / 1e6).toFixed(2).padStart(7)} s ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
};
show("self time by function", byFn);
console.log();
show("self time by file", byFile);
