/**
 * Sequences in a plan limited to some manifests or some addresses, as a user runs clipform:
 * members resolve against the whole project, a film is cut only when it is in the plan and never
 * from a member about to change, and a plan that only cuts needs no approval (nothing is paid).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodePng } from "../../src/media/png.js";
import { cli, project, spawnedCli } from "../helpers/cli.js";
import { TWO_SHOTS } from "../helpers/story.js";

const SHOTS = TWO_SHOTS;
const CUTS = `version: 1
clips: {}
sequences:
  trailer: [arrival, platform]
  teaser: [arrival]
`;
const SIM = ["--sim", "--poll-interval", "20"];
const events = (stdout: string) => stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; name?: string; reason?: string });
const cutRecord = (dir: string) => JSON.parse(readFileSync(join(dir, ".clipform/sim/sequences.json"), "utf8")).sequences as Record<string, { cutAt: string; videos: string[] }>;

describe("sequences in a limited plan", () => {
  it("plan/apply specs/cuts.yaml: members of another manifest resolve; a cut-only apply needs no approval; a stale member outside the plan is waited for", async () => {
    const dir = project({ "specs/shots.yaml": SHOTS, "specs/cuts.yaml": CUTS });
    // The clips alone: the films belong to cuts.yaml, so this apply does not cut them.
    const shots = await cli(["apply", "specs/shots.yaml", ...SIM, "--auto-approve", "--json"], { cwd: dir });
    expect(shots.code, shots.stderr).toBe(0);
    expect(events(shots.stdout).filter((e) => e.event.startsWith("sequence"))).toEqual([]);

    const planned = await cli(["plan", "specs/cuts.yaml", "--sim", "--json"], { cwd: dir });
    expect(planned.code, planned.stderr).toBe(0);
    const json = JSON.parse(planned.stdout) as { changes: unknown[]; sequences: { name: string; action: string }[] };
    expect(json.changes).toEqual([]);
    expect(json.sequences.map((s) => [s.name, s.action])).toEqual([["teaser", "cut"], ["trailer", "cut"]]);

    // No terminal, no --auto-approve: only films to cut, so it goes ahead and says what it cuts.
    const cut = await cli(["apply", "specs/cuts.yaml", ...SIM], { cwd: dir });
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stdout).toContain("Only films to cut (local, free: nothing is sent or paid), so no approval is needed.");
    expect(cut.stdout).toMatch(/Sequences \(local, free\):[\s\S]*teaser[\s\S]*trailer/);
    expect(cut.stderr).toMatch(/teaser/);
    expect(cut.stderr).toMatch(/trailer/);
    const first = cutRecord(dir);
    expect(Object.keys(first).sort()).toEqual(["teaser", "trailer"]);

    // platform is edited, but its manifest is not in this plan: the trailer waits, nothing is cut.
    writeFileSync(join(dir, "specs/shots.yaml"), SHOTS.replace("onto the snowy platform", "into the falling snow"));
    const stale = await cli(["plan", "specs/cuts.yaml", "--sim", "--detailed-exitcode"], { cwd: dir });
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stdout).toContain("waits for platform (replace, outside this plan): never cut from a video about to change");
    const again = await cli(["apply", "specs/cuts.yaml", ...SIM], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("Nothing to do.");
    expect(cutRecord(dir)).toEqual(first);
  });

  it("--target: a sequence is cut when targeted or when all its members are, never from a member left out that is not up to date", async () => {
    const dir = project({ "specs/shots.yaml": `${SHOTS}sequences:\n  trailer: [arrival, platform]\n  teaser: [arrival]\n` });
    const made = await cli(["apply", ...SIM, "--auto-approve", "--target", "arrival", "--target", "platform", "--json"], { cwd: dir });
    expect(made.code, made.stderr).toBe(0);
    // Both members targeted: the trailer and the teaser are in scope and cut after the generations.
    expect(events(made.stdout).filter((e) => e.event === "sequence-cut").map((e) => e.name).sort()).toEqual(["teaser", "trailer"]);
    const before = cutRecord(dir);

    writeFileSync(join(dir, "specs/shots.yaml"), readFileSync(join(dir, "specs/shots.yaml"), "utf8").replace("onto the snowy platform", "into the falling snow"));
    // The trailer targeted alone: platform is not, and is stale: no generation, no cut.
    const alone = await cli(["apply", ...SIM, "--auto-approve", "--target", "trailer", "--json"], { cwd: dir });
    expect(alone.code, alone.stderr).toBe(0);
    const plan = events(alone.stdout)[0] as unknown as { changes: unknown[]; sequences: { name: string; action: string; reason: string }[] };
    expect(plan.changes).toEqual([]);
    expect(plan.sequences.map((s) => [s.name, s.action])).toEqual([["trailer", "wait"]]);
    expect(cutRecord(dir)).toEqual(before);

    // platform targeted: replaced, then only the sequences in scope are cut (the trailer by name; the teaser is not in this plan).
    const both = await cli(["apply", ...SIM, "--auto-approve", "--target", "platform", "--target", "trailer", "--json"], { cwd: dir });
    expect(both.code, both.stderr).toBe(0);
    expect(events(both.stdout).filter((e) => e.event.startsWith("sequence")).map((e) => [e.event, e.name])).toEqual([["sequence-cut", "trailer"]]);
    expect(cutRecord(dir).trailer!.videos).not.toEqual(before.trailer!.videos);
    expect(cutRecord(dir).teaser).toEqual(before.teaser);
  });

  it("apply --sim says once, on stderr, when the simulator has no ffmpeg to show a video's frame images", async () => {
    const png = encodePng(Buffer.alloc(640 * 360 * 3, 90), 640, 360);
    const shots = `version: 1\nclips:\n  lighthouse:\n    model: klingai:3@1\n    positivePrompt: Waves roll in.\n    numberResults: 2\n    inputs:\n      frameImages:\n        - { image: ./dusk.png, frame: first }\n`;
    const dir = project({ "specs/shots.yaml": shots, "specs/dusk.png": png, "specs/other.yaml": shots.replace("lighthouse:", "harbor:").replace("Waves roll in.", "Boats rock.") });
    // The decoder is chosen from the process environment: a process of its own.
    const r = spawnedCli(["apply", ...SIM, "--auto-approve", "--json"], { cwd: dir, env: { CLIPFORM_FFMPEG: join(dir, "no-such-ffmpeg") } });
    expect(r.code, r.stderr).toBe(0);
    const notes = r.stderr.split("\n").filter((l) => l.includes("simulator:"));
    expect(notes).toEqual(["simulator: a video that should show its frame images is a committed clip instead: no ffmpeg was found (install one on the PATH or set CLIPFORM_FFMPEG to one)"]);
    // stdout stays pure JSON lines.
    expect(() => events(r.stdout)).not.toThrow();
  });
});
