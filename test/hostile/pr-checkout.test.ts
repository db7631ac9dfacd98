/**
 * A pull request's checkout with every planted file of issue 20 at once: links to /dev/zero and out
 * of the project, FIFOs, a frame image outside, outDir: ., a hostile lockfile. A PR job runs
 * `validate` and `plan --markdown` on it: each run, a real process, ends within seconds under
 * 200 MB (peak RSS by /usr/bin/time), with one error per planted file. The job's author then
 * fixes the file named, and the next run names the next one, until the plan runs.
 */
import { spawnSync } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, bareEnv } from "../helpers/cli.js";
import { MANIFEST, projectWith, tempDir } from "./in-process.js";

const MAX_RSS_KB = 200 * 1024;
const MAX_SECONDS = 10;

interface Measured {
  code: number;
  stdout: string;
  stderr: string;
  rssKb: number;
  seconds: number;
}

/** The binary under /usr/bin/time -v: its exit code, output, peak RSS and wall time. */
function measured(args: string[], cwd: string): Measured {
  const started = performance.now();
  const r = spawnSync("/usr/bin/time", ["-v", process.execPath, BIN, ...args], { cwd, env: bareEnv(), encoding: "utf8", timeout: 60_000 });
  const seconds = (performance.now() - started) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const exit = /Exit status: (\d+)/.exec(r.stderr);
  expect(rss, `no measurement (killed after ${seconds}s?): ${r.stderr.slice(-500)}`).not.toBeNull();
  return { code: Number(exit?.[1] ?? r.status), stdout: r.stdout, stderr: r.stderr.split("\tCommand being timed")[0]!, rssKb: Number(rss![1]), seconds };
}

/** Both PR-job commands, bounded; returns their error output. */
function prJob(dir: string, expectCode = 1): { validate: Measured; plan: Measured } {
  const validate = measured(["validate"], dir);
  const plan = measured(["plan", "--markdown"], dir);
  for (const [name, r] of [["validate", validate], ["plan --markdown", plan]] as const) {
    expect(r.rssKb, `${name} peak RSS`).toBeLessThan(MAX_RSS_KB);
    expect(r.seconds, `${name} wall time`).toBeLessThan(MAX_SECONDS);
    expect(r.stderr, name).not.toMatch(/internal error|    at |Command terminated by signal/);
  }
  expect(validate.code === 0 || validate.code === 1, validate.stderr).toBe(true);
  expect(plan.code, plan.stderr).toBe(expectCode);
  return { validate, plan };
}

const count = (text: string, pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l)).length;

