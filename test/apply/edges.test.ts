/**
 * Less travelled paths of apply: copies of a generation made in the same run, renames that also
 * add variants, downloads that cannot be done, the concurrency bound, --out-dir, and plans that
 * need no API at all.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  actionsOf,
  apply,
  cleanupAfterAll,
  clipsOf,
  entryProblems,
  listFiles,
  lockPathOf,
  manifest,
  planJson,
  readLock,
  run,
  sha256File,
  simProject,
  startSim,
} from "../helpers/apply-sim.js";

cleanupAfterAll();

describe.concurrent("apply: copies and renames", () => {
  it("two identical new clips: one generation, the second copied once it exists", async () => {
    const sim = await startSim();
    const dir = simProject([
      { id: "alpha", prompt: "The same sunrise over the same bay" },
      { id: "beta", prompt: "The same sunrise over the same bay" },
    ]);
    const plan = await planJson(dir);
    expect(actionsOf(plan)).toEqual({ alpha: "create", beta: "reuse" });
    expect(plan.summary.generations).toBe(1);
    const r = await apply(dir, sim);
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats().videoInference).toBe(1);
    const lock = readLock(dir);
    expect(entryProblems(dir, "alpha", lock)).toEqual([]);
    expect(entryProblems(dir, "beta", lock)).toEqual([]);
    expect(lock.clips.beta!.results[0]!.videoUUID).toBe(lock.clips.alpha!.results[0]!.videoUUID);
    expect(sha256File(join(dir, "clipform-out/beta.v1.mp4"))).toBe(sha256File(join(dir, "clipform-out/alpha.v1.mp4")));
    expect((await run(["plan", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });

  it("a rename that also asks for more variants: moves the first, generates only the extra one", async () => {
    const sim = await startSim();
    const dir = simProject([{ id: "old-name", prompt: "Gulls over a trawler" }]);
    expect((await apply(dir, sim)).code).toBe(0);
    const first = readLock(dir).clips["old-name"]!;
    writeFileSync(join(dir, "specs/clips.yaml"), manifest([{ id: "new-name", prompt: "Gulls over a trawler", numberResults: 2 }]));
    const plan = await planJson(dir);
    expect(actionsOf(plan)).toEqual({ "new-name": "reuse", "old-name": "delete" });
    expect(plan.changes.find((c) => c.address === "new-name")).toMatchObject({ generate: 1, reuse_from: "old-name" });

    const before = sim.stats().videoInference;
    const r = await apply(dir, sim);
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats().videoInference - before).toBe(1);
    const lock = readLock(dir);
    expect(lock.clips["old-name"]).toBeUndefined();
    const e = lock.clips["new-name"]!;
    expect(e.results).toHaveLength(2);
    expect(e.results[0]!.videoUUID).toBe(first.results[0]!.videoUUID);
    expect(e.tasks.at(-1)).toMatchObject({ numberResults: 1, status: "succeeded" });
    expect(entryProblems(dir, "new-name", lock, 2)).toEqual([]);
    expect((await run(["plan", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });

  it("a plan with only a rename needs no API key and sends nothing", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    expect((await apply(dir, sim)).code).toBe(0);
    writeFileSync(join(dir, "specs/clips.yaml"), manifest([{ id: "renamed", prompt: clipsOf(1)[0]!.prompt }]));
    const before = sim.stats().requests;
    const r = await run(["apply", "--auto-approve"], { cwd: dir }); // no RUNWARE_API_KEY, no base URL
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats().requests).toBe(before);
    expect(entryProblems(dir, "renamed", readLock(dir))).toEqual([]);
  });

  it("a plan that generates without RUNWARE_API_KEY: exit 1, says so, nothing sent", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    const r = await run(["apply", "--auto-approve"], { cwd: dir, env: { RUNWARE_BASE_URL: sim.apiUrl } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/RUNWARE_API_KEY is not set/);
    expect(sim.stats().requests).toBe(0);
    expect(existsSync(lockPathOf(dir))).toBe(false);
  });
});

describe.concurrent("apply: downloads that cannot be done, and where files go", () => {
  /**
   * The file is gone and its URL no longer serves it: apply cannot deliver what the plan showed.
   * It must not report "Apply complete" with exit 0 while the next plan still shows a download.
   */
  it("a download that fails is reported as a problem (non-zero exit), and the next plan still shows it", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    expect((await apply(dir, sim)).code).toBe(0);
    const lock = readLock(dir);
    const r0 = lock.clips["clip-01"]!.results[0]!;
    r0.videoURL = `${sim.url}/videos/00000000-0000-4000-8000-000000000000.mp4`; // expired: 404
    writeFileSync(lockPathOf(dir), JSON.stringify(lock, null, 2) + "\n");
    const file = join(dir, "clipform-out/clip-01.v1.mp4");
    writeFileSync(file, "truncated"); // altered: needs a download
    expect(actionsOf(await planJson(dir))).toEqual({ "clip-01": "download" });

    const r = await apply(dir, sim);
    expect(r.stderr).toMatch(/download failed clip-01/);
    expect(sim.stats().videoInference).toBe(1);
    expect(actionsOf(await planJson(dir))).toEqual({ "clip-01": "download" });
    expect(r.stderr).not.toMatch(/Apply complete/);
    expect(r.code).toBe(1);
  });

  it("--out-dir puts the videos elsewhere and the lockfile records them there", async () => {
    const sim = await startSim();
    const dir = simProject(2);
    const r = await apply(dir, sim, ["--out-dir", "renders/final"]);
    expect(r.code, r.stderr).toBe(0);
    const lock = readLock(dir);
    expect(lock.clips["clip-01"]!.results[0]!.file).toBe("renders/final/clip-01.v1.mp4");
    expect(sha256File(join(dir, "renders/final/clip-02.v1.mp4"))).toBe(lock.clips["clip-02"]!.results[0]!.sha256);
    expect(listFiles(dir).filter((f) => f.startsWith("clipform-out/"))).toEqual([]);
    expect((await run(["plan", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });
});

describe.concurrent("apply: concurrency", () => {
  it("--concurrency 3 bounds the generations in flight at the API", async () => {
    const sim = await startSim({ latencyMs: 120 });
    const dir = simProject(10);
    const r = await apply(dir, sim, ["--concurrency", "3"]);
    expect(r.code, r.stderr).toBe(0);
    const stats = sim.stats();
    expect(stats.videoInference).toBe(10);
    expect(stats.maxInFlight).toBe(3);
  });

  it("--concurrency 0 is refused before anything happens", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    const r = await apply(dir, sim, ["--concurrency", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--concurrency expects a whole number of at least 1, got "0"/);
    expect(sim.stats().requests).toBe(0);
    expect(existsSync(join(dir, ".clipform/apply.lock"))).toBe(false);
  });
});
