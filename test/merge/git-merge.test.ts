/**
 * The lockfile on real git branches: two branches that both applied (so both changed the
 * lockfile) merge with `clipform lock merge` as the merge driver, exactly as the README sets it up,
 * and plain git without the driver conflicts (which is why the driver exists).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN, bareEnv, cli, exampleProject, simServer } from "../helpers/cli.js";

interface Lock {
  lineage: string;
  serial: number;
  clips: Record<string, { fingerprint: string; tasks: { taskUUID: string; status: string }[]; results: { videoUUID: string; costUsd?: number; file?: string }[] }>;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const gitEnv = () => bareEnv({ GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" });

function git(cwd: string, ...args: string[]): { code: number; out: string } {
  const r = spawnSync("git", args, { cwd, env: gitEnv(), encoding: "utf8" });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function gitOk(cwd: string, ...args: string[]): string {
  const r = git(cwd, ...args);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} exited ${r.code}:\n${r.out}`);
  return r.out;
}

async function clipform(cwd: string, ...args: string[]) {
  const r = await cli(args, { cwd });
  return r;
}

/** A simulator in its own process: these applies write the project's real, committed lockfile (`apply --sim` keeps its record apart). */
let sim: Awaited<ReturnType<typeof simServer>>;
beforeAll(async () => {
  sim = await simServer();
});
afterAll(() => sim?.stop());

