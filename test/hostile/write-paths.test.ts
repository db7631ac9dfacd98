/**
 * Paths a pull request controls (the lockfile's files and fingerprints, a schema's model name, the
 * output folder, links planted where clipform writes) never make clipform read, write, move or
 * delete anything outside what it owns. Each case of issue 20, reproduced as written.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { getModel } from "../../src/models/catalog.js";
import { toRequestSchema } from "../../src/models/runware-schema.js";
import { clipform, MANIFEST, projectWith, tempDir } from "./in-process.js";

const FAST = ["--auto-approve", "--poll-interval", "20"];
const SIM_LOCK = join(".clipform", "sim", "clipform.lock.json");

interface Lock {
  clips: Record<string, { fingerprint: string; results: { file?: string; videoUUID: string }[] }>;
  takes?: Record<string, { results: { file?: string; videoUUID: string }[] }>;
}
const readLock = (dir: string) => JSON.parse(readFileSync(join(dir, SIM_LOCK), "utf8")) as Lock;
const writeLock = (dir: string, lock: Lock) => writeFileSync(join(dir, SIM_LOCK), JSON.stringify(lock, null, 2));

/** A project whose c1 was generated twice (simulated): the first take is kept, with its file under takes/. */
async function withKeptTake(): Promise<string> {
  const dir = projectWith({ "specs/a.yaml": MANIFEST(["c1"]) });
  expect((await clipform(["apply", "--sim", ...FAST], dir)).code).toBe(0);
  writeFileSync(join(dir, "specs", "a.yaml"), MANIFEST(["c1"]).replace("A slow drift", "A fast drift"));
  const again = await clipform(["apply", "--sim", ...FAST], dir);
  expect(again.code, again.stderr).toBe(0);
  return dir;
}

