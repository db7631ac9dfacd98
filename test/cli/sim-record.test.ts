/**
 * `--sim` words name the simulator's record: a plan saved from it applies only with `--sim` (and
 * one saved from the real record only without), and a pick made in it says it is not the real one.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/run.js";
import { project } from "../helpers/cli.js";

const CLIP = "version: 1\nclips:\n  a:\n    model: klingai:3@1\n    positivePrompt: A lighthouse at dusk.\n    width: 1280\n    height: 720\n    duration: 5\n";

const clipform = (args: string[], cwd: string) => runCli(args, { cwd });

describe("the simulator's record in words", () => {
  it("plan --sim --out: says to apply it with --sim; apply without --sim refuses it and sends nothing; with --sim it applies", async () => {
    const dir = project({ "specs/a.yaml": CLIP });
    const saved = await clipform(["plan", "--sim", "--out", "plan.bin"], dir);
    expect(saved.code).toBe(0);
    expect(saved.stderr).toContain("Saved the plan to plan.bin; `clipform apply --sim plan.bin` applies exactly this plan (to the simulator's record).");
    expect(JSON.parse(readFileSync(join(dir, "plan.bin"), "utf8"))).toMatchObject({ simulated: true });

    const real = await clipform(["apply", "plan.bin"], dir);
    expect(real.code).toBe(1);
    expect(real.stderr).toContain("plan.bin was saved from the simulator's record (plan --sim): it applies only to it, with `clipform apply --sim plan.bin`. Nothing was sent.");
    expect(existsSync(join(dir, "clipform.lock.json"))).toBe(false);

    const sim = await clipform(["apply", "--sim", "--poll-interval", "20", "plan.bin"], dir);
    expect(sim.code, sim.stderr).toBe(0);
    expect(existsSync(join(dir, ".clipform/sim/clipform.lock.json"))).toBe(true);

    const pick = await clipform(["pick", "--sim", "a", "1"], dir);
    expect(pick.code, pick.stderr).toBe(0);
    expect(pick.stdout).toMatch(/^a now uses take 1 \([0-9a-f]{8}, 1 video\)\. Recorded in the simulator's record \(\.clipform\/sim\/clipform\.lock\.json\), apart from the real lockfile: nothing to commit\.\n$/);
  });

  it("a plan saved from the real record is refused by apply --sim", async () => {
    const dir = project({ "specs/a.yaml": CLIP });
    const saved = await clipform(["plan", "--out", "plan.json"], dir);
    expect(saved.stderr).toContain("`clipform apply plan.json` applies exactly this plan.");
    expect(JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"))).not.toHaveProperty("simulated");
    const r = await clipform(["apply", "--sim", "plan.json"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("plan.json was saved from the real record: `clipform apply plan.json` applies it (without --sim). Nothing was sent.");
    expect(existsSync(join(dir, ".clipform/sim/clipform.lock.json"))).toBe(false);
  });
});
