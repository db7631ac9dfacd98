/**
 * clipform.yaml `budget`: the whole project's lifetime spend (every manifest, the whole ledger)
 * plus what is in flight plus this plan, refused by plan and apply before anything is sent.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { plan } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { desired, entryFor, lockWith } from "../helpers/plan-data.js";
import { apply, cleanupAfterAll, FAST, manifest, readLock, run, simEnv, simProject, startSim } from "../helpers/apply-sim.js";

cleanupAfterAll();

describe("the project's lifetime budget", () => {
  it("plan() counts every manifest's spend against it, and a change with no price never passes it", () => {
    const a = { ...desired("a", { positivePrompt: "one" }), manifest: "specs/a.yaml" };
    const b = { ...desired("b", { positivePrompt: "two" }), manifest: "specs/b.yaml" };
    const lock = lockWith({ a: entryFor(a) });
    const spent = Object.values(lock.clips).flatMap((e) => e.results).reduce((s, r) => s + (r.costUsd ?? 0), 0);
    expect(spent).toBeGreaterThan(0);
    const p = (projectBudget: number) => plan({ clips: [a, b], lock, prices: priceBook(lock), files: new Map(), projectBudget });
    const tight = p(spent + 0.01).budgets.find((x) => x.scope === "clipform.yaml budget")!;
    expect(tight).toMatchObject({ ok: false, spentUsd: spent });
    expect(p(spent + 10).budgets.find((x) => x.scope === "clipform.yaml budget")).toMatchObject({ ok: true });
    const unpriced = plan({ clips: [a, { ...b, generation: { ...b.generation, model: "nobody:1@1" } }], lock, prices: () => undefined, files: new Map(), projectBudget: 1000 });
    expect(unpriced.budgets.find((x) => x.scope === "clipform.yaml budget")).toMatchObject({ ok: false, unpriced: 1 });
  });

  it("apply spends within it, then plan and apply refuse what would take the lifetime spend past it; nothing is sent", async () => {
    const sim = await startSim();
    const dir = simProject(2, { "clipform.yaml": "version: 1\nbudget: 0.5\n" });
    const first = await apply(dir, sim);
    expect(first.code).toBe(0);
    expect(sim.stats().videoInference).toBe(2);

    writeFileSync(join(dir, "specs/clips.yaml"), manifest(3));
    const p = await run(["plan"], { cwd: dir });
    expect(p.code).toBe(1);
    expect(p.stdout + p.stderr).toMatch(/\$0\.37 already spent \(lifetime, in flight included\) plus \$0\.18 planned exceeds the clipform\.yaml budget of \$0\.50/);
    const again = await run(["apply", ...FAST], { cwd: dir, env: simEnv(sim) });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/clipform\.yaml budget/);
    expect(again.stderr).toMatch(/Nothing was sent/);
    expect(sim.stats().videoInference).toBe(2);
    expect(Object.keys(readLock(dir).clips)).toHaveLength(2);
  });
});
