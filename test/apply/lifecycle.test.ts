/**
 * The apply loop end to end, against the simulator over loopback HTTP: create, no-op, replace,
 * rename (reuse), add-variants, downloads, learned prices and --json output.
 */
import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  actionsOf,
  apply,
  cleanupAfterAll,
  clipsOf,
  entryProblems,
  manifest,
  planJson,
  readLock,
  run,
  sha256File,
  SIM_PRICE,
  simProject,
  startSim,
} from "../helpers/apply-sim.js";

cleanupAfterAll();

describe.concurrent("apply: the edit loop", () => {
  it("apply, then no changes; a prompt edit replaces exactly one clip", async () => {
    const sim = await startSim();
    const dir = simProject(3);
    const first = await apply(dir, sim);
    expect(first.stderr).toMatch(/Apply complete: 3 succeeded, 0 failed/);
    expect(first.code).toBe(0);
    expect(sim.stats().videoInference).toBe(3);
    const lock = readLock(dir);
    for (const c of clipsOf(3)) expect(entryProblems(dir, c.id, lock)).toEqual([]);

    const again = await run(["plan", "--detailed-exitcode"], { cwd: dir });
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);

    const clips = clipsOf(3);
    const oldPrompt = clips[1]!.prompt;
    clips[1]!.prompt = "A completely different shot: a red kite over the dunes";
    writeFileSync(join(dir, "specs/clips.yaml"), manifest(clips));
    const plan = await planJson(dir);
    const changed = plan.changes.filter((c) => c.action !== "no-op");
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ address: "clip-02", action: "replace", generate: 1 });
    expect(changed[0]!.fields).toEqual([{ field: "positivePrompt", old: oldPrompt, new: clips[1]!.prompt }]);
    const text = await run(["plan"], { cwd: dir });
    // Long values are diffed word by word: every removed and added word is shown.
    expect(text.stdout).toContain("~ positivePrompt: [-Shot number 2:-]{+A completely different shot:+} a [-lighthouse keeper walks along-]{+red kite over+} the [-pier at dusk, variation 2-]{+dunes+}");
    expect(text.stdout).toMatch(/Plan: 1 to replace\./);

    const before = sim.stats();
    const oldTask = lock.clips["clip-02"]!.tasks[0]!.taskUUID;
    const second = await apply(dir, sim);
    expect(second.code).toBe(0);
    const after = sim.stats();
    expect(after.videoInference - before.videoInference).toBe(1);
    const lock2 = readLock(dir);
    expect(lock2.clips["clip-02"]!.request.positivePrompt).toBe(clips[1]!.prompt);
    expect(lock2.clips["clip-02"]!.tasks.map((t) => t.taskUUID)).not.toContain(oldTask);
    expect(after.acceptedTaskUUIDs.at(-1)).toBe(lock2.clips["clip-02"]!.tasks.at(-1)!.taskUUID);
    expect(lock2.clips["clip-01"]).toEqual(lock.clips["clip-01"]);
    expect(entryProblems(dir, "clip-02", lock2)).toEqual([]);
    expect((await run(["plan", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });

  it("a renamed clip is moved, not paid for again: reuse + delete, $0, file copied", async () => {
    const sim = await startSim();
    const dir = simProject(2);
    expect((await apply(dir, sim)).code).toBe(0);
    const lock = readLock(dir);
    const clips = clipsOf(2);
    clips[0]!.id = "renamed-clip";
    writeFileSync(join(dir, "specs/clips.yaml"), manifest(clips));

    const plan = await planJson(dir);
    expect(actionsOf(plan)).toEqual({ "clip-01": "delete", "clip-02": "no-op", "renamed-clip": "reuse" });
    expect(plan.changes.find((c) => c.address === "renamed-clip")).toMatchObject({ reuse_from: "clip-01", generate: 0 });
    expect(plan.changes.find((c) => c.address === "clip-01")!.reason).toMatch(/moved to renamed-clip/);
    expect(plan.summary.estimated_cost_usd).toBe(0);

    const before = sim.stats();
    const r = await apply(dir, sim);
    expect(r.code).toBe(0);
    const after = sim.stats();
    expect(after.videoInference).toBe(before.videoInference);
    expect(after.requests).toBe(before.requests);

    const lock2 = readLock(dir);
    expect(lock2.clips["clip-01"]).toBeUndefined();
    const moved = lock2.clips["renamed-clip"]!;
    expect(moved.fingerprint).toBe(lock.clips["clip-01"]!.fingerprint);
    expect(moved.results.map((x) => x.videoUUID)).toEqual(lock.clips["clip-01"]!.results.map((x) => x.videoUUID));
    expect(entryProblems(dir, "renamed-clip", lock2)).toEqual([]);
    expect(sha256File(join(dir, "clipform-out/renamed-clip.v1.mp4"))).toBe(lock.clips["clip-01"]!.results[0]!.sha256);
    // Local files of a deleted entry are kept.
    expect(existsSync(join(dir, "clipform-out/clip-01.v1.mp4"))).toBe(true);
    expect((await run(["plan", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });

  it("numberResults 1 → 3 generates only the 2 extra variants, in one task", async () => {
    const sim = await startSim();
    const dir = simProject([{ id: "kite", prompt: "A red kite over the dunes" }]);
    expect((await apply(dir, sim)).code).toBe(0);
    const firstVideo = readLock(dir).clips.kite!.results[0]!.videoUUID;
    writeFileSync(join(dir, "specs/clips.yaml"), manifest([{ id: "kite", prompt: "A red kite over the dunes", numberResults: 3 }]));

    const plan = await planJson(dir);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ address: "kite", action: "add-variants", generate: 2 });
    expect(plan.changes[0]!.estimated_cost_usd).toBeCloseTo(2 * SIM_PRICE, 4);

    const before = sim.stats();
    const r = await apply(dir, sim);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/submitted\s+kite .*\(2 variants/);
    const after = sim.stats();
    expect(after.videoInference - before.videoInference).toBe(1);
    const lock = readLock(dir);
    const e = lock.clips.kite!;
    expect(e.numberResults).toBe(3);
    expect(e.tasks).toHaveLength(2);
    expect(e.tasks[1]).toMatchObject({ numberResults: 2, status: "succeeded", taskUUID: after.acceptedTaskUUIDs.at(-1) });
    expect(e.results).toHaveLength(3);
    expect(e.results[0]!.videoUUID).toBe(firstVideo);
    expect(new Set(e.results.map((x) => x.videoUUID)).size).toBe(3);
    expect(entryProblems(dir, "kite", lock, 3)).toEqual([]);
    expect((await run(["plan", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });
});

describe.concurrent("apply: downloads", () => {
  it("a deleted file is downloaded again, not regenerated", async () => {
    const sim = await startSim();
    const dir = simProject(2);
    expect((await apply(dir, sim)).code).toBe(0);
    const lock = readLock(dir);
    const file = join(dir, "clipform-out/clip-02.v1.mp4");
    unlinkSync(file);

    const plan = await planJson(dir);
    expect(actionsOf(plan)).toEqual({ "clip-01": "no-op", "clip-02": "download" });
    expect(plan.summary.estimated_cost_usd).toBe(0);
    const before = sim.stats();
    const r = await apply(dir, sim);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/downloaded\s+clip-02/);
    const after = sim.stats();
    expect(after.videoInference).toBe(before.videoInference);
    expect(after.videoDownloads - before.videoDownloads).toBeGreaterThanOrEqual(1);
    const lock2 = readLock(dir);
    expect(lock2.clips["clip-02"]!.results[0]!.sha256).toBe(sha256File(file));
    expect(lock2.clips["clip-02"]!.results[0]!.sha256).toBe(lock.clips["clip-02"]!.results[0]!.sha256);
    expect(entryProblems(dir, "clip-02", lock2)).toEqual([]);
  });

  it("an altered file (different size) is downloaded again and matches the lockfile's sha256", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    expect((await apply(dir, sim)).code).toBe(0);
    const file = join(dir, "clipform-out/clip-01.v1.mp4");
    const original = readFileSync(file);
    writeFileSync(file, Buffer.concat([original, Buffer.from("tampered")]));

    const plan = await planJson(dir);
    expect(actionsOf(plan)).toEqual({ "clip-01": "download" });
    const before = sim.stats();
    const r = await apply(dir, sim);
    expect(r.code).toBe(0);
    expect(sim.stats().videoInference).toBe(before.videoInference);
    expect(readFileSync(file).equals(original)).toBe(true);
    expect(readLock(dir).clips["clip-01"]!.results[0]!.sha256).toBe(sha256File(file));
    expect((await run(["plan", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });
});

describe.concurrent("apply: learned prices and --json", () => {
  it("after an apply, a new clip of the same model and duration is estimated from learned prices", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    expect((await apply(dir, sim)).code).toBe(0);
    const before = await planJson(dir, []);
    expect(before.changes[0]!.price_source).toBeNull(); // no-op: nothing to price
    writeFileSync(join(dir, "specs/clips.yaml"), manifest(2));
    const plan = await planJson(dir);
    const created = plan.changes.find((c) => c.address === "clip-02")!;
    expect(created).toMatchObject({ action: "create", price_source: "learned" });
    expect(created.estimated_cost_usd).toBeCloseTo(SIM_PRICE, 4);
  });

  it("--json: every stdout line is JSON; the plan first, the summary last", async () => {
    const sim = await startSim();
    const dir = simProject(3);
    const r = await apply(dir, sim, ["--json"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs[0]).toMatchObject({ event: "plan", format_version: "1" });
    expect((objs[0]!.changes as unknown[]).length).toBe(3);
    expect(objs.at(-1)).toMatchObject({ event: "summary", succeeded: 3, failed: 0 });
    const events = objs.map((o) => o.event);
    expect(events.filter((e) => e === "submitted")).toHaveLength(3);
    expect(events.filter((e) => e === "succeeded")).toHaveLength(3);
    expect(events.filter((e) => e === "downloaded")).toHaveLength(3);
    for (const o of objs.slice(1, -1)) expect(o).not.toHaveProperty("type");
  });

  /** Tools read the last line as the outcome; a run with nothing to do has an outcome too. */
  it("--json with nothing to do: still JSON lines, the plan first and a summary last", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    expect((await apply(dir, sim)).code).toBe(0);
    const r = await apply(dir, sim, ["--json"]);
    expect(r.code).toBe(0);
    const objs = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs[0]).toMatchObject({ event: "plan" });
    expect(objs.at(-1)).toMatchObject({ event: "summary", succeeded: 0, failed: 0 });
  });
});