async function applySim(cwd: string): Promise<void> {
  const r = await cli(["apply", "--auto-approve"], { cwd, env: sim.env });
  if (r.code !== 0) throw new Error(`apply on the simulator exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
}

const lockAt = (cwd: string, rev: string): Lock => JSON.parse(gitOk(cwd, "show", `${rev}:clipform.lock.json`)) as Lock;
const readLock = (cwd: string): Lock => JSON.parse(readFileSync(join(cwd, "clipform.lock.json"), "utf8")) as Lock;
const videosOf = (l: Lock) => Object.values(l.clips).flatMap((e) => e.results.map((r) => r.videoUUID));

const clipManifest = (id: string, prompt: string) =>
  `version: 1\nclips:\n  ${id}:\n    model: klingai:3@1\n    positivePrompt: ${prompt}\n    width: 1280\n    height: 720\n`;

/** The example project in a git repo, applied on the simulator and committed on main. */
async function repoWithAppliedMain(): Promise<string> {
  const dir = exampleProject();
  dirs.push(dir);
  gitOk(dir, "init", "-q", "-b", "main");
  gitOk(dir, "config", "user.name", "clipform test");
  gitOk(dir, "config", "user.email", "test@clipform.invalid");
  writeFileSync(join(dir, ".gitignore"), "clipform-out/\n.clipform/\n");
  // The README's .gitattributes line; the driver itself is configured per clone (git config).
  writeFileSync(join(dir, ".gitattributes"), "clipform.lock.json merge=clipform\n");
  await applySim(dir);
  gitOk(dir, "add", "-A");
  gitOk(dir, "commit", "-q", "-m", "example project, applied");
  return dir;
}

function editFile(path: string, edit: (s: string) => string): void {
  const before = readFileSync(path, "utf8");
  const after = edit(before);
  if (after === before) throw new Error(`edit of ${path} changed nothing`);
  writeFileSync(path, after);
}

const bumpOrigami = (dir: string) => editFile(join(dir, "specs/text-to-video.yaml"), (s) => s.replace("    numberResults: 2", "    numberResults: 3"));

function configureDriver(dir: string): void {
  gitOk(dir, "config", "merge.clipform.name", "clipform lockfile merge");
  gitOk(dir, "config", "merge.clipform.driver", `node '${BIN}' lock merge %O %A %B %P`);
}

describe("git merge of lockfiles changed on two branches", () => {
  it("merges clip by clip with the driver (and conflicts without it); plan afterwards has nothing to generate", async () => {
    const dir = await repoWithAppliedMain();
    const main = lockAt(dir, "main");
    expect(Object.keys(main.clips)).toHaveLength(12);

    // Branch a: adds x-ferry (new manifest) and drops windmill-lighthouse; applies; commits.
    gitOk(dir, "checkout", "-q", "-b", "a");
    writeFileSync(join(dir, "specs/branch-a.yaml"), clipManifest("x-ferry", "A small ferry crosses a calm bay at sunrise"));
    editFile(join(dir, "specs/image-to-video.yaml"), (s) => s.slice(0, s.indexOf("  windmill-lighthouse:")));
    await applySim(dir);
    gitOk(dir, "add", "-A");
    gitOk(dir, "commit", "-q", "-m", "a: x-ferry, no windmill");

    // Branch b (from main): adds y-kite and a third variant of origami-dragon; applies; commits.
    gitOk(dir, "checkout", "-q", "main");
    gitOk(dir, "checkout", "-q", "-b", "b");
    writeFileSync(join(dir, "specs/branch-b.yaml"), clipManifest("y-kite", "A red kite climbs over windswept dunes"));
    bumpOrigami(dir);
    await applySim(dir);
    gitOk(dir, "add", "-A");
    gitOk(dir, "commit", "-q", "-m", "b: y-kite, origami x3");

    const a = lockAt(dir, "a");
    const b = lockAt(dir, "b");
    expect(Object.keys(a.clips)).toContain("x-ferry");
    expect(Object.keys(a.clips)).not.toContain("windmill-lighthouse");
    expect(Object.keys(b.clips)).toContain("y-kite");
    expect(b.clips["origami-dragon"]!.results).toHaveLength(3);

    // Without the driver: plain git's text merge conflicts, at least on the serial both sides bumped.
    gitOk(dir, "checkout", "-q", "a");
    const plain = git(dir, "merge", "--no-edit", "b");
    expect(plain.code).not.toBe(0);
    expect(gitOk(dir, "diff", "--name-only", "--diff-filter=U").trim().split("\n")).toEqual(["clipform.lock.json"]);
    const conflicted = readFileSync(join(dir, "clipform.lock.json"), "utf8");
    const hunks = [...conflicted.matchAll(/^<<<<<<< .*\n([\s\S]*?)^>>>>>>> .*$/gm)].map((m) => m[1]!);
    expect(hunks.some((h) => /"serial": \d+/.test(h))).toBe(true);
    const refused = await clipform(dir, "plan");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/unresolved git merge conflict markers.*clipform lock merge/);
    gitOk(dir, "merge", "--abort");

    // With the driver (the README's git config lines): a clean merge.
    configureDriver(dir);
    const merged = git(dir, "merge", "--no-edit", "b");
    expect(merged.code, merged.out).toBe(0);
    expect(merged.out).toMatch(/clipform lock merge: clipform\.lock\.json: 13 entries/);
    expect(gitOk(dir, "status", "--porcelain")).toBe("");
    expect(gitOk(dir, "rev-list", "--parents", "-n", "1", "HEAD").trim().split(" ")).toHaveLength(3);

    const m = readLock(dir);
    expect(lockAt(dir, "HEAD")).toEqual(m); // committed as written
    expect(m.lineage).toBe(main.lineage);
    expect(m.serial).toBe(Math.max(a.serial, b.serial) + 1);
    expect(m.serial).toBeGreaterThan(a.serial);
    expect(m.serial).toBeGreaterThan(b.serial);
    const expected = Object.keys(main.clips)
      .filter((k) => k !== "windmill-lighthouse")
      .concat("x-ferry", "y-kite")
      .sort();
    expect(Object.keys(m.clips)).toEqual(expected);
    expect(m.clips["x-ferry"]).toEqual(a.clips["x-ferry"]);
    expect(m.clips["y-kite"]).toEqual(b.clips["y-kite"]);
    expect(m.clips["origami-dragon"]).toEqual(b.clips["origami-dragon"]);
    for (const k of expected.filter((x) => main.clips[x] && x !== "origami-dragon")) expect(m.clips[k], k).toEqual(main.clips[k]);
    // Every video either branch paid for is still recorded (windmill's was dropped on purpose by a).
    const windmill = new Set(main.clips["windmill-lighthouse"]!.results.map((r) => r.videoUUID));
    const all = new Set(videosOf(m));
    for (const v of [...videosOf(a), ...videosOf(b)].filter((x) => !windmill.has(x))) expect(all.has(v), v).toBe(true);

    // This checkout has every file (clipform-out/ is ignored, so it survived the branch switches): nothing to do.
    const plan = await clipform(dir, "plan", "--detailed-exitcode");
    expect(plan.stdout).toContain("No changes");
    expect(plan.code).toBe(0);

    // A fresh clone has the lockfile but none of the (ignored) videos: only downloads, no generation, no cost.
    const clone = mkdtempSync(join(tmpdir(), "clipform-clone-"));
    dirs.push(clone);
    gitOk(tmpdir(), "clone", "-q", dir, clone);
    const cloned = await clipform(clone, "plan", "--json", "--detailed-exitcode");
    expect(cloned.code).toBe(2);
    const pj = JSON.parse(cloned.stdout) as { changes: { address: string; action: string }[]; summary: Record<string, number> };
    expect(pj.changes.map((c) => c.address)).toEqual(expected);
    expect(new Set(pj.changes.map((c) => c.action))).toEqual(new Set(["download"]));
    expect(pj.summary).toMatchObject({ download: 13, create: 0, replace: 0, "add-variants": 0, retry: 0, estimated_cost_usd: 0, generations: 0 });
  }, 180_000);

  it("both branches paid for the same new variant: the merge keeps both videos, and plan generates nothing", async () => {
    const dir = await repoWithAppliedMain();
    configureDriver(dir);
    const main = lockAt(dir, "main");
    // Both branches apply in this one folder, where videos are not in git: b's third video lands
    // on a's file name. Put a's back, as a's author would have it (the simulator's videos differ).
    const v3 = join(dir, "clipform-out", "origami-dragon.v3.mp4");
    let aV3 = Buffer.alloc(0);
    for (const branch of ["a", "b"]) {
      gitOk(dir, "checkout", "-q", "-b", branch, "main");
      bumpOrigami(dir);
      await applySim(dir);
      gitOk(dir, "commit", "-q", "-am", `${branch}: origami x3`);
      if (branch === "a") aV3 = readFileSync(v3);
    }
    const a = lockAt(dir, "a");
    const b = lockAt(dir, "b");
    gitOk(dir, "checkout", "-q", "a");
    const r = git(dir, "merge", "--no-edit", "b");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/origami-dragon: combined ours and theirs \(same request\): 3 tasks, 4 results \(1 only on theirs\)/);
    expect(r.out).toMatch(/origami-dragon: variant 4 .* was saved as clipform-out\/origami-dragon\.v3\.mp4 on its branch.*downloaded again/);
    const m = readLock(dir).clips["origami-dragon"]!;
    const aO = a.clips["origami-dragon"]!;
    const bO = b.clips["origami-dragon"]!;
    expect(m.results.map((x) => x.videoUUID)).toEqual([...aO.results.map((x) => x.videoUUID), bO.results[2]!.videoUUID]);
    expect(m.tasks.map((t) => t.taskUUID).sort()).toEqual([...new Set([...aO.tasks, ...bO.tasks].map((t) => t.taskUUID))].sort());
    expect(m.results[3]!.file).toBeUndefined(); // its name belongs to a's third variant
    const paid = (e: { results: { costUsd?: number }[] }) => e.results.reduce((s, x) => s + (x.costUsd ?? 0), 0);
    expect(paid(m)).toBeCloseTo(paid(aO) + paid(bO) - paid(main.clips["origami-dragon"]!), 6);

    writeFileSync(v3, aV3);
    const pj = JSON.parse((await clipform(dir, "plan", "--json")).stdout) as { changes: { address: string; action: string; reason: string }[]; summary: Record<string, number> };
    expect(pj.changes.find((c) => c.address === "origami-dragon")).toMatchObject({ action: "no-op", reason: "up to date (1 more variant kept in the lockfile)" });
    expect(pj.summary.generations).toBe(0);
  }, 180_000);
});
