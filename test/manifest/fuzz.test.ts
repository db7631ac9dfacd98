/**
 * `validate` on 2,000 fuzzed manifests, in-process through the entry the binary uses (`run`):
 * every case ends with exit 0 or 1, never an internal error or a stack trace, and none takes
 * more than 5 s. Seeded: a failing case names its seed and index so it can be replayed.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/main.js";
import { REPO } from "../helpers/cli.js";
import { HOSTILE_MANIFESTS } from "../hostile/manifests.js";
import { mutate, randomYaml, rng } from "../hostile/fuzz.js";

const SEED = 20261201;
const CASES = 2_000;
const MAX_CASE_MS = 5_000;

const dir = mkdtempSync(join(tmpdir(), "clipform-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
cpSync(join(REPO, "specs"), join(dir, "specs"), { recursive: true });
const SEEDS = [
  ...readdirSync(join(REPO, "specs")).filter((f) => f.endsWith(".yaml")).map((f) => readFileSync(join(REPO, "specs", f), "utf8")),
  ...HOSTILE_MANIFESTS.map((m) => m.yaml),
  "version: 1\nvariables:\n  mood: calm\ndefaults: &d\n  model: klingai:1@2\n  duration: 5\nclips:\n  a:\n    <<: *d\n    positivePrompt: A ${mood} sea\n  b: {<<: *d, positivePrompt: shot, matrix: {lens: [wide, tele]}}\n",
];
for (const f of readdirSync(join(dir, "specs"))) if (f.endsWith(".yaml")) rmSync(join(dir, "specs", f));

function sink(): { stream: Writable; text: () => string } {
  let out = "";
  const stream = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
  return { stream, text: () => out };
}

async function validate(yaml: string): Promise<{ code: number; output: string; ms: number }> {
  writeFileSync(join(dir, "specs", "main.yaml"), yaml);
  const out = sink();
  const err = sink();
  const started = performance.now();
  const code = await run(["validate"], { cwd: dir, env: { NO_COLOR: "1" }, stdout: out.stream, stderr: err.stream, stdin: process.stdin });
  return { code, output: out.text() + err.text(), ms: performance.now() - started };
}

describe("manifest fuzzer", () => {
  it(`validate: ${CASES} fuzzed manifests, no crash, none over ${MAX_CASE_MS / 1000} s`, async () => {
    // The first run loads the schema validators and the catalog: not a property of any case.
    await validate(SEEDS[0]!);
    const r = rng(SEED);
    const failures: string[] = [];
    let slowest = { ms: 0, index: -1 };
    const codes = new Map<number, number>();
    for (let i = 0; i < CASES; i++) {
      const yaml = i % 4 === 3 ? randomYaml(r) : mutate(r, SEEDS[Math.floor(r() * SEEDS.length)]!);
      // A case that kills the worker (out of memory) leaves no report: FUZZ_DEBUG=FILE keeps the last case.
      if (process.env.FUZZ_DEBUG) writeFileSync(process.env.FUZZ_DEBUG, `${i}\n${yaml}`);
      const res = await validate(yaml);
      codes.set(res.code, (codes.get(res.code) ?? 0) + 1);
      if (res.ms > slowest.ms) slowest = { ms: res.ms, index: i };
      const crashed = (res.code !== 0 && res.code !== 1) || /internal error|\n\s+at [^\n]+:\d+:\d+\)?\n/.test(res.output);
      if (crashed || res.ms > MAX_CASE_MS) failures.push(`seed ${SEED} case ${i} (${Math.round(res.ms)} ms, exit ${res.code}):\n${yaml}\n---\n${res.output.slice(0, 800)}`);
      if (res.code === 1) expect(res.output, `case ${i}`).toMatch(/^(specs\/main\.yaml:\d+:\d+: |error: )/m);
    }
    console.log(`fuzz: ${CASES} cases, exits ${JSON.stringify(Object.fromEntries(codes))}, slowest case ${slowest.index} in ${Math.round(slowest.ms)} ms`);
    expect(failures.slice(0, 3).join("\n\n")).toBe("");
    // Both outcomes occur: the fuzzer reaches valid manifests as well as broken ones.
    expect(codes.get(0) ?? 0).toBeGreaterThan(20);
    expect(codes.get(1) ?? 0).toBeGreaterThan(CASES / 4);
  }, 120_000);
});
