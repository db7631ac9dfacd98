/**
 * `watch` never dies on an edit: each hostile manifest is saved in turn, each is shown as a
 * located error, and after the last one a valid save is planned again by the same process.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { HOSTILE_MANIFESTS } from "../hostile/manifests.js";
import { project } from "../helpers/cli.js";
import { start, type Running } from "../helpers/watch-process.js";

let running: Running | undefined;
let sim: Simulator | undefined;
afterEach(async () => {
  await running?.stop();
  await sim?.close();
  running = undefined;
  sim = undefined;
});

const VALID = "version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: A slow drift over a harbor\n";

describe("clipform watch and hostile edits", () => {
  it("shows each hostile save as a located error and keeps going", async () => {
    const dir = project({ "specs/main.yaml": VALID });
    const file = join(dir, "specs", "main.yaml");
    running = start(["watch", "--debounce", "30"], { cwd: dir });
    const w = running;
    await w.waitFor(/update #1 in \d+ ms/);
    for (const m of HOSTILE_MANIFESTS) {
      const mark = w.output().length;
      writeFileSync(file, m.yaml);
      const out = await w.waitFor(/update #\d+ in/, { from: mark });
      expect(out, m.name).toMatch(new RegExp(`specs/main\\.yaml:\\d+:\\d+: .*${m.expect.source}`));
      expect(out).not.toMatch(/internal error|RangeError|    at /);
      expect(w.proc.exitCode, m.name).toBeNull();
    }
    const mark = w.output().length;
    writeFileSync(file, VALID);
    const out = await w.waitFor(/update #\d+ in/, { from: mark });
    expect(out).toContain("Plan: 1 to create.");
    expect(await w.stop()).toBe(0);
  }, 60_000);

  it("watch --apply refuses a lockfile naming a file outside the output folder, and keeps going", async () => {
    sim = await startSimulator({ latencyMs: 20, apiKey: "watch-key" });
    const env = { RUNWARE_BASE_URL: sim.apiUrl, RUNWARE_API_KEY: "watch-key" };
    const dir = project({ "specs/main.yaml": VALID.replace("klingai:1@2", "klingai:3@1") });
    const file = join(dir, "specs", "main.yaml");
    running = start(["watch", "--debounce", "30", "--apply", "--max-cost", "1", "--budget", "2", "--poll-interval", "20"], { cwd: dir, env });
    const w = running;
    await w.waitFor(/Apply complete: 1 succeeded/);
    const lockPath = join(dir, "clipform.lock.json");
    writeFileSync(lockPath, readFileSync(lockPath, "utf8").replace(/"file": "[^"]+"/, '"file": "../../../../etc/passwd"'));
    let mark = w.output().length;
    // A rename: the plan reuses the generation, which would copy the recorded file.
    writeFileSync(file, readFileSync(file, "utf8").replace("harbor:", "harbour:"));
    const out = await w.waitFor(/not applying: clipform\.lock\.json records files outside the output folder clipform-out/, { from: mark });
    expect(out).not.toMatch(/internal error|    at /);
    expect(w.proc.exitCode).toBeNull();
    mark = w.output().length;
    writeFileSync(file, readFileSync(file, "utf8").replace("A slow drift", "A quick drift"));
    await w.waitFor(/update #\d+ in/, { from: mark });
    expect(w.proc.exitCode).toBeNull();
  }, 60_000);
});
