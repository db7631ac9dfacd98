/**
 * Regressions for money bugs found in review: tasks the API acknowledged are never sent again;
 * reuse copies the right generation (sources replaced or swapped in the same apply); edits made
 * while an apply runs are not lost; stale partial downloads are not continued; plans of a subset
 * of manifests leave the others' entries alone.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildTask } from "../../src/apply/request.js";
import { loadProject } from "../../src/manifest/index.js";
import {
  actionsOf,
  apply,
  cleanupAfterAll,
  clipsOf,
  manifest,
  planJson,
  readLock,
  writeRecord,
  run,
  sha256File,
  simEnv,
  simProject,
  spawnCli,
  startSim,
  waitForOutput,
  FAST,
  collect,
  untilRecorded,
  hasLock,
  lockPathOf,
} from "../helpers/apply-sim.js";
import { png } from "../helpers/manifest-fixtures.js";
import { startCli } from "../helpers/run.js";
import { aspectOf, sampleFileName } from "../../src/sim/videos.js";

cleanupAfterAll();

describe.concurrent("apply: review regressions", () => {
  it("a task the API acknowledged is never sent again, even when a later poll says 'not found'", async () => {
    const slow = await startSim({ latencyMs: 10_000 });
    const dir = simProject(1);
    const p = spawnCli(["apply", ...FAST], { cwd: dir, env: simEnv(slow) });
    const done = collect(p);
    await waitForOutput(p, /submitted +clip-01/);
    // The acknowledgement is written at the next polling tick: kill once the journal holds it.
    await untilRecorded(dir, (l) => l.clips["clip-01"]?.tasks[0]?.acceptedAt !== undefined);
    p.kill("SIGKILL");
    await done;
    const task = readLock(dir).clips["clip-01"]!.tasks[0]!;
    expect(task.status).toBe("submitted");
    expect(task.acceptedAt).toBeDefined();

    // A fresh simulator has never heard of the task: the apply must not pay for it again.
    const fresh = await startSim();
    expect(actionsOf(await planJson(dir))).toEqual({ "clip-01": "resume" });
    const r = await apply(dir, fresh);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("taskNotFound");
    expect(fresh.stats().videoInference).toBe(0);
    const after = await planJson(dir);
    expect(actionsOf(after)).toEqual({ "clip-01": "retry" });
    expect(after.changes[0]!.estimated_cost_usd).toBeGreaterThan(0);
  });

  it("a task written ahead but never acknowledged is sent once more, within the budget", async () => {
    const slow = await startSim({ latencyMs: 10_000 });
    const dir = simProject(1);
    const p = spawnCli(["apply", ...FAST], { cwd: dir, env: simEnv(slow) });
    const done = collect(p);
    await waitForOutput(p, /submitted +clip-01/);
    await untilRecorded(dir, (l) => l.clips["clip-01"]?.tasks[0]?.acceptedAt !== undefined);
    p.kill("SIGKILL");
    await done;
    // As if the crash came between the write-ahead and the request: no acknowledgement recorded.
    const lock = readLock(dir);
    const task = lock.clips["clip-01"]!.tasks[0]!;
    delete task.acceptedAt;
    writeRecord(dir, lock);

    const fresh = await startSim();
    // The plan shows what sending it again could cost, so a budget below that refuses up front.
    const plan = await planJson(dir);
    expect(plan.changes[0]).toMatchObject({ action: "resume", estimated_cost_usd: 0.1848 });
    const refused = await apply(dir, fresh, ["--max-cost", "0.01"]);
    expect(refused.stderr).toContain("error: estimated $0.18 exceeds the --max-cost of $0.01. Nothing was sent.");
    expect(fresh.stats().requests).toBe(0);
    const ok = await apply(dir, fresh);
    expect(ok.code).toBe(0);
    expect(fresh.stats().acceptedTaskUUIDs).toEqual([task.taskUUID]);
  });

  it("a copy of a clip replaced in the same apply gets the new generation, not the old one", async () => {
    const sim = await startSim();
    const dir = simProject([{ id: "x", prompt: "Old prompt for the copy test" }]);
    expect((await apply(dir, sim)).code).toBe(0);
    writeFileSync(
      join(dir, "specs", "clips.yaml"),
      manifest([
        { id: "x", prompt: "New prompt for the copy test" },
        { id: "y", prompt: "New prompt for the copy test" },
      ]),
    );
    expect(actionsOf(await planJson(dir))).toEqual({ x: "replace", y: "reuse" });
    expect((await apply(dir, sim)).code).toBe(0);
    const lock = readLock(dir);
    expect(lock.clips.y!.results[0]!.videoUUID).toBe(lock.clips.x!.results[0]!.videoUUID);
    expect(lock.clips.y!.request.positivePrompt).toBe("New prompt for the copy test");
    expect(sim.stats().videoInference).toBe(2);
  });

  it("two clips swapping prompts keep both paid videos, each under its new name", async () => {
    const sim = await startSim();
    const dir = simProject([
      { id: "a", prompt: "Prompt one of the swap" },
      { id: "b", prompt: "Prompt two of the swap" },
    ]);
    expect((await apply(dir, sim)).code).toBe(0);
    const before = readLock(dir);
    const videoA = before.clips.a!.results[0]!;
    const videoB = before.clips.b!.results[0]!;
    writeFileSync(
      join(dir, "specs", "clips.yaml"),
      manifest([
        { id: "a", prompt: "Prompt two of the swap" },
        { id: "b", prompt: "Prompt one of the swap" },
      ]),
    );
    expect(actionsOf(await planJson(dir))).toEqual({ a: "reuse", b: "reuse" });
    expect((await apply(dir, sim)).code).toBe(0);
    const after = readLock(dir);
    expect(after.clips.a!.results[0]!.videoUUID).toBe(videoB.videoUUID);
    expect(after.clips.b!.results[0]!.videoUUID).toBe(videoA.videoUUID);
    expect(sha256File(join(dir, after.clips.a!.results[0]!.file!))).toBe(videoB.sha256);
    expect(sha256File(join(dir, after.clips.b!.results[0]!.file!))).toBe(videoA.sha256);
    expect(sim.stats().videoInference).toBe(2);
  });

  it("an entry written to the lockfile while an apply runs is merged in, not lost", async () => {
    const sim = await startSim({ latencyMs: 1_500 });
    const dir = simProject(1);
    const p = startCli(["apply", ...FAST], { cwd: dir, env: simEnv(sim), input: "" });
    await p.waitFor(/submitted +clip-01/, { stream: "stderr" });
    const lock = await untilRecorded(dir, (l) => l.clips["clip-01"]?.tasks[0]?.acceptedAt !== undefined);
    const foreign = structuredClone(lock.clips["clip-01"]!);
    foreign.tasks = [];
    foreign.results = [{ taskUUID: "00000000-0000-4000-8000-00000000beef", videoUUID: "00000000-0000-4000-8000-00000000cafe", costUsd: 0.1848 }];
    lock.clips["pulled-from-git"] = foreign;
    lock.serial += 5;
    writeFileSync(join(dir, "clipform.lock.json"), JSON.stringify(lock, null, 2));
    const r = await p.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("the lockfile was changed while this apply ran: merged it clip by clip");
    const after = readLock(dir);
    expect(after.clips["pulled-from-git"]!.results[0]!.videoUUID).toBe("00000000-0000-4000-8000-00000000cafe");
    expect(after.clips["clip-01"]!.results).toHaveLength(1);
    expect(after.serial).toBeGreaterThan(lock.serial);
  });

  it("a stale partial download of another video is not continued", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    mkdirSync(join(dir, "clipform-out"), { recursive: true });
    writeFileSync(join(dir, "clipform-out", "clip-01.v1.mp4.part"), Buffer.alloc(1000));
    expect((await apply(dir, sim)).code).toBe(0);
    const seed = readLock(dir).clips["clip-01"]!.results[0]!.seed!;
    const sample = readFileSync(new URL(`../../assets/video/${sampleFileName({ format: "MP4", seed, aspect: aspectOf(1280, 720) })}`, import.meta.url));
    expect(readFileSync(join(dir, "clipform-out", "clip-01.v1.mp4")).equals(sample)).toBe(true);
  });

  it("planning a subset of the manifests leaves the other manifests' entries alone", async () => {
    const sim = await startSim();
    const dir = simProject(clipsOf(1), { "specs/other.yaml": manifest([{ id: "other", prompt: "A clip from the other manifest" }]) });
    expect((await apply(dir, sim)).code).toBe(0);
    expect(actionsOf(await planJson(dir, ["specs/clips.yaml"]))).toEqual({ "clip-01": "no-op" });
    const r = await run(["apply", ...FAST, "specs/clips.yaml"], { cwd: dir, env: simEnv(sim) });
    expect(r.code).toBe(0);
    expect(Object.keys(readLock(dir).clips).sort()).toEqual(["clip-01", "other"]);
  });
});

describe("submitting a local image", () => {
  it("refuses an image edited since the plan was made", async () => {
    const dir = simProject(0, {
      "specs/clips.yaml": `version: 1\nclips:\n  c:\n    model: klingai:1@2\n    positivePrompt: A lighthouse at dusk\n    inputs:\n      frameImages: [./first.png]\n`,
      "specs/first.png": png(512, 512),
    });
    const clip = loadProject({ root: dir }).clips[0]!;
    writeFileSync(join(dir, "specs", "first.png"), png(640, 640));
    await expect(buildTask(clip, "00000000-0000-4000-8000-000000000001", 1, { upload: async () => "uploaded" })).rejects.toThrow(/changed since the plan was made/);
  });
});

describe("simulated and real videos never share a lockfile", () => {
  it("apply --sim keeps its record apart: the real apply afterwards generates everything, and the sim record is untouched", async () => {
    const dir = simProject(1);
    const simRun = await run(["apply", "--sim", "--auto-approve", "--poll-interval", "20"], { cwd: dir });
    expect(simRun.code, simRun.stderr).toBe(0);
    expect(hasLock(dir), "the real lockfile is never written by --sim").toBe(false);
    const simRecord = join(dir, ".clipform", "sim", "clipform.lock.json");
    const simText = readFileSync(simRecord, "utf8");
    expect(JSON.parse(simText).simulated).toBe(true);

    const sim = await startSim();
    const real = await apply(dir, sim);
    expect(real.code, real.stderr).toBe(0);
    expect(sim.stats().videoInference, "the simulated take is never taken for a paid one").toBe(1);
    expect(readLock(dir).simulated).toBeUndefined();
    expect(readLock(dir).clips["clip-01"]!.results[0]!.file).toBe("clipform-out/clip-01.v1.mp4");
    expect(readFileSync(simRecord, "utf8")).toBe(simText);

    const again = await run(["apply", "--sim", "--auto-approve"], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("simulated record (.clipform/sim/clipform.lock.json)");
    expect(again.stdout).toContain("Nothing to do.");
  });

  it("a real apply still refuses a lockfile marked simulated (written by an older clipform's apply --sim)", async () => {
    const dir = simProject(1);
    expect((await run(["apply", "--sim", "--auto-approve", "--poll-interval", "20"], { cwd: dir })).code).toBe(0);
    copyFileSync(join(dir, ".clipform", "sim", "clipform.lock.json"), lockPathOf(dir));
    const sim = await startSim();
    const real = await apply(dir, sim, ["--replace", "clip-01"]);
    expect(real.code).toBe(1);
    expect(real.stderr).toContain("records videos from the simulator (apply --sim)");
    expect(sim.stats().requests).toBe(0);
  });
});
