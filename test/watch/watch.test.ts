import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { cli, exampleProject, project } from "../helpers/cli.js";
import { start, type Running } from "../helpers/watch-process.js";

let running: Running[] = [];
let sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await Promise.all(sims.map((s) => s.close()));
  running = [];
  sims = [];
});

function watch(args: string[], cwd: string, env?: Record<string, string>): Running {
  const r = start(["watch", "--debounce", "30", ...args], { cwd, ...(env ? { env } : {}) });
  running.push(r);
  return r;
}

const edit = (file: string, from: string | RegExp, to: string) => writeFileSync(file, readFileSync(file, "utf8").replace(from, to));

describe("clipform watch, driven as a user would", () => {
  it("re-plans on every save, survives a broken edit and comes back after the fix", async () => {
    const dir = exampleProject();
    const fanOut = join(dir, "specs", "fan-out.yaml");
    const w = watch([], dir);
    await w.waitFor(/update #1 in \d+ ms/);
    expect(w.output()).toContain("Plan: 12 to create.");

    let mark = w.output().length;
    edit(fanOut, "mood: [foggy, sunlit]", "mood: [foggy, sunlit, stormy]");
    let out = await w.waitFor(/update #\d+ in/, { from: mark });
    expect(out).toContain("+ harbor/wide/stormy");
    expect(out).toContain("Plan: 14 to create.");

    mark = w.output().length;
    edit(fanOut, "model: klingai:3@1", "model: klingai:3@1\n    duration: 7\n    positivePrompt: \"never closed");
    out = await w.waitFor(/update #\d+ in/, { from: mark });
    expect(out).toMatch(/specs\/fan-out\.yaml:\d+:\d+: unterminated quoted string/);
    expect(out).toContain("nothing is planned or applied until then");
    expect(w.proc.exitCode).toBeNull();

    mark = w.output().length;
    edit(fanOut, "    duration: 7\n    positivePrompt: \"never closed", "    duration: 7");
    out = await w.waitFor(/update #\d+ in/, { from: mark });
    expect(out).toMatch(/specs\/fan-out\.yaml:8:15: duration 7 is not supported by klingai:3@1 \(allowed: 5, 10 seconds\) \(in 6 clips of the fan-out: harbor\/wide\/foggy, /);

    mark = w.output().length;
    edit(fanOut, "\n    duration: 7", "");
    out = await w.waitFor(/update #\d+ in/, { from: mark });
    expect(out).toContain("Plan: 14 to create.");
    expect(await w.stop()).toBe(0);
  });

  it("re-plans when a local image changes: the clips using it are replaced", async () => {
    const dir = exampleProject();
    expect((await cli(["apply", "--sim", "--auto-approve"], { cwd: dir })).code).toBe(0);
    const w = watch(["--sim"], dir);
    await w.waitFor(/update #1 /);
    expect(w.output()).toContain("No changes.");
    const mark = w.output().length;
    const image = join(dir, "specs", "assets", "lighthouse-dusk.png");
    writeFileSync(image, Buffer.concat([readFileSync(image), Buffer.from("changed")]));
    const out = await w.waitFor(/Plan: 2 to replace\./, { from: mark });
    expect(out).toMatch(/-\/\+ lighthouse-dawn +replace/);
    expect(out).toMatch(/-\/\+ lighthouse-dusk-to-night +replace/);
    expect(out).toContain("~ frameImages: first: ./assets/lighthouse-dusk.png sha256:");
  });

  it("--serve: the live report, its version bumping on every re-plan, and only the files it shows", async () => {
    const dir = exampleProject();
    expect((await cli(["apply", "--sim", "--auto-approve"], { cwd: dir })).code).toBe(0);
    const w = watch(["--serve", "0", "--sim"], dir);
    const first = await w.waitFor(/report at (http:\/\/127\.0\.0\.1:\d+\/)/);
    const url = /report at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(first)![1]!;
    const page = await (await fetch(url)).text();
    expect(page).toContain("origami-dragon");
    expect(page).toContain('src=".clipform/sim/clipform-out/origami-dragon.v2.mp4"');
    expect(page).toContain('<p class="simulated-note">simulated record (.clipform/sim/clipform.lock.json)');
    const v1 = await (await fetch(`${url}__report/version`)).text();

    const video = await fetch(`${url}.clipform/sim/clipform-out/origami-dragon.v2.mp4`, { headers: { range: "bytes=0-7" } });
    expect(video.status).toBe(206);
    expect(Buffer.from(await video.arrayBuffer()).toString("latin1", 4, 8)).toBe("ftyp");
    expect((await fetch(`${url}specs/fan-out.yaml`)).status).toBe(404);
    // The input keyframes the page shows are served too, as pictures.
    expect(page).toContain('<img src="specs/assets/lighthouse-dusk.png"');
    const keyframe = await fetch(`${url}specs/assets/lighthouse-dusk.png`);
    expect(keyframe.status).toBe(200);
    expect(keyframe.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await keyframe.arrayBuffer()).equals(readFileSync(join(dir, "specs", "assets", "lighthouse-dusk.png")))).toBe(true);
    expect((await fetch(`${url}..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);

    const mark = w.output().length;
    edit(join(dir, "specs", "fan-out.yaml"), "mood: [foggy, sunlit]", "mood: [foggy, sunlit, stormy]");
    await w.waitFor(/update #\d+ in/, { from: mark });
    const v2 = await (await fetch(`${url}__report/version`)).text();
    expect(v2).not.toBe(v1);
    expect(await (await fetch(url)).text()).toContain("harbor/wide/stormy");
  });

  it("--apply needs --max-cost and --budget", async () => {
    const r = await cli(["watch", "--apply"], { cwd: exampleProject() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("needs --max-cost (per change) and --budget (for the whole run)");
  });
});

describe("clipform watch --apply", () => {
  const clips = (n: number, latencyNote = "") =>
    `version: 1\ndefaults:\n  model: klingai:3@1\n  width: 1280\n  height: 720\nclips:\n${Array.from({ length: n }, (_, i) => `  c${i}:\n    positivePrompt: Clip ${i} of the watch test${latencyNote}\n`).join("")}`;

  async function simEnv(latencyMs: number) {
    const sim = await startSimulator({ latencyMs, apiKey: "watch-key" });
    sims.push(sim);
    return { sim, env: { RUNWARE_BASE_URL: sim.apiUrl, RUNWARE_API_KEY: "watch-key" } };
  }

  it("applies each save within the per-change limit and the run budget", async () => {
    const { sim, env } = await simEnv(50);
    const dir = project({ "specs/a.yaml": clips(2) });
    const w = watch(["--apply", "--max-cost", "0.40", "--budget", "0.60", "--poll-interval", "20"], dir, env);
    await w.waitFor(/Apply complete: 2 succeeded/);
    expect(sim.stats().videoInference).toBe(2);

    let mark = w.output().length;
    edit(join(dir, "specs", "a.yaml"), "Clip 0 of", "Clip zero of");
    await w.waitFor(/Apply complete: 1 succeeded/, { from: mark });
    expect(sim.stats().videoInference).toBe(3);

    // Three new clips: $0.5544 is over the per-change limit of $0.40.
    mark = w.output().length;
    writeFileSync(join(dir, "specs", "b.yaml"), clips(3).replace(/c(\d)/g, "b$1").replace(/Clip/g, "Other clip"));
    await w.waitFor(/not applying: this change is estimated at \$0\.55, over --max-cost \$0\.40 per change/, { from: mark });

    // One new clip fits the change limit but not what is left of the run budget ($0.5544 spent of $0.60).
    mark = w.output().length;
    writeFileSync(join(dir, "specs", "b.yaml"), clips(1).replace(/c(\d)/g, "b$1").replace(/Clip/g, "Other clip"));
    await w.waitFor(/not applying: \$0\.18 more would take this run past its --budget of \$0\.60/, { from: mark });
    expect(sim.stats().videoInference).toBe(3);
  });

  it("honours a manifest's own budget too", async () => {
    const { sim, env } = await simEnv(50);
    const dir = project({ "specs/a.yaml": clips(1).replace("version: 1", "version: 1\nbudget:\n  maxCost: 0.10") });
    const w = watch(["--apply", "--max-cost", "5", "--budget", "5", "--poll-interval", "20"], dir, env);
    await w.waitFor(/not applying: estimated \$0\.18 exceeds the specs\/a\.yaml budget of \$0\.10/);
    expect(sim.stats().videoInference).toBe(0);
  });

  it("never resubmits what is in flight, and a newer save cancels queued work it made obsolete", async () => {
    const { sim, env } = await simEnv(700);
    const dir = project({ "specs/a.yaml": clips(3) });
    const w = watch(["--apply", "--max-cost", "1", "--budget", "2", "--concurrency", "1", "--poll-interval", "20"], dir, env);
    await w.waitFor(/submitted +c0 /);
    // c0 is in flight; c1 and c2 are queued. Change c2: its queued generation is obsolete.
    const mark = w.output().length;
    edit(join(dir, "specs", "a.yaml"), "Clip 2 of", "Clip two of");
    await w.waitFor(/cancelled 1 queued generation made obsolete by this save/, { from: mark });
    await w.waitFor(/submitted +c2 /, { from: mark, timeoutMs: 20_000 });
    await w.waitFor(/Apply complete: 1 succeeded/, { from: w.output().lastIndexOf("submitted   c2"), timeoutMs: 20_000 });
    const s = sim.stats();
    expect(s.videoInference).toBe(3);
    expect(s.duplicatesRefused).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, "clipform.lock.json"), "utf8"));
    expect(lock.clips.c2.request.positivePrompt).toBe("Clip two of the watch test");
    expect(Object.keys(lock.clips).sort()).toEqual(["c0", "c1", "c2"]);
  });
});
