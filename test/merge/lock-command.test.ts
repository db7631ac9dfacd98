/**
 * `clipform lock merge BASE OURS THEIRS [PATH]`, the binary as git runs it: the result in OURS,
 * exit 0 when clean; exit 1 with OURS untouched when a side is unreadable or the lineages differ;
 * exit 1 with conflict markers around only the entries that could not be combined.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseLockfile, serializeLockfile } from "../../src/lockfile/io.js";
import type { Lockfile } from "../../src/lockfile/schema.js";
import { cli, project } from "../helpers/cli.js";
import { clone, done, lock, OTHER_LINEAGE, res, task } from "./fixtures.js";

function sides(base: Lockfile | "", ours: Lockfile | string, theirs: Lockfile | string): string {
  const text = (x: Lockfile | string) => (typeof x === "string" ? x : serializeLockfile(x));
  return project({ O: text(base), A: text(ours), B: text(theirs) });
}

const merge = (dir: string, extra: string[] = ["clipform.lock.json"]) => cli(["lock", "merge", "O", "A", "B", ...extra], { cwd: dir });

describe("clipform lock merge", () => {
  it("writes the merged lockfile to OURS (deterministic text) and exits 0", async () => {
    const a = done("a", "A");
    const base = lock({ a }, 4);
    const ours = lock({ a, x: done("x", "X", 1, 5) }, 5);
    const theirs = lock({ a, y: done("y", "Y", 1, 6) }, 8);
    const dir = sides(base, ours, theirs);
    const r = await merge(dir);
    expect(r.stderr).toBe("clipform lock merge: clipform.lock.json: 3 entries (1 unchanged, 1 from ours, 1 from theirs), serial 5/8 → 9\n");
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, "A"), "utf8");
    const merged = parseLockfile(text, "A");
    expect(text).toBe(serializeLockfile(merged));
    expect(merged).toEqual({ ...base, serial: 9, clips: { a, x: ours.clips.x, y: theirs.clips.y } });
    // BASE and THEIRS are not touched.
    expect(readFileSync(join(dir, "B"), "utf8")).toBe(serializeLockfile(theirs));
  });

  it("takes an empty BASE as 'no common ancestor' (git passes one when both sides added the file)", async () => {
    const dir = sides("", lock({ x: done("x", "X") }, 1), lock({ y: done("y", "Y") }, 1));
    const r = await merge(dir);
    expect(r.code).toBe(0);
    expect(Object.keys(parseLockfile(readFileSync(join(dir, "A"), "utf8"), "A").clips)).toEqual(["x", "y"]);
  });

  it("refuses an unreadable side with a clear message and leaves OURS untouched", async () => {
    const good = lock({ a: done("a", "A") });
    const cases: [string, string, RegExp][] = [
      ["B", '{"format_version": 1, "lineage": ', /clipform\.lock\.json \(theirs\)(?: at line \d+, column \d+)?: not valid JSON/],
      ["B", "", /clipform\.lock\.json \(theirs\) is empty/],
      ["O", '{"format_version": 1}', /clipform\.lock\.json \(base\) does not look like a clipform lockfile/],
      ["A", serializeLockfile(good).replace('\n  "serial"', '\n<<<<<<< HEAD\n  "serial"'), /clipform\.lock\.json \(ours\) has unresolved git merge conflict markers/],
    ];
    for (const [which, content, message] of cases) {
      const dir = sides(good, good, good);
      writeFileSync(join(dir, which), content);
      const before = readFileSync(join(dir, "A"), "utf8");
      const r = await merge(dir);
      expect(r.code, `${which}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/Nothing was changed\.\n$/);
      expect(r.stderr).not.toMatch(/internal error|\bat .*\.js:\d+/);
      expect(readFileSync(join(dir, "A"), "utf8")).toBe(before);
    }
  });

  it("refuses lockfiles of different lineages, leaving OURS untouched", async () => {
    const ours = lock({ a: done("a", "A") });
    const dir = sides("", ours, lock({ b: done("b", "B") }, 5, OTHER_LINEAGE));
    const r = await merge(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the two lockfiles have different lineages \(ours 11111111-.*, theirs 22222222-.*\).*Nothing was changed\.\n$/);
    expect(readFileSync(join(dir, "A"), "utf8")).toBe(serializeLockfile(ours));
  });

  it("on a conflict: exit 1, the address named, markers around that entry only, and clipform refuses the file until resolved", async () => {
    const a = done("a", "A", 1, 0);
    const b = done("b", "B", 1, 0);
    const base = lock({ a, b }, 3);
    const theirs = clone(base);
    // A task of the old request still in flight on theirs (paid results alone would be kept as a take).
    const t = task("submitted", 10);
    theirs.clips.a!.tasks.push(t);
    theirs.clips.z = done("z", "Z", 1, 11);
    const ours = lock({ a: done("a", "A-new", 1, 20), b }, 4);
    const dir = sides(base, ours, theirs);
    const r = await merge(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/conflict: clipform\.lock\.json: a: ours and theirs generated different requests .* theirs holds 1 task still in flight/);
    expect(r.stderr).toMatch(/1 of 3 entries could not be merged/);
    const text = readFileSync(join(dir, "A"), "utf8");
    expect(text.match(/^<<<<<<< /gm)).toHaveLength(1);
    expect(text).toMatch(/^<<<<<<< ours \(clipform lock merge: a\)\n {4}"a": \{\n[\s\S]*?^ {4}\},\n=======\n {4}"a": \{\n[\s\S]*?^ {4}\},\n>>>>>>> theirs \(a\)\n {4}"b": \{/m);
    // clipform refuses to use it…
    writeFileSync(join(dir, "clipform.lock.json"), text);
    const plan = await cli(["plan"], { cwd: project({ "specs/a.yaml": "version: 1\nclips: {}\n", "clipform.lock.json": text }) });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/unresolved git merge conflict markers/);
    // …and keeping either side's block gives a valid lockfile with every other entry merged.
    const keep = (side: "ours" | "theirs") =>
      parseLockfile(text.replace(/^<<<<<<< .*\n([\s\S]*?)^=======\n([\s\S]*?)^>>>>>>> .*\n/m, (_m, o: string, th: string) => (side === "ours" ? o : th)), "x");
    expect(keep("ours").clips.a).toEqual(ours.clips.a);
    expect(keep("theirs").clips.a).toEqual(theirs.clips.a);
    expect(keep("ours").clips.z).toEqual(theirs.clips.z);
    expect(keep("ours").serial).toBe(5);
  });

  it("explains its usage", async () => {
    const dir = project({});
    const r1 = await cli(["lock"], { cwd: dir });
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/missing subcommand; usage: clipform lock merge BASE OURS THEIRS \[PATH\]/);
    const r2 = await cli(["lock", "merge", "O", "A"], { cwd: dir });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/clipform lock merge %O %A %B %P/);
    expect((await cli(["lock", "--help"], { cwd: dir })).stdout).toMatch(/Usage: clipform lock merge BASE OURS THEIRS \[PATH\]/);
  });
});