describe("prune deletes only kept takes' files inside the output folder", () => {
  it("a take naming clipform-out/takes/../../../victim or takes/../specs/keep.txt is refused: nothing pruned or deleted", async () => {
    const dir = await withKeptTake();
    const outside = tempDir();
    writeFileSync(join(outside, "victim.txt"), "not clipform's");
    writeFileSync(join(dir, "specs", "keep.txt"), "the user's");
    const lock = readLock(dir);
    const [take] = Object.values(lock.takes ?? {});
    const paid = take!.results[0]!;
    take!.results.push(
      { ...paid, videoUUID: "11111111-1111-4111-8111-111111111111", file: `.clipform/sim/clipform-out/takes/../../../../${relative(dir, join(outside, "victim.txt"))}` },
      { ...paid, videoUUID: "22222222-2222-4222-8222-222222222222", file: "takes/../specs/keep.txt" },
    );
    writeLock(dir, lock);
    const before = readFileSync(join(dir, SIM_LOCK), "utf8");
    const r = await clipform(["prune", "--sim"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("names files of kept takes outside the takes folders of .clipform/sim/clipform-out");
    expect(r.stderr).toContain('"takes/../specs/keep.txt"');
    expect(r.stderr).toContain("Nothing was pruned or removed");
    expect(readFileSync(join(outside, "victim.txt"), "utf8")).toBe("not clipform's");
    expect(readFileSync(join(dir, "specs", "keep.txt"), "utf8")).toBe("the user's");
    expect(existsSync(join(dir, paid.file!))).toBe(true);
    expect(readFileSync(join(dir, SIM_LOCK), "utf8")).toBe(before);
  });

  it("an honest kept take is still pruned, its file removed", async () => {
    const dir = await withKeptTake();
    const [take] = Object.values(readLock(dir).takes ?? {});
    const file = take!.results[0]!.file!;
    expect(file).toMatch(/\/takes\//);
    const r = await clipform(["prune", "--sim"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, file))).toBe(false);
  });
});

describe("a fingerprint names a take folder only as a name", () => {
  it("x:../../../../ is refused when the lockfile is read: the paid video stays where it is", async () => {
    const dir = await withKeptTake();
    const lock = readLock(dir);
    lock.clips.c1!.fingerprint = "x:../../../../";
    writeLock(dir, lock);
    const file = lock.clips.c1!.results[0]!.file!;
    writeFileSync(join(dir, "specs", "a.yaml"), MANIFEST(["c1"]).replace("A slow drift", "A third drift"));
    const r = await clipform(["apply", "--sim", ...FAST], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('clipform.lock.json: the fingerprint "x:../../../../" is not one clipform writes: its take folder name holds a path separator');
    expect(existsSync(join(dir, file))).toBe(true);
    expect(readdirSync(join(dir, ".."))).not.toContain(file.split("/").pop());
  });
});

describe("models import names its file from the schema as a name", () => {
  const schemaNaming = (air: string) => {
    const requestSchema = toRequestSchema({ ...getModel("minimax:2@1")!, air: "acme:1@1", name: "Acme One" });
    (requestSchema.properties as { model: { const: string } }).model.const = air;
    return JSON.stringify({ requestSchema, responseSchema: null });
  };

  it.each(["a/../../.clipform/sim/clipform.lock", "../../../outside", "a\\b"])("model.const %j writes nothing, the lockfile untouched", async (air) => {
    const dir = projectWith({ "specs/a.yaml": MANIFEST(["c1"]), "clipform.lock.json": '{"format_version":2,"lineage":"l","serial":1,"clips":{}}\n', "x.schema.json": schemaNaming(air) });
    const r = await clipform(["models", "import", "x.schema.json"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`x.schema.json: the model ${JSON.stringify(air)} cannot name a file`);
    expect(r.stderr).toContain("nothing was written");
    expect(readFileSync(join(dir, "clipform.lock.json"), "utf8")).toBe('{"format_version":2,"lineage":"l","serial":1,"clips":{}}\n');
    expect(existsSync(join(dir, "models"))).toBe(false);
  });

  it("a link planted at the model file's name is replaced, never written through", async () => {
    const outside = tempDir();
    writeFileSync(join(outside, "bashrc"), "# the user's\n");
    const dir = projectWith({ "x.schema.json": schemaNaming("acme:1@1") });
    mkdirSync(join(dir, "models"));
    symlinkSync(join(outside, "bashrc"), join(dir, "models", "acme-1-1.json"));
    const r = await clipform(["models", "import", "x.schema.json"], dir);
    expect(r.stdout).toContain("Wrote models/acme-1-1.json");
    expect(readFileSync(join(outside, "bashrc"), "utf8")).toBe("# the user's\n");
    expect(lstatSync(join(dir, "models", "acme-1-1.json")).isFile()).toBe(true);
  });
});

describe("the output folder is a folder inside the project", () => {
  it("outDir: . in clipform.yaml is refused at FILE:LINE:COL; node_modules/.bin keeps its links", async () => {
    const dir = projectWith({ "specs/a.yaml": MANIFEST(["c1"]), "clipform.yaml": "version: 1\noutDir: .\n", "node_modules/pkg/cli.js": "" });
    mkdirSync(join(dir, "node_modules", ".bin"));
    symlinkSync("../pkg/cli.js", join(dir, "node_modules", ".bin", "pkg"));
    for (const args of [["validate"], ["apply", "--sim", ...FAST]]) {
      const r = await clipform(args, dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/clipform\.yaml:2:9: outDir must be a folder inside the project \(apply removes every link and special file in it\): it is the project root or a folder above it/);
    }
    expect(lstatSync(join(dir, "node_modules", ".bin", "pkg")).isSymbolicLink()).toBe(true);
  });

  it("--out-dir outside the project (~/Videos) or the root itself is refused before anything: its links stay", async () => {
    const home = tempDir();
    mkdirSync(join(home, "Videos"));
    symlinkSync("/etc/hostname", join(home, "Videos", "a-link"));
    const dir = projectWith({ "specs/a.yaml": MANIFEST(["c1"]) });
    symlinkSync("specs/a.yaml", join(dir, "root-link"));
    for (const out of [join(home, "Videos"), ".", dir]) {
      const r = await clipform(["apply", "--sim", ...FAST, "--out-dir", out], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the output folder .* (lies outside the project|is the project root or a folder above it): it must be a folder inside the project/);
      expect(r.stderr).toContain("Nothing was sent.");
    }
    expect(lstatSync(join(home, "Videos", "a-link")).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, "root-link")).isSymbolicLink()).toBe(true);
  });
});

describe("init never follows a planted link", () => {
  it.each([
    [".gitignore", "a symbolic link"],
    [".gitattributes", "a symbolic link"],
    ["clipform.yaml", "a symbolic link"],
  ])("%s linked outside: refused, nothing written anywhere", async (rel) => {
    const outside = tempDir();
    writeFileSync(join(outside, "bashrc"), "# the user's\n");
    const dir = tempDir();
    symlinkSync(join(outside, "bashrc"), join(dir, rel));
    const r = await clipform(["init"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${rel} is a symbolic link: clipform init writes only regular files, never through links. Nothing was written`);
    expect(readFileSync(join(outside, "bashrc"), "utf8")).toBe("# the user's\n");
    expect(readdirSync(dir)).toEqual([rel]);
  });

  it("a dangling clipform.yaml link is an error, not a crash", async () => {
    const dir = tempDir();
    symlinkSync(join(dir, "nowhere.yaml"), join(dir, "clipform.yaml"));
    const r = await clipform(["init"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|    at /);
    expect(r.stderr).toMatch(/clipform\.yaml: is a symbolic link to nothing|clipform\.yaml is a symbolic link/);
    expect(existsSync(join(dir, "nowhere.yaml"))).toBe(false);
  });

  it("--workflow through a linked .github creates nothing outside", async () => {
    const outside = tempDir();
    const dir = tempDir();
    symlinkSync(outside, join(dir, ".github"));
    const r = await clipform(["init", "--workflow"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(".github is a symbolic link");
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe("state and inputs never leave the project", () => {
  it("with .clipform a link, plan --quote writes no quotes.json outside", async () => {
    const outside = tempDir();
    const dir = projectWith({ "specs/a.yaml": MANIFEST(["c1"]) });
    symlinkSync(outside, join(dir, ".clipform"));
    const r = await clipform(["plan", "--quote", "--sim"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\.clipform\) is a symbolic link: clipform never writes through links/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it("a frame image given as an absolute path, ../ or a link out is refused at FILE:LINE:COL, never read", async () => {
    const outside = tempDir();
    // A real PNG outside the project: were it read, validate would pass.
    const png = readFileSync(join(import.meta.dirname, "..", "..", "specs", "assets", readdirSync(join(import.meta.dirname, "..", "..", "specs", "assets")).find((f) => f.endsWith(".png"))!));
    writeFileSync(join(outside, "secret.png"), png);
    const dir = projectWith({});
    mkdirSync(join(dir, "specs"));
    symlinkSync(join(outside, "secret.png"), join(dir, "specs", "linked.png"));
    const frame = (image: string) => `    inputs:\n      frameImages:\n        - { image: ${image}, frame: first }\n`;
    const rel = relative(join(dir, "specs"), join(outside, "secret.png"));
    writeFileSync(
      join(dir, "specs", "a.yaml"),
      `version: 1\ndefaults: { model: klingai:3@1, width: 1280, height: 720, duration: 5 }\nclips:\n` +
        `  abs:\n    positivePrompt: A lighthouse at dusk\n${frame(join(outside, "secret.png"))}` +
        `  up:\n    positivePrompt: A lighthouse at dusk\n${frame(rel)}` +
        `  link:\n    positivePrompt: A lighthouse at dusk\n${frame("./linked.png")}`,
    );
    const r = await clipform(["validate"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^specs\/a\.yaml:8:20: image \/.*secret\.png lies outside the project/m);
    expect(r.stderr).toMatch(/^specs\/a\.yaml:13:20: image \.\.\/.*secret\.png lies outside the project/m);
    expect(r.stderr).toMatch(/^specs\/a\.yaml:18:20: image \.\/linked\.png: is a symbolic link out of the project/m);
  });
});
