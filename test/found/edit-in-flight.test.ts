/**
 * A kill leaves a clip's generation in flight, then the clip is edited. The plan shows both: the
 * old task is collected (polled, never sent again, its video kept as a take) and the edited
 * request is generated, with its cost. After the apply nothing is left to do (session test,
 * invariant e).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterAll, collect, FAST, readLock, simEnv, simProject, spawnCli, startSim, waitForOutput } from "../helpers/apply-sim.js";
import { clipform, ok } from "../helpers/inproc.js";

cleanupAfterAll();

interface PlanJson {
  changes: { address: string; action: string; reason: string; generate: number; estimated_cost_usd: number | null; resume_tasks?: string[] }[];
}
interface Take {
  tasks: { taskUUID: string }[];
  results: { taskUUID: string; file?: string }[];
}

describe("an edit to a clip whose generation a kill left in flight", () => {
  it("plan: replace that collects the old task first; apply collects it (kept as a take), sends the edit once, and leaves nothing to do", async () => {
    const sim = await startSim({ latencyMs: 400 });
    const env = simEnv(sim);
    const dir = simProject([{ id: "harbor", prompt: "Fishing boats leave the harbor at dawn" }]);
    const p = spawnCli(["apply", ...FAST], { cwd: dir, env });
    const out = collect(p);
    await waitForOutput(p, /^submitted /m);
    p.kill("SIGKILL");
    await out;
    const old = readLock(dir).clips.harbor!.tasks[0]!;
    expect(old.status).toBe("submitted");

    const manifest = join(dir, "specs/clips.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("at dawn", "at night"));
    const [ch] = (JSON.parse(await ok(dir, env, "plan", "--json")) as PlanJson).changes;
    expect(ch).toMatchObject({ address: "harbor", action: "replace", generate: 1, resume_tasks: [old.taskUUID] });
    expect(ch!.estimated_cost_usd).toBeGreaterThan(0);
    expect(ch!.reason).toMatch(/first collect the task of the earlier request/);

    const r = await clipform(dir, env, "apply", ...FAST);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(sim.stats().acceptedTaskUUIDs).toHaveLength(2); // the old task, never sent again, and the edit
    const lock = readLock(dir) as ReturnType<typeof readLock> & { takes?: Record<string, Take> };
    const entry = lock.clips.harbor!;
    expect(entry.tasks.map((t) => t.taskUUID)).not.toContain(old.taskUUID);
    expect(entry.results).toHaveLength(1);
    const kept = Object.values(lock.takes ?? {});
    expect(kept.flatMap((t) => t.tasks.map((x) => x.taskUUID))).toEqual([old.taskUUID]);
    expect(kept.flatMap((t) => t.results.map((x) => x.taskUUID))).toEqual([old.taskUUID]);
    expect((JSON.parse(await ok(dir, env, "plan", "--json")) as PlanJson).changes.map((c) => c.action)).toEqual(["no-op"]);
  });

  it("a revert to a paid request while the edit's task is in flight: a $0 reuse that collects that task first, and nothing paid twice", async () => {
    const sim = await startSim({ latencyMs: 400 });
    const env = simEnv(sim);
    const dir = simProject([{ id: "harbor", prompt: "Fishing boats leave the harbor at dawn" }]);
    await ok(dir, env, "apply", ...FAST);
    const manifest = join(dir, "specs/clips.yaml");
    const original = readFileSync(manifest, "utf8");
    writeFileSync(manifest, original.replace("at dawn", "at night"));
    const p = spawnCli(["apply", ...FAST], { cwd: dir, env });
    const out = collect(p);
    await waitForOutput(p, /^submitted /m);
    p.kill("SIGKILL");
    await out;
    const edit = readLock(dir).clips.harbor!.tasks.find((t) => t.status === "submitted")!;

    writeFileSync(manifest, original);
    const [ch] = (JSON.parse(await ok(dir, env, "plan", "--json")) as PlanJson).changes;
    expect(ch).toMatchObject({ action: "reuse", generate: 0, resume_tasks: [edit.taskUUID] });

    const r = await clipform(dir, env, "apply", ...FAST);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(sim.stats().acceptedTaskUUIDs).toHaveLength(2);
    const lock = readLock(dir) as ReturnType<typeof readLock> & { takes?: Record<string, Take> };
    expect(lock.clips.harbor!.results).toHaveLength(1);
    expect(Object.values(lock.takes ?? {}).flatMap((t) => t.results.map((x) => x.taskUUID))).toContain(edit.taskUUID);
    expect((JSON.parse(await ok(dir, env, "plan", "--json")) as PlanJson).changes.map((c) => c.action)).toEqual(["no-op"]);
  });
});
