/**
 * A kill leaves a clip's generation in flight, then the clip leaves the manifests. The plan
 * deletes it and collects its task first; the apply polls it (never sent again), keeps its video
 * as a take, drops the entry, and leaves nothing to do (session test seed 340, invariant e).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterAll, collect, FAST, manifest, readLock, simEnv, simProject, spawnCli, startSim, waitForOutput } from "../helpers/apply-sim.js";
import { clipform, ok } from "../helpers/inproc.js";

cleanupAfterAll();

interface PlanJson {
  changes: { address: string; action: string; reason: string; resume_tasks?: string[] }[];
}

describe("a clip removed while its generation is in flight", () => {
  it("plan: delete that collects the task first; apply keeps its video as a take, and nothing is left to do", async () => {
    const sim = await startSim({ latencyMs: 400 });
    const env = simEnv(sim);
    const dir = simProject([{ id: "harbor", prompt: "Fishing boats leave the harbor at dawn" }, { id: "pier", prompt: "A pier at dusk" }]);
    writeFileSync(join(dir, "specs/clips.yaml"), manifest([{ id: "harbor", prompt: "Fishing boats leave the harbor at dawn" }]));
    const p = spawnCli(["apply", ...FAST], { cwd: dir, env });
    const out = collect(p);
    await waitForOutput(p, /^submitted /m);
    p.kill("SIGKILL");
    await out;
    const task = readLock(dir).clips.harbor!.tasks[0]!;
    expect(task.status).toBe("submitted");

    writeFileSync(join(dir, "specs/clips.yaml"), manifest([{ id: "pier", prompt: "A pier at dusk" }]));
    const plan = JSON.parse(await ok(dir, env, "plan", "--json")) as PlanJson;
    expect(plan.changes.find((c) => c.address === "harbor")).toMatchObject({ action: "delete", resume_tasks: [task.taskUUID] });

    const r = await clipform(dir, env, "apply", ...FAST);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(sim.stats().acceptedTaskUUIDs).toHaveLength(2); // harbor's, never sent again, and pier's
    const lock = readLock(dir) as ReturnType<typeof readLock> & { takes?: Record<string, { results: { taskUUID: string }[] }> };
    expect(lock.clips.harbor).toBeUndefined();
    expect(Object.values(lock.takes ?? {}).flatMap((t) => t.results.map((x) => x.taskUUID))).toEqual([task.taskUUID]);
    expect((JSON.parse(await ok(dir, env, "plan", "--json")) as PlanJson).changes.map((c) => `${c.address} ${c.action}`)).toEqual(["pier no-op"]);
  });
});
