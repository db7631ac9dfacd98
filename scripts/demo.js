#!/usr/bin/env node
// `npm run demo`: the whole loop on the example project (shots that feed shots included:
// specs/chain.yaml), against the embedded simulator (no key, no network, no cost): plan, apply,
// the videos on disk, and a final plan with nothing to do.
// Runs in demo/ (a fresh copy of specs/ each time) so the repository itself stays clean.
// It runs what `npm install` built (its `prepare` script); it does not build again.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../", import.meta.url));
if (!existsSync(join(repo, "dist", "cli", "main.js"))) {
  console.error("demo: clipform is not built (dist/ is missing). Run `npm install` (it builds), or `npm run build`.");
  process.exit(1);
}
const { colorEnabled, palette } = await import("../dist/render/colors.js");
const c = palette(colorEnabled(process.stdout, process.env));
const work = join(repo, "demo");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
cpSync(join(repo, "specs"), join(work, "specs"), { recursive: true });

const env = { ...process.env };
delete env.RUNWARE_API_KEY;
function step(title, args, expect = [0]) {
  console.log(`\n${c.bold(`$ clipform ${args.join(" ")}`)}   # ${title}`);
  const r = spawnSync(process.execPath, [join(repo, "bin", "clipform.js"), ...args], { cwd: work, stdio: "inherit", env });
  if (!expect.includes(r.status ?? -1)) {
    console.error(`demo: \`clipform ${args.join(" ")}\` exited ${r.status}`);
    process.exit(1);
  }
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

step("check the manifests", ["validate"]);
step("what would be generated, and what it would cost", ["plan", "--detailed-exitcode"], [2]);
step("generate it on the embedded simulator (its record is kept apart, in .clipform/sim/)", ["apply", "--sim", "--auto-approve"]);
console.log(`\n${c.bold("Videos on disk:")}`);
for (const f of files(join(work, ".clipform", "sim", "clipform-out"))) console.log(`  ${relative(work, f)}  (${statSync(f).size} bytes)`);
step("nothing left to do on the simulator", ["plan", "--sim", "--detailed-exitcode"], [0]);
step("a gallery to watch the results", ["report", "--sim"]);
step("the real record is untouched: a real apply would still generate everything", ["plan", "--detailed-exitcode"], [2]);
console.log(`\nThe demo project is in ${relative(process.cwd(), work) || "."}/ (manifests, the simulator's record in .clipform/sim/, clipform-report.html).`);
