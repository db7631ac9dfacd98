/**
 * A run whose every cost is unbelievable (the simulator's `bad-cost` dialect: negative, 1e400,
 * text, absurd): status and report flag each take "cost unknown", and the spend counts the
 * estimate, marked as such, never $0.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { apply, cleanupAfterAll, run, SIM_PRICE, simProject, startSim } from "../helpers/apply-sim.js";

cleanupAfterAll();

interface Item {
  address: string;
  spent_usd: number;
  cost_unknown?: { results: number; estimated_usd: number; unpriced: number; reasons: string[] };
}

describe("charges the API did not make believable", () => {
  it("status and report flag every take and count it at its estimate", { timeout: 60_000 }, async () => {
    const sim = await startSim({ latencyMs: 40, dialects: ["bad-cost"] });
    const dir = simProject(3);
    const applied = await apply(dir, sim);
    expect(applied.code, applied.stderr).toBe(0);
    expect(sim.stats()).toMatchObject({ videoInference: 3 });

    const json = await run(["status", "--json"], { cwd: dir });
    expect(json.code, json.stderr).toBe(0);
    const s = JSON.parse(json.stdout) as { totals: Record<string, number>; manifests: { spent_usd: number; unknown_cost_results: number; items: Item[] }[] };
    const spent = Math.round(3 * SIM_PRICE * 1e4) / 1e4;
    expect(s.totals).toMatchObject({ spent_usd: spent, spent_estimated_usd: spent, unknown_cost_results: 3, unpriced_cost_results: 0 });
    expect(s.manifests[0]).toMatchObject({ spent_usd: spent, unknown_cost_results: 3 });
    for (const it of s.manifests[0]!.items) {
      expect(it.spent_usd).toBe(SIM_PRICE);
      expect(it.cost_unknown).toMatchObject({ results: 1, estimated_usd: SIM_PRICE, unpriced: 0 });
      expect(it.cost_unknown!.reasons[0]).toMatch(/^the API sent \S+ \((negative|not a finite number|not a number|over the \$50 per-video ceiling)\)$/);
    }

    const text = await run(["status"], { cwd: dir });
    expect(text.stdout).toMatch(/^total .* ≈\$0\.55 /m);
    expect(text.stdout).toMatch(/^ {2}\? clip-01 {2}cost unknown: the API sent .+; counted at its estimate, \$0\.1848$/m);
    expect(text.stdout).toContain("Spent: ≈$0.55 in total ($0.55 of it estimated for 3 results whose cost is unknown).");

    const report = await run(["report"], { cwd: dir });
    expect(report.stdout).toMatch(/≈\$0\.55 spent\.$/m);
    const html = readFileSync(join(dir, "clipform-report.html"), "utf8");
    expect(html.match(/<p class="cost-unknown">cost unknown: the API sent /g)).toHaveLength(3);
    expect(html).toContain("<dd>≈$0.55</dd>");
  });
});
