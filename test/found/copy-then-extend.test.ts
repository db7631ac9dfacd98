/**
 * A clip identical to a generation still in flight (a rename after a kill) or created in the same
 * plan, but wanting more variants: copied once it exists, and only the variants it lacks are
 * generated, appended to the copy. Never pay again for the results the copy brings (session
 * test seed 357, invariant a).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterAll, collect, FAST, manifest, readLock, simEnv, simProject, spawnCli, startSim, waitForOutput } from "../helpers/apply-sim.js";
import { clipform, ok } from "../helpers/inproc.js";

cleanupAfterAll();

interface PlanJson {
  changes: { address: string; action: string; generate: number; reuse_from?: string }[];
}
const PROMPT = "Fishing boats leave the harbor at dawn";
const planOf = async (dir: string, env: Record<string, string>) => JSON.parse(await ok(dir, env, "plan", "--json")) as PlanJson;

describe("a copy that wants more variants than its source has", () => {
  it("renamed while in flight, with 2 variants: the task is collected and copied, and 1 more variant is generated", async () => {
    const sim = await startSim({ latencyMs: 400 });
    const env = simEnv(sim);
    const dir = simProject([{ id: "harbor", prompt: PROMPT }]);
    const p = spawnCli(["apply", ...FAST], { cwd: dir, env });
    const out = collect(p);
    await waitForOutput(p, /^submitted /m);
    p.kill("SIGKILL");
    await out;

    writeFileSync(join(dir, "specs/clips.yaml"), manifest([{ id: "harbor-dawn", prompt: PROMPT, numberResults: 2 }]));
    const plan = await planOf(dir, env);
    expect(plan.changes.find((c) => c.address === "harbor-dawn")).toMatchObject({ action: "reuse", generate: 1, reuse_from: "harbor" });

    const r = await clipform(dir, env, "apply", ...FAST);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(sim.stats().acceptedTaskUUIDs).toHaveLength(2); // the first task, never resent, and one more variant
    expect(readLock(dir).clips["harbor-dawn"]!.results).toHaveLength(2);
    expect((await planOf(dir, env)).changes.map((c) => `${c.address} ${c.action}`)).toEqual(["harbor-dawn no-op"]);
  });

  it("two clips of one request in one plan, the second with 2 variants: 2 results paid in all", async () => {
    const sim = await startSim({ latencyMs: 5 });
    const env = simEnv(sim);
    const dir = simProject([{ id: "a", prompt: PROMPT }, { id: "b", prompt: PROMPT, numberResults: 2 }]);
    const plan = await planOf(dir, env);
    expect(plan.changes.find((c) => c.address === "b")).toMatchObject({ action: "reuse", generate: 1, reuse_from: "a" });

    await ok(dir, env, "apply", ...FAST);
    const paid = Object.values(sim.stats().chargedByTask).length;
    expect(paid).toBe(2);
    expect(readLock(dir).clips.b!.results).toHaveLength(2);
    expect((await planOf(dir, env)).changes.map((c) => c.action)).toEqual(["no-op", "no-op"]);
  });
});
