/**
 * `watch` never dies on an edit: each hostile manifest is saved in turn, each is shown as a
 * located error, and after the last one a valid save is planned again by the same process.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HOSTILE_MANIFESTS } from "../hostile/manifests.js";
import { project } from "../helpers/cli.js";
import { start, type Running } from "../helpers/watch-process.js";

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
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
});
