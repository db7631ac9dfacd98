/**
 * Every file clipform reads from a project may come from a pull request: a link to /dev/zero or
 * out of the project, a FIFO, a file too big. Each is refused with an error naming the file,
 * promptly (a FIFO never blocks: these tests would time out), and the other files are still read.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { READ_CAPS, readProjectFile } from "../../src/util/safe-fs.js";
import { clipform, MANIFEST, projectWith, tempDir } from "./in-process.js";

const fifo = (path: string) => execFileSync("mkfifo", [path]);

describe("the one reader", () => {
  it("reads a regular file, and says nothing is there when nothing is", () => {
    const dir = projectWith({ "a.json": "{}" });
    expect(readProjectFile(join(dir, "a.json"), { within: dir, maxBytes: 10, shown: "a.json" })?.toString()).toBe("{}");
    expect(readProjectFile(join(dir, "b.json"), { within: dir, maxBytes: 10, shown: "b.json" })).toBeUndefined();
  });

  it("refuses a FIFO without blocking, a device, a folder, a link out, a dangling link and a file over its cap", () => {
    const dir = projectWith({ "big.json": "x".repeat(11), "in.json": "{}" });
    const outside = tempDir();
    writeFileSync(join(outside, "secret.json"), "{}");
    fifo(join(dir, "fifo.json"));
    symlinkSync("/dev/zero", join(dir, "zero.json"));
    symlinkSync(join(outside, "secret.json"), join(dir, "out.json"));
    symlinkSync("in.json", join(dir, "ok.json"));
    symlinkSync(join(dir, "nothing"), join(dir, "dangling.json"));
    mkdirSync(join(dir, "folder.json"));
    const read = (name: string) => () => readProjectFile(join(dir, name), { within: dir, maxBytes: 10, shown: name });
    expect(read("fifo.json")).toThrow(/^fifo\.json: is a FIFO; clipform reads only regular files inside the project\. Nothing was read from it\.$/);
    expect(read("zero.json")).toThrow(/^zero\.json: is a symbolic link out of the project \(to \/dev\/zero\)/);
    expect(read("out.json")).toThrow(/^out\.json: is a symbolic link out of the project \(to .*secret\.json\)/);
    expect(read("dangling.json")).toThrow(/^dangling\.json: is a symbolic link to nothing/);
    expect(read("folder.json")).toThrow(/^folder\.json: is a folder/);
    expect(read("big.json")).toThrow(/^big\.json: is 0 MB, over the 0 MB clipform reads from such a file/);
    // A link that stays inside the project is a file like any other.
    expect(read("ok.json")()?.toString()).toBe("{}");
    // A device named directly (no link) is refused too.
    expect(() => readProjectFile("/dev/zero", { maxBytes: 10, shown: "/dev/zero" })).toThrow(/is a device/);
  });
});

describe("planted files in a checkout: one error per file, the others still read", () => {
  it("validate: a manifest linked to /dev/zero, a FIFO manifest and one linked out are each one located error; the good one is checked", async () => {
    const dir = projectWith({ "specs/good.yaml": MANIFEST(["harbor"]), "specs/bad.yaml": "version: 1\nclips:\n  a: {positivePrompt: x, duration: 999}\n" });
    const outside = tempDir();
    writeFileSync(join(outside, "other.yaml"), MANIFEST(["elsewhere"]));
    symlinkSync("/dev/zero", join(dir, "specs", "x.yaml"));
    fifo(join(dir, "specs", "fifo.yaml"));
    symlinkSync(join(outside, "other.yaml"), join(dir, "specs", "out.yaml"));
    const r = await clipform(["validate"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^specs\/x\.yaml:1:1: is a symbolic link out of the project \(to \/dev\/zero\)/m);
    expect(r.stderr).toMatch(/^specs\/fifo\.yaml:1:1: is a FIFO/m);
    expect(r.stderr).toMatch(/^specs\/out\.yaml:1:1: is a symbolic link out of the project/m);
    expect(r.stderr).toMatch(/^specs\/bad\.yaml:\d+:\d+: /m);
    expect(r.stderr).not.toMatch(/specs\/good\.yaml/);
    expect(r.stderr).not.toMatch(/internal error|    at /);
  });

  it("a manifest folder linked out of the project is not walked", async () => {
    const dir = projectWith({});
    symlinkSync("/", join(dir, "specs"));
    const r = await clipform(["validate"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("specs: is a symbolic link out of the project (to /)");
  });

  it.each([
    ["clipform.yaml", "clipform.yaml"],
    ["models/own.json", "models/own.json"],
    ["clipform.lock.json", "clipform.lock.json"],
    [".clipform/quotes.json", ".clipform/quotes.json"],
  ])("plan --markdown: %s as a link to /dev/zero, then as a FIFO, is an error naming it", async (rel, shown) => {
    for (const plant of ["zero", "fifo"] as const) {
      const dir = projectWith({ "specs/a.yaml": MANIFEST(["harbor"]), ...(rel === "clipform.yaml" ? {} : { "clipform.yaml": "version: 1\n" }) });
      mkdirSync(join(dir, rel, ".."), { recursive: true });
      if (plant === "zero") symlinkSync("/dev/zero", join(dir, rel));
      else fifo(join(dir, rel));
      const r = await clipform(["plan", "--markdown"], dir);
      expect(r.code, `${plant} ${rel}: ${r.stdout}`).toBe(1);
      // A model file is located like any diagnostic (FILE:1:1); the others end the command naming the file.
      expect(r.stderr).toContain(`${shown}${rel.startsWith("models/") ? ":1:1" : ""}: is ${plant === "zero" ? "a symbolic link out of the project (to /dev/zero)" : "a FIFO"}`);
      expect(r.stderr).not.toMatch(/internal error|    at /);
    }
  });
});

describe("clipform's own state, planted: a FIFO where a journal or the sequence record is read", () => {
  it.each([
    [".clipform/journal/20261201T000000-000Z-1-000001-abcdef01.jsonl", "20261201T000000-000Z-1-000001-abcdef01.jsonl"],
    [".clipform/sequences.json", "sequences.json"],
  ])("%s: plan ends with an error naming it", async (rel, shown) => {
    const dir = projectWith({ "specs/a.yaml": `${MANIFEST(["c1", "c2"])}sequences:\n  film: [c1, c2]\n` });
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    fifo(join(dir, rel));
    const r = await clipform(["plan"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${shown}: is a FIFO`);
    expect(r.stderr).not.toMatch(/internal error|    at /);
  });
});

describe("the lockfile: a repeated key is refused, and the file is never overwritten", () => {
  it("the same clip address twice: plan and apply name both places; the file is left byte for byte", async () => {
    const dir = projectWith({ "specs/a.yaml": MANIFEST(["c1", "c2"]) });
    const first = await clipform(["apply", "--sim", "--auto-approve", "--poll-interval", "20"], dir);
    expect(first.code, first.stderr).toBe(0);
    const lockPath = join(dir, ".clipform", "sim", "clipform.lock.json");
    const lock = JSON.parse(readFileSync(lockPath, "utf8")) as { clips: Record<string, unknown> };
    // c1's entry written twice, the second an older copy without its paid task (as a bad merge leaves it).
    const entry = JSON.stringify(lock.clips.c1, null, 2);
    const text = readFileSync(lockPath, "utf8").replace('"c2": {', `"c1": ${entry.replace(/"tasks": \[[\s\S]*?\]/, '"tasks": []')},\n    "c2": {`);
    writeFileSync(lockPath, text);
    const c1 = text.indexOf('"c1"');
    const line = (at: number) => text.slice(0, at).split("\n").length;
    for (const args of [["plan", "--sim"], ["apply", "--sim", "--auto-approve"], ["status", "--sim"]]) {
      const r = await clipform(args, dir);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toContain(`clipform.lock.json: the key "c1" appears twice in clips, at line ${line(c1)}, column 5 and at line ${line(text.indexOf('"c1"', c1 + 1))}, column 5`);
      expect(r.stderr).toContain("The file was left as it is");
    }
    expect(readFileSync(lockPath, "utf8")).toBe(text);
  });
});
