/**
 * The watch loop's periodic check (the safety net for missed file events), in process with a fake
 * interval clock: with nothing saved it never re-plans, not even for the local images the first
 * plan read, so `--apply` never starts an apply nobody asked for; a real save it still catches.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { palette } from "../../src/render/colors.js";
import { RunwareClient } from "../../src/runware/client.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { IncrementalProject } from "../../src/watch/project.js";
import { ProjectWatcher, type WatchOptions } from "../../src/watch/watch.js";
import { fileStamp } from "../../src/util/stamp.js";
import { exampleProject, project, REPO } from "../helpers/cli.js";

/** Several periods of the safety check (500 ms). */
const CHECKS_MS = 2_000;

let watchers: ProjectWatcher[] = [];
let sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(watchers.map((w) => w.close()));
  await Promise.all(sims.map((s) => s.close()));
  watchers = [];
  sims = [];
  vi.useRealTimers();
});

/** A watcher whose safety check runs only when the test advances the fake interval clock. */
async function watching(root: string, extra: Partial<WatchOptions> = {}) {
  // Only the interval is fake: chokidar and the apply engine keep their real timers.
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
  let out = "";
  const waiting = new Set<() => void>();
  const write = (t: string) => {
    out += t;
    for (const check of waiting) check();
  };
  const w = new ProjectWatcher({ root, paths: [], color: palette(false), tty: false, write, debounceMs: 30, ...extra });
  watchers.push(w);
  await w.start();
  /** Resolves once `pattern` has been written (bounded by the test's timeout). */
  const written = (pattern: RegExp) =>
    new Promise<void>((resolve) => {
      const check = () => pattern.test(out) && (waiting.delete(check), resolve());
      waiting.add(check);
      check();
    });
  return { w, output: () => out, written };
}

describe("watch: the safety check sees no save where there was none", () => {
  it("plans once at start on a project with local images, catches a real save, and sees no save after an edit that drops an image", async () => {
    const dir = exampleProject();
    const { w, output } = await watching(dir);
    expect(w.updates).toBe(1);
    expect(output()).toMatch(/\(4 manifests, 2 images\) · update #1 /);

    vi.advanceTimersByTime(CHECKS_MS);
    expect(w.updates).toBe(1);

    // Everything below runs without yielding, so no file event can arrive: only the check acts.
    // The control: the check does see a saved image.
    const image = join(dir, "specs", "assets", "lighthouse-dusk.png");
    writeFileSync(image, Buffer.concat([readFileSync(image), Buffer.from("changed")]));
    vi.advanceTimersByTime(CHECKS_MS);
    expect(w.updates).toBe(2);

    // An edit that stops using an image: one update for the save, none after it.
    const manifest = join(dir, "specs", "image-to-video.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("        - { image: ./assets/lighthouse-night.png, frame: last }\n", ""));
    vi.advanceTimersByTime(CHECKS_MS);
    expect(w.updates).toBe(3);
    expect(output()).toMatch(/\(4 manifests, 1 image\) · update #3 /);
    vi.advanceTimersByTime(CHECKS_MS);
    expect(w.updates).toBe(3);
  });

  it("--apply: a run whose generation failed is not re-sent by a false save", async () => {
    const sim = await startSimulator({ latencyMs: 20, apiKey: "safety-key", failRate: 1 });
    sims.push(sim);
    const manifest = readFileSync(join(REPO, "specs", "image-to-video.yaml"), "utf8");
    const dir = project({ "specs/a.yaml": manifest.slice(0, manifest.indexOf("  lighthouse-dusk-to-night:")) });
    mkdirSync(join(dir, "specs", "assets"));
    copyFileSync(join(REPO, "specs", "assets", "lighthouse-dusk.png"), join(dir, "specs", "assets", "lighthouse-dusk.png"));
    const client = new RunwareClient({ baseUrl: sim.apiUrl, apiKey: "safety-key" });
    const session = { client, simulated: false, label: "the test simulator", close: async () => undefined };
    const { w, output, written } = await watching(dir, { apply: { maxCostPerChange: 5, budget: 5, session, concurrency: 2, pollIntervalMs: 20, outDir: "clipform-out" } });
    await written(/Apply finished with problems: .*1 failed/);
    expect(sim.stats().videoInference).toBe(1);

    vi.advanceTimersByTime(CHECKS_MS);
    expect(w.updates).toBe(1);
    expect(output().match(/applying: /g)).toHaveLength(1);
    expect(sim.stats().videoInference).toBe(1);
  });

  it("an image stamped after it was read is stamped as read only if it still holds what was read", () => {
    const dir = exampleProject();
    const loaded = new IncrementalProject(dir, []);
    const frame = loaded.load().clips.flatMap((c) => c.frameImages).find((f) => f.path?.endsWith("lighthouse-dusk.png"))!;
    expect(loaded.stampOfRead(frame.path!, frame.sha256)).toBe(fileStamp(frame.path!));
    // Saved between the read and the stamp: the stamp is one no file has, so the next check re-plans.
    writeFileSync(frame.path!, Buffer.concat([readFileSync(frame.path!), Buffer.from("saved meanwhile")]));
    expect(loaded.stampOfRead(frame.path!, frame.sha256)).not.toBe(fileStamp(frame.path!));
  });
});
