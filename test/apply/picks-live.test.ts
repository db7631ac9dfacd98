/**
 * The two cases of issue 19 where pick and prune met, as a new user runs them (`init`, then
 * `apply` on the starter clip and a film of it, against the simulator), in this process through
 * `run(argv, io)`:
 * - prune never drops the picked take: the film is cut from it, and plan and status never say
 *   "up to date" while its file is missing (apply downloads it again);
 * - a pick belongs to its request: after an edit and a revert the clip is back on its picked take
 *   (a $0 reuse), `pick` marks it, and the film is cut from it.
 */
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { project } from "../helpers/cli.js";
import { clipform as inproc, ok as inprocOk } from "../helpers/inproc.js";
import { cleanupAfterAll, simEnv, startSim } from "../helpers/apply-sim.js";

cleanupAfterAll();

const APPLY = ["apply", "--auto-approve", "--poll-interval", "20"];
const MANIFEST = "specs/clips.yaml";

/** The simulator each project's applies talk to (its videos' URLs stay valid for the test). */
const env = new Map<string, Record<string, string>>();

const clipform = (cwd: string, ...argv: string[]) => inproc(cwd, env.get(cwd) ?? {}, ...argv);
const ok = (cwd: string, ...argv: string[]) => inprocOk(cwd, env.get(cwd) ?? {}, ...argv);

interface Lock {
  clips: Record<string, { results: { videoUUID: string; taskUUID: string; file?: string }[]; picked?: string }>;
  takes?: Record<string, { tasks: { taskUUID: string }[]; results: { videoUUID: string; taskUUID: string; file?: string }[]; picks?: Record<string, string> }>;
}
const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, "clipform.lock.json"), "utf8")) as Lock;
const filmVideos = (dir: string) => (JSON.parse(readFileSync(join(dir, ".clipform/sequences.json"), "utf8")) as { sequences: Record<string, { videos: string[] }> }).sequences.film!.videos;

/** `clipform init`, and a film of the starter clip, applied against a simulator of its own. */
async function starter(): Promise<string> {
  const dir = project();
  env.set(dir, simEnv(await startSim({ latencyMs: 5 })));
  await ok(dir, "init");
  appendFileSync(join(dir, MANIFEST), "sequences:\n  film: [first-light]\n");
  return dir;
}

/** apply, apply --replace first-light: two takes of one request; returns take 1's video. */
async function twoTakes(dir: string): Promise<string> {
  await ok(dir, ...APPLY);
  const take1 = lockOf(dir).clips["first-light"]!.results[0]!;
  await ok(dir, ...APPLY, "--replace", "first-light");
  expect(lockOf(dir).clips["first-light"]!.results[0]!.videoUUID).not.toBe(take1.videoUUID);
  return take1.videoUUID;
}

/** The take `pick ADDR` marks with `*`: its number. */
async function marked(dir: string): Promise<number[]> {
  const list = await ok(dir, "pick", "first-light");
  return list.split("\n").filter((l) => l.startsWith("*")).map((l) => Number(l.slice(1).trim().split(/\s+/)[0]));
}

describe("picks and prune (issue 19)", () => {
  it("apply, apply --replace, pick 1, prune: the picked take is kept, the film is cut from it, and a missing file of it is never 'up to date'", async () => {
    const dir = await starter();
    const take1 = await twoTakes(dir);
    expect(await ok(dir, "pick", "first-light", "1")).toMatch(/first-light now uses take 1/);

    const pruned = await ok(dir, "prune");
    expect(pruned).toContain("Nothing to prune. 1 kept take is live, so kept: first-light (picked).");
    const kept = Object.values(lockOf(dir).takes ?? {}).flatMap((t) => t.results);
    const picked = kept.find((r) => r.videoUUID === take1)!;
    expect(picked.file).toBeDefined();
    expect(existsSync(join(dir, picked.file!))).toBe(true);

    // The film is cut again from the picked take, and then all is up to date.
    expect((await ok(dir, "plan"))).toMatch(/film {2}cut/);
    await ok(dir, ...APPLY);
    expect(filmVideos(dir)).toEqual([take1]);
    expect((await clipform(dir, "plan", "--detailed-exitcode")).code).toBe(0);

    // The picked take's file goes missing: plan and status say so, apply fetches it again.
    rmSync(join(dir, picked.file!));
    const plan = await clipform(dir, "plan", "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/first-light.*download|download.*first-light/);
    const status = await ok(dir, "status");
    expect(status).not.toContain("Everything is generated and on disk");
    await ok(dir, ...APPLY);
    expect(existsSync(join(dir, picked.file!))).toBe(true);
    expect((await clipform(dir, "plan", "--detailed-exitcode")).code).toBe(0);
    expect(await ok(dir, "status")).toContain("Everything is generated and on disk");
  });

  it("prune keeps the take a film was last cut from, and says so", async () => {
    const dir = await starter();
    const withFilm = readFileSync(join(dir, MANIFEST), "utf8");
    await ok(dir, ...APPLY);
    const take1 = lockOf(dir).clips["first-light"]!.results[0]!.videoUUID;
    expect(filmVideos(dir)).toEqual([take1]);
    // The sequence leaves the manifest; its film (cut from take 1) stays, and take 1 is replaced.
    writeFileSync(join(dir, MANIFEST), withFilm.replace("sequences:\n  film: [first-light]\n", ""));
    await ok(dir, ...APPLY, "--replace", "first-light");
    expect(await ok(dir, "prune")).toContain("Nothing to prune. 1 kept take is live, so kept: first-light (a film was cut from it).");
    expect(Object.values(lockOf(dir).takes ?? {}).flatMap((t) => t.results.map((r) => r.videoUUID))).toEqual([take1]);
  });

  it("pick take 1, edit the prompt, apply, revert it, apply: a $0 reuse back on take 1; pick marks it; the film is cut from it", async () => {
    const dir = await starter();
    const take1 = await twoTakes(dir);
    await ok(dir, "pick", "first-light", "1");
    expect(await marked(dir)).toEqual([1]);

    const original = readFileSync(join(dir, MANIFEST), "utf8");
    writeFileSync(join(dir, MANIFEST), original.replace("at first light", "at first light, seen from a boat"));
    await ok(dir, ...APPLY);
    // The new request has no pick of its own: it uses its one take.
    expect(lockOf(dir).clips["first-light"]!.picked).toBeUndefined();
    expect(await marked(dir)).toEqual([1]);

    writeFileSync(join(dir, MANIFEST), original);
    const plan = JSON.parse((await clipform(dir, "plan", "--json")).stdout) as { changes: { address: string; action: string; reason: string; estimated_cost_usd: number }[] };
    const change = plan.changes.find((c) => c.address === "first-light")!;
    expect(change).toMatchObject({ action: "reuse", estimated_cost_usd: 0 });
    expect.soft(change.reason).toMatch(/back on take 1 \([0-9a-f]{8}\), the one picked for this request/);
    await ok(dir, ...APPLY);

    const entry = lockOf(dir).clips["first-light"]!;
    expect(entry.results[0]!.videoUUID).toBe(take1);
    expect(entry.picked).toBe(entry.results[0]!.taskUUID);
    expect(await marked(dir)).toEqual([1]);
    expect(filmVideos(dir)).toEqual([take1]);
  });
});
