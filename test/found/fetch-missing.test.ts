/**
 * A clip's recorded files may be missing on this machine (a pull brings the lockfile, not the
 * videos). A plan that generates more variants, or copies a kept take back (a revert), also
 * downloads those files, says so, and after the apply nothing is left to do (session test,
 * invariant e).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterAll, FAST, manifest, readLockFile, simEnv, simProject, startSim } from "../helpers/apply-sim.js";
import { ok } from "../helpers/inproc.js";

cleanupAfterAll();

interface PlanJson {
  changes: { address: string; action: string; reason: string; generate: number; downloads?: number[] }[];
}
const planOf = async (dir: string, env: Record<string, string>) => JSON.parse(await ok(dir, env, "plan", "--json")) as PlanJson;
const MANIFEST = "specs/clips.yaml";

async function applied(numberResults = 1) {
  const sim = await startSim({ latencyMs: 5 });
  const env = simEnv(sim);
  const dir = simProject([{ id: "shot", prompt: "A lighthouse keeper walks the pier at dusk", numberResults }]);
  await ok(dir, env, "apply", ...FAST);
  return { sim, env, dir };
}

describe("files missing on this machine are fetched by the changes that keep them", () => {
  it("add-variants over a clip whose file is missing: plan shows the download, apply fetches it and pays only for the new variant", async () => {
    const { sim, env, dir } = await applied(1);
    const file = readLockFile(dir).clips.shot!.results[0]!.file!;
    rmSync(join(dir, file));
    writeFileSync(join(dir, MANIFEST), manifest([{ id: "shot", prompt: "A lighthouse keeper walks the pier at dusk", numberResults: 2 }]));

    const [ch] = (await planOf(dir, env)).changes;
    expect(ch).toMatchObject({ action: "add-variants", generate: 1, downloads: [0] });
    expect(ch!.reason).toContain(`download ${file}`);

    await ok(dir, env, "apply", ...FAST);
    expect(existsSync(join(dir, file))).toBe(true);
    expect(readLockFile(dir).clips.shot!.results.map((r) => r.file && existsSync(join(dir, r.file)))).toEqual([true, true]);
    expect(sim.stats().acceptedTaskUUIDs).toHaveLength(2);
    expect((await planOf(dir, env)).changes.map((c) => c.action)).toEqual(["no-op"]);
  });

  it("a revert to a kept take whose file is missing: a $0 reuse that downloads it, then nothing left to do", async () => {
    const { sim, env, dir } = await applied(1);
    const original = readFileSync(join(dir, MANIFEST), "utf8");
    writeFileSync(join(dir, MANIFEST), original.replace("at dusk", "at dawn"));
    await ok(dir, env, "apply", ...FAST);
    const kept = Object.values((readLockFile(dir) as { takes?: Record<string, { results: { file?: string }[] }> }).takes ?? {}).flatMap((t) => t.results);
    expect(kept).toHaveLength(1);
    rmSync(join(dir, kept[0]!.file!));

    writeFileSync(join(dir, MANIFEST), original);
    const [ch] = (await planOf(dir, env)).changes;
    expect(ch).toMatchObject({ action: "reuse", generate: 0, downloads: [0] });
    expect(ch!.reason).toMatch(/download .*missing on this machine/);

    await ok(dir, env, "apply", ...FAST);
    const r = readLockFile(dir).clips.shot!.results[0]!;
    expect(r.file && existsSync(join(dir, r.file))).toBe(true);
    expect(sim.stats().acceptedTaskUUIDs).toHaveLength(2);
    expect((await planOf(dir, env)).changes.map((c) => c.action)).toEqual(["no-op"]);
  });

  it("a replace of a clip whose file is missing: the plan fetches it first, and the apply keeps it on disk as a take", async () => {
    const { sim, env, dir } = await applied(1);
    const old = readLockFile(dir).clips.shot!.results[0]!;
    rmSync(join(dir, old.file!));
    const original = readFileSync(join(dir, MANIFEST), "utf8");
    writeFileSync(join(dir, MANIFEST), original.replace("at dusk", "at dawn"));

    const [ch] = (await planOf(dir, env)).changes;
    expect(ch).toMatchObject({ action: "replace", generate: 1, downloads: [0] });
    expect(ch!.reason).toContain(`first download ${old.file}`);

    await ok(dir, env, "apply", ...FAST);
    expect(sim.stats().acceptedTaskUUIDs).toHaveLength(2);
    const kept = Object.values((readLockFile(dir) as { takes?: Record<string, { results: { videoUUID: string; file?: string }[] }> }).takes ?? {}).flatMap((t) => t.results);
    const take = kept.find((r) => r.videoUUID === old.videoUUID);
    expect(take?.file && existsSync(join(dir, take.file))).toBe(true);
    expect((await planOf(dir, env)).changes.map((c) => c.action)).toEqual(["no-op"]);
  });
});
