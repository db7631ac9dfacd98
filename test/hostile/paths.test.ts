/**
 * Nothing is read or written outside the project under a planted lockfile or symlink: a
 * lockfile `file` outside the output folder is refused before anything is sent; links planted
 * where clipform writes (a reused video, a resumed `.part`) are replaced, never written through;
 * the output and state folders being links are refused; a FIFO is never opened.
 */
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secureOutputs } from "../../src/apply/outputs.js";
import type { Lockfile } from "../../src/lockfile/schema.js";
import type { Simulator } from "../../src/sim/index.js";
import { apply, cleanupAfterAll, manifest, readLock, simProject, startSim, type LockJson } from "../helpers/apply-sim.js";
import { project } from "../helpers/cli.js";

cleanupAfterAll();

const outside = mkdtempSync(join(tmpdir(), "clipform-victim-"));
afterAll(() => rmSync(outside, { recursive: true, force: true }));
const VICTIM_TEXT = "root:x:0:0:victim file outside the project\n";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSim();
});

const C1 = [{ id: "c1", prompt: "A lighthouse keeper walks along the pier at dusk" }];
const C2 = [{ id: "c2", prompt: "A lighthouse keeper walks along the pier at dusk" }];

/** A project where c1 was generated and downloaded. */
async function generated(): Promise<string> {
  const dir = simProject(C1);
  const r = await apply(dir, sim);
  expect(r.code, r.stderr).toBe(0);
  expect(lstatSync(join(dir, "clipform-out", "c1.v1.mp4")).isFile()).toBe(true);
  return dir;
}

function victim(name: string): string {
  const p = join(outside, name);
  writeFileSync(p, VICTIM_TEXT);
  return p;
}

const renameC1toC2 = (dir: string) => writeFileSync(join(dir, "specs", "clips.yaml"), manifest(C2));
const writeLock = (dir: string, lock: LockJson) => writeFileSync(join(dir, "clipform.lock.json"), JSON.stringify(lock, null, 2));

describe("paths from the lockfile and the API stay inside the project", () => {
  it("a lockfile file outside the output folder is refused: a rename does not copy it into clipform-out", async () => {
    const dir = await generated();
    const target = victim("passwd");
    const lock = readLock(dir);
    lock.clips.c1!.results[0]!.file = `../../../../../../../..${target}`;
    writeLock(dir, lock);
    renameC1toC2(dir);
    const requestsBefore = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { requests: number };
    const r = await apply(dir, sim);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/clipform\.lock\.json records files outside the output folder clipform-out \(c1 result 1: /);
    expect(r.stderr).toContain("Nothing was sent.");
    expect(r.stderr).not.toMatch(/internal error|    at /);
    expect(existsSync(join(dir, "clipform-out", "c2.v1.mp4"))).toBe(false);
    const after = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { requests: number };
    expect(after.requests).toBe(requestsBefore.requests);
  });

  it("every recorded file is checked, wherever the lockfile keeps it (kept takes too), and only those outside are named", () => {
    const dir = project({ "clipform-out/a.v1.mp4": "video" });
    const lock = {
      format_version: 1,
      lineage: "l",
      serial: 1,
      // A request's local frame image is a manifest input, not a recorded video: not checked here.
      clips: { a: { request: { frameImages: [{ frame: "first", file: "./assets/a.png" }] }, results: [{ file: "clipform-out/a.v1.mp4" }] } },
      takes: { t1: { results: [{ file: "clipform-out/old.v1.mp4" }, { file: "clipform-out/../.env" }] } },
    } as unknown as Lockfile;
    expect(() => secureOutputs(dir, "clipform-out", lock)).toThrow(/outside the output folder clipform-out \(takes t1 result 2: "clipform-out\/\.\.\/\.env"\)/);
    delete (lock as unknown as { takes?: unknown }).takes;
    expect(secureOutputs(dir, "clipform-out", lock)).toEqual([]);
  });

  it("a link planted where a reuse copies to is replaced, never written through", async () => {
    const dir = await generated();
    const target = victim("reuse-target");
    symlinkSync(target, join(dir, "clipform-out", "c2.v1.mp4"));
    renameC1toC2(dir);
    const r = await apply(dir, sim);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(target, "utf8")).toBe(VICTIM_TEXT);
    const copied = join(dir, "clipform-out", "c2.v1.mp4");
    expect(lstatSync(copied).isFile()).toBe(true);
    expect(readFileSync(copied).toString("latin1", 4, 8)).toBe("ftyp");
  });

  it("a link planted as a resumed download's .part is replaced, never appended to", async () => {
    const dir = await generated();
    const target = victim("part-target");
    const { videoUUID } = readLock(dir).clips.c1!.results[0]!;
    unlinkSync(join(dir, "clipform-out", "c1.v1.mp4"));
    symlinkSync(target, join(dir, "clipform-out", `c1.v1.mp4.${videoUUID}.part`));
    const r = await apply(dir, sim);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(target, "utf8")).toBe(VICTIM_TEXT);
    expect(lstatSync(join(dir, "clipform-out", "c1.v1.mp4")).isFile()).toBe(true);
  });

  it("a FIFO recorded as a video is never opened: a rename completes instead of blocking", async () => {
    const dir = await generated();
    const fifo = join(dir, "clipform-out", "c1.v1.mp4");
    unlinkSync(fifo);
    execFileSync("mkfifo", [fifo]);
    renameC1toC2(dir);
    const r = await apply(dir, sim);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note +removed 1 symbolic link\(s\) or special file\(s\) from clipform-out/);
    expect(existsSync(fifo)).toBe(false);
    // The reuse kept the paid generation; its video comes back from its URL on the next apply.
    expect(readLock(dir).clips.c2!.results).toHaveLength(1);
    expect((await apply(dir, sim)).code).toBe(0);
    expect(lstatSync(join(dir, "clipform-out", "c2.v1.mp4")).isFile()).toBe(true);
  });

  it("a link planted inside .clipform (its tmp folder) is removed, never written through", async () => {
    const dir = await generated();
    // Followed, the link would send the reuse's copy of the video elsewhere (here: into a file,
    // so the copy fails and the renamed clip loses its video); removed, the copy is made in place.
    const target = victim("state-tmp-target");
    symlinkSync(target, join(dir, ".clipform", "tmp"));
    renameC1toC2(dir);
    const r = await apply(dir, sim);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(target, "utf8")).toBe(VICTIM_TEXT);
    expect(lstatSync(join(dir, "clipform-out", "c2.v1.mp4")).isFile()).toBe(true);
  });

  it.each([
    ["clipform-out", "the output folder"],
    [".clipform", "the state folder"],
  ])("%s being a symbolic link is refused, and nothing is written where it points", async (name, label) => {
    const dir = simProject(C1);
    const elsewhere = join(outside, `${name}-target`);
    mkdirSync(elsewhere, { recursive: true });
    symlinkSync(elsewhere, join(dir, name));
    const r = await apply(dir, sim);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${label} (${name}) is a symbolic link: clipform never writes through links`);
    expect(r.stderr).not.toMatch(/internal error|    at /);
    expect(execFileSync("ls", ["-A", elsewhere], { encoding: "utf8" })).toBe("");
    // Renamed out of the way, a real folder works again.
    renameSync(join(dir, name), join(dir, `${name}.moved`));
    expect((await apply(dir, sim)).code).toBe(0);
  });
});
