/**
 * Sequences end to end, as a user runs clipform: `apply --sim` on two clips and a sequence
 * writes a playable film in the simulator's own output folder; `plan` then says it is up to
 * date; replacing a member cuts it again; a failed cut keeps every paid record and exits 1.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFfmpeg } from "../../src/media/ffmpeg.js";
import { parseProbe } from "../../src/media/sequence-probe.js";
import { cli, project, simServer, spawnedCli } from "../helpers/cli.js";
import { STORY, TRAILER, TWO_SHOTS } from "../helpers/story.js";

const MANIFEST = `${TWO_SHOTS}sequences:
  trailer: [arrival, platform]
`;
/** The manifest of the issue (without `images:`): a shot made from another's last frame, and the two cut together. */
const CONTRACT = `${STORY}${TRAILER}`;
const SIM_OUT = ".clipform/sim/clipform-out";
const FILM = `${SIM_OUT}/trailer.mp4`;
const FAST = ["--sim", "--auto-approve", "--poll-interval", "20"];

const record = (dir: string) => JSON.parse(readFileSync(join(dir, ".clipform/sim/sequences.json"), "utf8")).sequences.trailer as { videos: string[]; sha256: string; mode: string };
const simLock = (dir: string) => JSON.parse(readFileSync(join(dir, ".clipform/sim/clipform.lock.json"), "utf8")) as { clips: Record<string, { results: { videoUUID: string; file?: string }[] }> };

async function frames(file: string): Promise<{ frames: number; duration: number }> {
  const { stderr } = await runFfmpeg("decoding the film", ["-i", file, "-map", "0:v:0", "-f", "null", "-"]);
  return { frames: Number([...stderr.matchAll(/frame=\s*(\d+)/g)].pop()![1]), duration: parseProbe(stderr)!.duration! };
}

describe("clipform apply --sim with a sequence", () => {
  it("cuts a playable film apart from the real record, then plan says it is up to date; a replaced member cuts it again", async () => {
    const dir = project({ "specs/film.yaml": MANIFEST });
    const first = await cli(["apply", ...FAST], { cwd: dir });
    expect(first.stderr).toMatch(/^cut {9}trailer {2}\.clipform\/sim\/clipform-out\/trailer\.mp4 \(2 clips, streams copied\)$/m);
    expect(first.stderr).toMatch(/Apply complete: 2 succeeded, 0 failed, 2 downloaded, 1 sequence cut\./);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Sequences (local, free):");
    // The simulator's record is apart: no real lockfile, no real output folder.
    expect(existsSync(join(dir, "clipform.lock.json"))).toBe(false);
    expect(existsSync(join(dir, "clipform-out"))).toBe(false);
    // Two one-second simulated clips of 12 frames each: the film decodes whole.
    const film = await frames(join(dir, FILM));
    expect(film.frames).toBe(24);
    expect(film.duration).toBeGreaterThan(1.9);
    expect(film.duration).toBeLessThan(2.2);
    const lock = simLock(dir);
    expect(record(dir).videos).toEqual([lock.clips.arrival!.results[0]!.videoUUID, lock.clips.platform!.results[0]!.videoUUID]);

    // The report plays the film, from a path relative to the page.
    expect((await cli(["report", "--sim"], { cwd: dir })).code).toBe(0);
    const page = readFileSync(join(dir, "clipform-report.html"), "utf8");
    expect(page).toContain(`<article class="sequence" data-sequence="trailer">\n<div class="media"><video src="${FILM}" controls`);

    const again = await cli(["plan", "--sim", "--detailed-exitcode"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^ {4}trailer {2}no-op {2}\.clipform\/sim\/clipform-out\/trailer\.mp4 {2}\[arrival, platform\]\n {6}up to date$/m);

    const planned = await cli(["plan", "--sim", "--replace", "arrival", "--json"], { cwd: dir });
    expect(JSON.parse(planned.stdout).sequences).toMatchObject([{ name: "trailer", action: "wait", reason: "cut after this apply: arrival (replace)" }]);

    const replaced = await cli(["apply", ...FAST, "--replace", "arrival", "--json"], { cwd: dir });
    expect(replaced.code).toBe(0);
    const events = replaced.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string });
    expect(events.filter((e) => e.event === "sequence-cut")).toEqual([{ event: "sequence-cut", name: "trailer", file: FILM, mode: "copy", members: ["arrival", "platform"] }]);
    expect(events.at(-1)).toMatchObject({ event: "summary", succeeded: 1, sequencesCut: 1, sequencesFailed: 0 });
    const after = simLock(dir);
    expect(after.clips.arrival!.results[0]!.videoUUID).not.toBe(lock.clips.arrival!.results[0]!.videoUUID);
    expect(record(dir).videos).toEqual([after.clips.arrival!.results[0]!.videoUUID, after.clips.platform!.results[0]!.videoUUID]);
    expect((await frames(join(dir, FILM))).frames).toBe(24);
    expect((await cli(["plan", "--sim", "--detailed-exitcode"], { cwd: dir })).code).toBe(0);
  });

  it("the issue's manifest: platform made from arrival's last frame, then the trailer cut from both", async () => {
    const dir = project({ "specs/film.yaml": CONTRACT });
    const r = await cli(["apply", ...FAST], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/^succeeded {3}arrival /)).toBeGreaterThanOrEqual(0);
    expect(at(/^submitted {3}platform /)).toBeGreaterThan(at(/^succeeded {3}arrival /));
    expect(at(/^cut {9}trailer /)).toBeGreaterThan(at(/^downloaded {2}platform /));
    expect((await frames(join(dir, FILM))).frames).toBe(24);
  });

  it("a failed cut keeps every paid record, leaves no film half-written and exits 1; the next apply cuts it alone", async () => {
    const dir = project({ "specs/film.yaml": MANIFEST, "broken-ffmpeg": "#!/bin/sh\necho 'simulated decoder failure' >&2\nexit 1\n" });
    chmodSync(join(dir, "broken-ffmpeg"), 0o755);
    // The decoder is chosen from the process environment: a process of its own.
    const failed = spawnedCli(["apply", ...FAST], { cwd: dir, env: { CLIPFORM_FFMPEG: join(dir, "broken-ffmpeg") } });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^cut failed {2}trailer: reading arrival: ffmpeg exited with 1: simulated decoder failure \(every generation is recorded; the next apply cuts it again\)$/m);
    expect(failed.stderr).toMatch(/Apply finished with problems: 2 succeeded, 0 failed, 2 downloaded, 1 cut failed\./);
    const lock = simLock(dir);
    expect(Object.keys(lock.clips).sort()).toEqual(["arrival", "platform"]);
    for (const e of Object.values(lock.clips)) expect(e.results).toHaveLength(1);
    expect(readdirSync(join(dir, SIM_OUT)).sort()).toEqual(["arrival.v1.mp4", "platform.v1.mp4"]);

    const plan = await cli(["plan", "--sim", "--detailed-exitcode"], { cwd: dir });
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("Plan: 1 sequence to cut.");
    expect(plan.stdout).toContain("Estimated cost: $0.00 for 0 generations");
    const cut = await cli(["apply", ...FAST], { cwd: dir });
    expect(cut.code).toBe(0);
    expect(cut.stderr).toMatch(/Apply complete: 0 succeeded, 0 failed, 1 sequence cut\. Spent \$0\.00/);
    expect(existsSync(join(dir, FILM))).toBe(true);
  });

  it("a member missing from the manifests is refused before anything runs, at its line", async () => {
    const dir = project({ "specs/film.yaml": MANIFEST.replace("[arrival, platform]", "[arival, platform]") });
    const r = await cli(["plan", "--sim"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('specs/film.yaml:10:13: sequence trailer: no clip "arival"; did you mean "arrival"?');
  });

  it("the film is rewritten when someone altered it; what a killed cut left behind is swept", async () => {
    const dir = project({ "specs/film.yaml": MANIFEST });
    expect((await cli(["apply", ...FAST], { cwd: dir })).code).toBe(0);
    // A pid that no process has (above the kernel's limit): a cut killed long ago.
    const leftover = join(dir, SIM_OUT, ".trailer.mp4.99999999.0123abcd.part");
    writeFileSync(leftover, "half a film");
    const good = readFileSync(join(dir, FILM));
    writeFileSync(join(dir, FILM), Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([good[good.length - 1]! ^ 1])]));
    const plan = await cli(["plan", "--sim"], { cwd: dir });
    expect(plan.stdout).toContain(`${FILM} is altered: cut again`);
    expect((await cli(["apply", ...FAST], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, FILM)).equals(good)).toBe(true);
    expect(existsSync(leftover)).toBe(false);
  });
});

