/**
 * The spend gate end to end, `clipform apply` in-process against the simulator, with the
 * simulator's own count of the dollars it charged: after the project learned $0.1848 for a kind,
 * a server charging 10x (`overcharge`) cannot take `apply --max-cost 1` over 4 edited clips to
 * $7.39. One generation goes, its charge is seen, nothing more is sent, the run says which
 * budget, by how much and why, and exits 1; `status` then shows the budget exceeded.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { run } from "../../src/cli/main.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { OVERCHARGE_FACTOR } from "../../src/sim/dialects.js";
import { project } from "../helpers/cli.js";

const KEY = "gate-sim-key";
const sims: Simulator[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function sim(dialects: string[] = []): Promise<Simulator> {
  const s = await startSimulator({ latencyMs: 30, apiKey: KEY, dialects });
  sims.push(s);
  return s;
}

async function cli(argv: string[], cwd: string, s: Simulator): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (d) => (stdout += String(d)));
  err.on("data", (d) => (stderr += String(d)));
  const code = await run(argv, { cwd, env: { RUNWARE_BASE_URL: s.apiUrl, RUNWARE_API_KEY: KEY, NO_COLOR: "1" }, stdout: out, stderr: err, stdin: new PassThrough() });
  return { code, stdout, stderr };
}

const manifest = (word: string) => `version: 1\nbudget:\n  maxCost: 1.5\ndefaults:\n  model: klingai:3@1\n  width: 1280\n  height: 720\nclips:\n${[0, 1, 2, 3].map((i) => `  c${i}:\n    positivePrompt: ${word} shot number ${i} of the harbour at dusk\n`).join("")}`;

describe("apply against an overcharging simulator, through the spend gate", () => {
  it("a stale learned price: --max-cost 1 over 4 edited clips sends one, stops, says which budget and by how much, exits 1", async () => {
    const dir = project({ "specs/a.yaml": manifest("First") });
    const fair = await sim();
    expect((await cli(["apply", "--auto-approve", "--poll-interval", "20", "--max-cost", "1"], dir, fair)).code).toBe(0);
    expect(fair.stats().chargedUsd).toBeCloseTo(4 * 0.1848, 6);

    writeFileSync(join(dir, "specs/a.yaml"), manifest("Edited"));
    const plan = await cli(["plan", "--json", "--max-cost", "1"], dir, fair);
    expect(JSON.parse(plan.stdout).changes.every((c: { price_source: string }) => c.price_source === "learned")).toBe(true);

    const greedy = await sim(["overcharge"]);
    const r = await cli(["apply", "--auto-approve", "--poll-interval", "20", "--max-cost", "1"], dir, greedy);
    expect(r.code).toBe(1);
    const charged = greedy.stats().chargedUsd;
    expect(greedy.stats().videoInference).toBe(1);
    expect(charged).toBeCloseTo(OVERCHARGE_FACTOR * 0.1848, 6);
    // The guarantee: past the budget by at most one generation's real charge (the simulator's own figure).
    const oneGeneration = Math.max(...Object.values(greedy.stats().chargedByTask));
    expect(charged).toBeLessThanOrEqual(1 + oneGeneration + 1e-9);
    expect(r.stderr).toMatch(/charged \$1\.848 per result, more than the \$0\.1848 estimated/);
    expect(r.stderr).toMatch(/budget +--max-cost \$1\.00 reached .*the next generation, expected at \$1\.8480, would pass it by/);
    expect(r.stderr).toMatch(/budget EXCEEDED --max-cost: spent \$1\.85 of \$1\.00 \(over by \$0\.85\)/);
    expect(r.stderr).toMatch(/budget EXCEEDED specs\/a\.yaml budget: spent \$2\.59 of \$1\.50 \(over by \$1\.09\)/);

    const status = await cli(["status", "--json"], dir, fair);
    const budgets = JSON.parse(status.stdout).budgets;
    expect(budgets).toEqual([{ scope: "specs/a.yaml budget", limit_usd: 1.5, spent_usd: 2.5872, exceeded: true }]);
    expect((await cli(["status"], dir, fair)).stdout).toMatch(/Budget EXCEEDED specs\/a\.yaml budget: spent \$2\.59 of \$1\.50 \(over by \$1\.09\)/);
  });

  it("quoted prices feed the probe instead of skipping it: plan --quote passes at $1.48 of $2, apply against a 10x server stops after one", async () => {
    const eight = `version: 1\ndefaults:\n  model: klingai:3@1\n  width: 1280\n  height: 720\nclips:\n${Array.from({ length: 8 }, (_, i) => `  q${i}:\n    positivePrompt: Quoted shot number ${i} of the pier\n`).join("")}`;
    const dir = project({ "specs/a.yaml": eight });
    const greedy = await sim(["overcharge"]);
    const plan = await cli(["plan", "--quote", "--json", "--max-cost", "2"], dir, greedy);
    expect(plan.code).toBe(0);
    const quoted = JSON.parse(plan.stdout);
    expect(quoted.changes.every((c: { price_source: string }) => c.price_source === "quoted")).toBe(true);
    expect(quoted.summary.estimated_cost_usd).toBeCloseTo(8 * 0.1848, 4);
    const r = await cli(["apply", "--auto-approve", "--poll-interval", "20", "--max-cost", "2"], dir, greedy);
    expect(r.code).toBe(1);
    // Trusted, the quote let all eight go at once: $14.78.
    const oneGeneration = Math.max(...Object.values(greedy.stats().chargedByTask));
    expect(greedy.stats().chargedUsd).toBeLessThanOrEqual(2 + oneGeneration + 1e-9);
    expect(greedy.stats().videoInference).toBe(1);
    expect(r.stderr).toMatch(/price probe q0/);
  });

  it("a saved plan passes the gate too: clipform.yaml's budget is read when it is applied, not when it was saved", async () => {
    const one = (n: number) => `version: 1\ndefaults:\n  model: klingai:3@1\n  width: 1280\n  height: 720\nclips:\n${Array.from({ length: n }, (_, i) => `  s${i}:\n    positivePrompt: Saved-plan shot number ${i}\n`).join("")}`;
    const dir = project({ "clipform.yaml": "version: 1\nbudget: 10\n", "specs/a.yaml": one(1) });
    const s = await sim();
    expect((await cli(["apply", "--auto-approve", "--poll-interval", "20"], dir, s)).code).toBe(0);
    writeFileSync(join(dir, "specs/a.yaml"), one(2));
    expect((await cli(["plan", "--out", "next.plan"], dir, s)).code).toBe(0);
    writeFileSync(join(dir, "clipform.yaml"), "version: 1\nbudget: 0.25\n");
    const r = await cli(["apply", "next.plan", "--poll-interval", "20"], dir, s);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\$0\.18 already spent \(lifetime, in flight included\) plus \$0\.18 planned exceeds the clipform\.yaml budget of \$0\.25\. Nothing was sent\./);
    expect(s.stats().videoInference).toBe(1);
  });
});
