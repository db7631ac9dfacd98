/**
 * Every paid generation is an asset (format 2), end to end against the simulator: a revert
 * reuses the earlier take at $0, replaced takes keep their records and files, lifetime spend
 * matches what the API charged, and a manifest's budget bounds its lifetime spend.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunwareClient } from "../../src/runware/client.js";
import type { Simulator } from "../../src/sim/index.js";
import { actionsOf, API_KEY, apply, cleanupAfterAll, manifest, planJson, readLock, run, sha256File, simProject, SIM_PRICE, startSim, type ClipSpec } from "../helpers/apply-sim.js";

cleanupAfterAll();

/** What the API itself reports as charged, over every task it accepted. */
async function charged(sim: Simulator): Promise<number> {
  const client = new RunwareClient({ baseUrl: sim.apiUrl, apiKey: API_KEY });
  try {
    const answers = await client.poll(sim.stats().acceptedTaskUUIDs);
    let sum = 0;
    for (const a of answers.values()) for (const it of a.items) sum += it.cost ?? 0;
    return Math.round(sum * 1e4) / 1e4;
  } finally {
    await client.close();
  }
}

const P1 = "A lighthouse keeper climbs the spiral stairs at dusk";
const P2 = "A lighthouse keeper climbs the spiral stairs at dawn";