describe("clipform apply against the API (a simulator process), then pick", () => {
  let sim: Awaited<ReturnType<typeof simServer>>;
  beforeAll(async () => {
    sim = await simServer();
  });
  afterAll(() => sim?.stop());

  it("the real record (with --out-dir): films/trailer.mp4 and .clipform/sequences.json; picking the earlier take of a member cuts the film again", async () => {
    const dir = project({ "specs/film.yaml": MANIFEST });
    const apply = (...extra: string[]) => cli(["apply", "--auto-approve", "--poll-interval", "20", "--out-dir", "films", ...extra], { cwd: dir, env: sim.env });
    expect((await apply()).code).toBe(0);
    expect(existsSync(join(dir, "films/trailer.mp4"))).toBe(true);
    expect(existsSync(join(dir, "clipform-out"))).toBe(false);
    const cutFrom = () => (JSON.parse(readFileSync(join(dir, ".clipform/sequences.json"), "utf8")).sequences.trailer as { videos: string[]; file: string });
    const firstTake = cutFrom().videos[0];

    // A second take of arrival: the film follows it; picking take 1 back cuts it again from take 1.
    expect((await apply("--replace", "arrival")).stderr).toMatch(/^cut {9}trailer /m);
    expect(cutFrom().videos[0]).not.toBe(firstTake);
    const picked = await cli(["pick", "arrival", "1"], { cwd: dir });
    expect(picked.code, picked.stderr).toBe(0);
    const plan = await cli(["plan", "--detailed-exitcode"], { cwd: dir, env: sim.env });
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("the video arrival uses changed: cut again");
    expect(plan.stdout).toContain("Plan: 1 sequence to cut.");
    const again = await apply();
    expect(again.code, again.stderr).toBe(0);
    expect(cutFrom()).toMatchObject({ file: "films/trailer.mp4" });
    expect(cutFrom().videos[0]).toBe(firstTake);
    expect(existsSync(join(dir, "films/trailer.mp4"))).toBe(true);
    // Up to date where it was cut (plan has no --out-dir); the real record never mixes with the simulator's.
    expect((await cli(["plan", "--detailed-exitcode"], { cwd: dir, env: sim.env })).code).toBe(0);
    expect(existsSync(join(dir, ".clipform/sim/sequences.json"))).toBe(false);
  });
});
