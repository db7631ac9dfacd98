/**
 * Plans people can review: saved plans recognised by content, word diffs of long prompts, money
 * printed one way, budgets as "X of Y (Z left)", estimates per manifest, a fan-out error once,
 * `help COMMAND` and "did you mean" for flags. The binary, as a user runs it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unitUsd, usd } from "../../src/util/usd.js";
import { wordDiff } from "../../src/plan/worddiff.js";
import { cli, project, simServer } from "../helpers/cli.js";

// About 250 characters, so the last word is far past any cut-off.
const LONG = "A slow cinematic aerial drift over a quiet fishing harbor at first light, mist lifting off the water between moored wooden boats, gulls circling the lighthouse, nets drying on the stone quay, warm sun breaking through low clouds over the calm";
const manifest = (prompt: string, budget = "") => `version: 1\n${budget}clips:\n  harbor:\n    model: klingai:3@1\n    positivePrompt: ${prompt}\n`;

let sim: Awaited<ReturnType<typeof simServer>>;
beforeAll(async () => {
  sim = await simServer();
});
afterAll(() => sim?.stop());

describe("reviewing a plan", () => {
  it("a changed last word of a 250-character prompt shows in the text and the markdown plan", async () => {
    const prompt = `${LONG} sea.`;
    expect(prompt.length).toBeGreaterThanOrEqual(245);
    const dir = project({ "specs/a.yaml": manifest(prompt) });
    expect((await cli(["apply", "--auto-approve"], { cwd: dir, env: sim.env })).code).toBe(0);
    writeFileSync(join(dir, "specs", "a.yaml"), manifest(`${LONG} bay.`));
    const text = await cli(["plan"], { cwd: dir });
    expect(text.stdout).toContain("~ positivePrompt: … over the calm [-sea.-]{+bay.+}\n");
    const md = await cli(["plan", "--markdown"], { cwd: dir });
    expect(md.stdout).toContain("- `harbor`: positivePrompt: … over the calm ~~sea.~~**bay.**\n");
  });

  it("a saved plan is recognised by its content, whatever its name: plan --out plan.bin, apply plan.bin", async () => {
    const dir = project({ "specs/a.yaml": manifest("A tram crosses an iron bridge at night") });
    const saved = await cli(["plan", "--out", "plan.bin"], { cwd: dir });
    expect(saved.code, saved.stderr).toBe(0);
    const applied = await cli(["apply", "plan.bin"], { cwd: dir, env: sim.env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain("Apply complete: 1 succeeded");
    // A manifest named like a plan is still a manifest.
    writeFileSync(join(dir, "specs", "b.json"), "version: 1\nclips: {}\n");
    expect((await cli(["plan", "specs/b.json"], { cwd: dir })).stderr).not.toContain("saved plan");
  });

  it("money: totals with 2 decimals, unit prices with 4; budgets as 'of Y (Z left)'; estimates per manifest", async () => {
    expect([usd(9.471), usd(0.462), usd(10.0254), usd(0), usd(-1.5)]).toEqual(["$9.47", "$0.46", "$10.03", "$0.00", "-$1.50"]);
    expect([unitUsd(0.1848), unitUsd(0.3), unitUsd(-0.00001)]).toEqual(["$0.1848", "$0.3000", "$0.0000"]);
    const dir = project({ "specs/a.yaml": manifest("A tram at dawn", "budget:\n  maxCost: 2\n"), "specs/b.yaml": manifest("A tram at dusk").replace("harbor", "dusk") });
    const r = await cli(["plan", "--max-cost", "0.3"], { cwd: dir });
    expect(r.stdout).toMatch(/\+ harbor +create +klingai:3@1 5s ×1 +\$0\.1848 \(observed\)\n/);
    expect(r.stdout).toContain("Estimated cost: $0.37 for 2 generations");
    expect(r.stdout).toContain("Budget EXCEEDED --max-cost: this plan $0.37 of $0.30 (over by $0.07)");
    expect(r.stdout).toContain("Budget ok specs/a.yaml budget: this plan $0.18 of $2.00 ($1.82 left)");
    expect(r.stdout).toMatch(/Cost by manifest:\n {2}specs\/a\.yaml +1 generation +\$0\.18\n {2}specs\/b\.yaml +1 generation +\$0\.18\n/);
    expect(r.stdout).not.toMatch(/\$\d+\.\d{3}(?!\d)/); // never 3 decimals
  });

  it("an error repeated across a fan-out is reported once, with the addresses it affects", async () => {
    const dir = project({
      "specs/a.yaml": `version: 1\nclips:\n  harbor:\n    model: klingai:3@1\n    positivePrompt: A \${mood} harbor\n    duration: 7\n    matrix:\n      mood: [foggy, sunlit, stormy]\n`,
    });
    const r = await cli(["plan"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "specs/a.yaml:6:15: duration 7 is not supported by klingai:3@1 (allowed: 5, 10 seconds) (in 3 clips of the fan-out: harbor/foggy, harbor/sunlit, harbor/stormy)\nerror: 1 problem found; nothing was planned or sent\n",
    );
  });
});

describe("help and typos", () => {
  it("`help plan` shows plan's flags; `help` alone the commands", async () => {
    const r = await cli(["help", "plan"], { cwd: project({}) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: clipform plan /);
    expect(r.stdout).toMatch(/^ {2}--detailed-exitcode +exit 0 when there is nothing to do/m);
    expect(r.stdout).toMatch(/^ {2}--out FILE +save the plan/m);
    expect((await cli(["help"], { cwd: project({}) })).stdout).toContain("  init ");
  });

  it("says which flag was meant: --auto-aprove, and which command: pln", async () => {
    const dir = project({});
    const r = await cli(["apply", "--auto-aprove"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^clipform apply: Unknown option '--auto-aprove'; did you mean --auto-approve\?\n/);
    expect((await cli(["pln"], { cwd: dir })).stderr).toBe('clipform: unknown command "pln" (did you mean "plan"?). Run `clipform --help` for the list.\n');
  });
});

describe("word diff", () => {
  it("marks only what changed", () => {
    expect(wordDiff("a b c d", "a x c d e")).toEqual([
      { kind: "same", text: "a" },
      { kind: "old", text: "b" },
      { kind: "new", text: "x" },
      { kind: "same", text: "c d" },
      { kind: "new", text: "e" },
    ]);
  });
});