describe("a PR-style checkout with every planted file", () => {
  it("validate and plan --markdown end within seconds, under 200 MB, one error per planted file, each time", () => {
    const outside = tempDir();
    writeFileSync(join(outside, "secret.yaml"), MANIFEST(["secret"]));
    const png = readFileSync(join(import.meta.dirname, "..", "..", "specs", "assets", "lighthouse-dusk.png"));
    writeFileSync(join(outside, "secret.png"), png);
    const dir = projectWith({ "specs/good.yaml": MANIFEST(["harbor"]) });
    const fifo = (rel: string) => execFileSync("mkfifo", [join(dir, rel)]);
    symlinkSync("/dev/zero", join(dir, "clipform.yaml"));
    mkdirSync(join(dir, "models"));
    fifo("models/own.json");
    symlinkSync("/dev/zero", join(dir, "models", "zero.json"));
    symlinkSync("/dev/zero", join(dir, "specs", "x.yaml"));
    fifo("specs/fifo.yaml");
    symlinkSync(join(outside, "secret.yaml"), join(dir, "specs", "out.yaml"));
    writeFileSync(join(dir, "specs", "frame.yaml"), `${MANIFEST([])}  lighthouse:\n    positivePrompt: A lighthouse at dusk\n    inputs:\n      frameImages:\n        - { image: ${join(outside, "secret.png")}, frame: first }\n`);
    mkdirSync(join(dir, ".clipform"));
    fifo(".clipform/quotes.json");
    // The lockfile: harbor twice (the second without its paid task), a fingerprint that is a path.
    const entry = (tasks: string) =>
      `{"fingerprint": "x:../../../../", "manifest": "specs/good.yaml", "model": "klingai:3@1", "request": {}, "numberResults": 1, "tasks": [${tasks}], "results": []}`;
    const task = '{"taskUUID": "8d3c8b52-8a8e-4a57-9d0e-6f1c2a3b4c5d", "status": "submitted", "submittedAt": "2026-12-01T00:00:00.000Z", "numberResults": 1}';
    const lockText = (twice: boolean) =>
      `{\n  "format_version": 2,\n  "lineage": "4f6c2a52-0d6e-4b8e-9a53-1f1f6f0c2b7e",\n  "serial": 3,\n  "clips": {\n    "harbor": ${entry(task)}${twice ? `,\n    "harbor": ${entry("")}` : ""}\n  }\n}\n`;
    writeFileSync(join(dir, "clipform.lock.json"), lockText(true));

    // 1. The config, a link to /dev/zero: both commands name it (and read nothing else).
    let run = prJob(dir);
    for (const r of [run.validate, run.plan]) expect(r.stderr).toMatch(/^error: clipform\.yaml: is a symbolic link out of the project \(to \/dev\/zero\)/m);

    // 2. A config whose outDir is the root: located.
    unlinkSync(join(dir, "clipform.yaml"));
    writeFileSync(join(dir, "clipform.yaml"), "version: 1\noutDir: .\n");
    run = prJob(dir);
    for (const r of [run.validate, run.plan]) expect(r.stderr).toMatch(/^clipform\.yaml:2:9: outDir must be a folder inside the project/m);

    // 3. The config fixed: every planted model file and manifest is one located error; the good manifest none.
    writeFileSync(join(dir, "clipform.yaml"), "version: 1\n");
    run = prJob(dir);
    for (const r of [run.validate, run.plan]) {
      expect(count(r.stderr, /^models\/own\.json:1:1: is a FIFO/)).toBe(1);
      expect(count(r.stderr, /^models\/zero\.json:1:1: is a symbolic link out of the project \(to \/dev\/zero\)/)).toBe(1);
      expect(count(r.stderr, /^specs\/x\.yaml:1:1: is a symbolic link out of the project \(to \/dev\/zero\)/)).toBe(1);
      expect(count(r.stderr, /^specs\/fifo\.yaml:1:1: is a FIFO/)).toBe(1);
      expect(count(r.stderr, /^specs\/out\.yaml:1:1: is a symbolic link out of the project/)).toBe(1);
      expect(count(r.stderr, /^specs\/frame\.yaml:\d+:\d+: image \/.*secret\.png lies outside the project/)).toBe(1);
      expect(r.stderr).not.toMatch(/specs\/good\.yaml/);
    }

    // 4. Manifests and models fixed: validate passes; plan names the lockfile's repeated clip, both places.
    rmSync(join(dir, "models"), { recursive: true });
    for (const f of ["x.yaml", "fifo.yaml", "out.yaml", "frame.yaml"]) rmSync(join(dir, "specs", f));
    run = prJob(dir);
    expect(run.validate.code, run.validate.stderr).toBe(0);
    expect(run.plan.stderr).toMatch(/^error: clipform\.lock\.json: the key "harbor" appears twice in clips, at line 6, column 5 and at line 7, column 5/m);

    // 5. The repeat merged: the fingerprint that is a path.
    writeFileSync(join(dir, "clipform.lock.json"), lockText(false));
    run = prJob(dir);
    expect(run.plan.stderr).toMatch(/^error: clipform\.lock\.json: the fingerprint "x:\.\.\/\.\.\/\.\.\/\.\.\/" is not one clipform writes/m);

    // 6. The lockfile restored: the quotes FIFO in .clipform is named (it is read to price the plan).
    rmSync(join(dir, "clipform.lock.json"));
    run = prJob(dir);
    expect(run.validate.code).toBe(0);
    expect(run.plan.stderr).toMatch(/^error: \.clipform\/quotes\.json: is a FIFO/m);

    // 7. Nothing planted any more: the plan runs.
    rmSync(join(dir, ".clipform"), { recursive: true });
    run = prJob(dir, 0);
    expect(run.plan.stdout).toContain("### clipform plan");
  });
});