async function statusJson(dir: string) {
  const r = await run(["status", "--json"], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { totals: { spent_usd: number }; manifests: { items: { address: string; spent_usd: number }[] }[] };
}

describe.concurrent("takes: every paid generation is kept", () => {
  it("revert to a paid request: plan reuse at $0, nothing sent, both takes' files kept; lifetime spend = the API's charges", async () => {
    const sim = await startSim();
    const clips = (prompt: string): ClipSpec[] => [
      { id: "keeper", prompt },
      { id: "pier", prompt: "Waves break over the pier", numberResults: 2 },
    ];
    const dir = simProject(clips(P1));
    const edit = (prompt: string) => writeFileSync(join(dir, "specs/clips.yaml"), manifest(clips(prompt)));
    expect((await apply(dir, sim)).code).toBe(0);
    const first = readLock(dir).clips.keeper!;
    const firstSha = first.results[0]!.sha256;

    edit(P2);
    expect((await apply(dir, sim)).code).toBe(0);
    const afterReplace = readLock(dir) as unknown as { format_version: number; clips: Record<string, { fingerprint: string }>; takes: Record<string, { address: string; results: { videoUUID: string; file?: string; sha256?: string }[] }> };
    expect(afterReplace.format_version).toBe(2);
    // The first take's record and file are kept, at a per-take path.
    const kept = afterReplace.takes[first.fingerprint]!;
    expect(kept.address).toBe("keeper");
    expect(kept.results.map((r) => r.videoUUID)).toEqual([first.results[0]!.videoUUID]);
    expect(kept.results[0]!.file).toMatch(/^clipform-out\/takes\/[0-9a-f]{12}\/[0-9a-f]{8}-keeper\.v1\.mp4$/);
    expect(sha256File(join(dir, kept.results[0]!.file!))).toBe(firstSha);
    const secondSha = readLock(dir).clips.keeper!.results[0]!.sha256;

    // Revert: the earlier request was paid for, so it is a reuse at $0 and the API gets nothing.
    edit(P1);
    const plan = await planJson(dir);
    expect(actionsOf(plan).keeper).toBe("reuse");
    expect(plan.changes.find((c) => c.address === "keeper")).toMatchObject({ estimated_cost_usd: 0, generate: 0, reuse_from: `take:${first.fingerprint}` });
    expect(plan.summary.estimated_cost_usd).toBe(0);
    const before = sim.stats().videoInference;
    const r = await apply(dir, sim);
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats().videoInference).toBe(before);
    const reverted = readLock(dir);
    expect(reverted.clips.keeper!.results[0]!.videoUUID).toBe(first.results[0]!.videoUUID);
    expect(sha256File(join(dir, "clipform-out/keeper.v1.mp4"))).toBe(firstSha);
    // The take it replaced (P2) is kept too, with its file.
    const p2take = Object.values((reverted as unknown as typeof afterReplace).takes).find((t) => t.results.some((x) => x.sha256 === secondSha))!;
    expect(existsSync(join(dir, p2take.results[0]!.file!))).toBe(true);
    expect((await planJson(dir)).summary.estimated_cost_usd).toBe(0);

    // A reroll of the same request pays again, and keeps the take it replaces.
    expect((await apply(dir, sim, ["--replace", "keeper"])).code).toBe(0);
    expect(sim.stats().videoInference).toBe(before + 1);

    // Lifetime spend counts every charge: 3 generations of keeper (P1, P2, the reroll), 2 variants of pier.
    const api = await charged(sim);
    expect(api).toBeCloseTo(5 * SIM_PRICE, 4);
    const status = await statusJson(dir);
    expect(status.totals.spent_usd).toBeCloseTo(api, 4);
    const keeper = status.manifests.flatMap((m) => m.items).find((i) => i.address === "keeper")!;
    expect(keeper.spent_usd).toBeCloseTo(3 * SIM_PRICE, 4);
    const plan2 = await planJson(dir);
    expect(plan2.changes.find((c) => c.address === "keeper")).toMatchObject({ action: "no-op", spent_usd: 0.5544 });
  });

  it("apply --sim keeps a replaced take's file too: the simulator's record lives under .clipform/sim/, its paths relative to the root", async () => {
    const dir = simProject([{ id: "keeper", prompt: P1 }]);
    const sim = ["apply", "--sim", "--auto-approve", "--poll-interval", "20"];
    expect((await run(sim, { cwd: dir })).code).toBe(0);
    expect((await run([...sim, "--replace", "keeper"], { cwd: dir })).code).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, ".clipform", "sim", "clipform.lock.json"), "utf8")) as { takes: Record<string, { results: { file?: string }[] }> };
    const kept = Object.values(lock.takes).flatMap((t) => t.results);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.file).toMatch(/^\.clipform\/sim\/clipform-out\/takes\//);
    expect(existsSync(join(dir, kept[0]!.file!))).toBe(true);
  });

  it("pick records the take a clip uses; prune drops unused takes, says what they cost, and the ledger keeps it", async () => {
    const sim = await startSim();
    const dir = simProject([{ id: "keeper", prompt: P1 }]);
    expect((await apply(dir, sim)).code).toBe(0);
    expect((await apply(dir, sim, ["--replace", "keeper"])).code).toBe(0); // a reroll: two takes of one request
    const list = await run(["pick", "keeper"], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.trim().split("\n")).toHaveLength(2);
    expect(list.stdout).toMatch(/^\* 2 /m); // the latest is used until one is picked
    const picked = await run(["pick", "keeper", "1"], { cwd: dir });
    expect(picked.code, picked.stderr).toBe(0);
    const lock = readLock(dir) as unknown as { clips: { keeper: { picked?: string } }; takes: Record<string, { tasks: { taskUUID: string }[] }> };
    expect(lock.clips.keeper.picked).toBe(Object.values(lock.takes)[0]!.tasks[0]!.taskUUID);
    expect((await planJson(dir)).changes[0]!.reason).toMatch(/uses picked take/);
    expect((await run(["pick", "keeper", "9"], { cwd: dir })).stderr).toMatch(/no take "9" for keeper; its takes are 1 \(.{8}\), 2 \(.{8}\)/);

    writeFileSync(join(dir, "specs/clips.yaml"), manifest([{ id: "keeper", prompt: P2 }]));
    expect((await apply(dir, sim)).code).toBe(0);
    const spent = (await statusJson(dir)).totals.spent_usd;
    expect(spent).toBeCloseTo(3 * SIM_PRICE, 4);
    const dry = await run(["prune", "--dry-run"], { cwd: dir });
    expect(dry.stdout).toMatch(/would drop take [0-9a-f]{12} of keeper: 2 tasks, 2 videos, cost \$0\.37, 2 files/);
    const keptFiles = Object.values((readLock(dir) as unknown as { takes: Record<string, { results: { file: string }[] }> }).takes).flatMap((t) => t.results.map((r) => r.file));
    expect(keptFiles.every((f) => existsSync(join(dir, f)))).toBe(true);
    const pruned = await run(["prune"], { cwd: dir });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/Pruned 1 take that cost \$0\.37/);
    expect(keptFiles.some((f) => existsSync(join(dir, f)))).toBe(false);
    expect((readLock(dir) as unknown as { takes?: object }).takes).toBeUndefined();
    // Pruning a record does not un-spend it; reverting to a pruned request pays again (and says so).
    expect((await statusJson(dir)).totals.spent_usd).toBeCloseTo(spent, 4);
    writeFileSync(join(dir, "specs/clips.yaml"), manifest([{ id: "keeper", prompt: P1 }]));
    const plan = await planJson(dir);
    expect(plan.changes[0]).toMatchObject({ action: "replace", estimated_cost_usd: SIM_PRICE });
  });

  it("--replace ADDR#N rerolls one variant alone: the others stay, the old one is kept as a take", async () => {
    const sim = await startSim();
    const dir = simProject([{ id: "pier", prompt: "Waves break over the pier", numberResults: 2 }]);
    expect((await apply(dir, sim)).code).toBe(0);
    const before = readLock(dir).clips.pier!;
    const plan = await planJson(dir, ["--replace", "pier#2"]);
    expect(plan.changes[0]).toMatchObject({ action: "replace", generate: 1, estimated_cost_usd: SIM_PRICE });
    const r = await apply(dir, sim, ["--replace", "pier#2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats().videoInference).toBe(2);
    const after = readLock(dir) as unknown as { clips: { pier: { results: { videoUUID: string; file: string; sha256: string }[] } }; takes: Record<string, { results: { videoUUID: string; file: string }[] }> };
    const [v1, v2] = after.clips.pier.results;
    expect(after.clips.pier.results).toHaveLength(2);
    expect(v1!.videoUUID).toBe(before.results[0]!.videoUUID);
    expect(v2!.videoUUID).not.toBe(before.results[1]!.videoUUID);
    expect(v2!.file).toBe("clipform-out/pier.v2.mp4");
    expect(sha256File(join(dir, v2!.file))).toBe(v2!.sha256);
    const kept = Object.values(after.takes).flatMap((t) => t.results);
    expect(kept.map((k) => k.videoUUID)).toEqual([before.results[1]!.videoUUID]);
    expect(sha256File(join(dir, kept[0]!.file))).toBe(before.results[1]!.sha256);
    expect((await planJson(dir)).summary.estimated_cost_usd).toBe(0);
    expect((await statusJson(dir)).totals.spent_usd).toBeCloseTo(3 * SIM_PRICE, 4);
  });

  it("a manifest budget bounds its lifetime spend: refused by plan and apply before anything is sent", async () => {
    const sim = await startSim();
    const dir = simProject(2, {}, { budget: 0.5 });
    expect((await apply(dir, sim)).code).toBe(0); // $0.3696 of $0.50
    writeFileSync(join(dir, "specs/clips.yaml"), manifest(3, { budget: 0.5 }));
    const plan = await run(["plan"], { cwd: dir });
    expect(plan.code).toBe(1);
    expect(plan.stderr + plan.stdout).toMatch(/\$0\.37 already spent \(lifetime, in flight included\) plus \$0\.18 planned exceeds the specs\/clips\.yaml budget of \$0\.50/);
    const before = sim.stats().requests;
    const r = await apply(dir, sim);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already spent .* plus \$0\.18 planned exceeds the specs\/clips\.yaml budget of \$0\.50\. Nothing was sent\./);
    expect(sim.stats().requests).toBe(before);
    // The JSON plan says the same, for tools.
    const json = await run(["plan", "--json"], { cwd: dir });
    expect(JSON.parse(json.stdout).budgets).toContainEqual({ scope: "specs/clips.yaml budget", limit_usd: 0.5, estimated_usd: 0.1848, spent_usd: 0.3696, ok: false, exceeded: false });
  });
});
