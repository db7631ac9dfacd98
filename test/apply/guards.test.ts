/**
 * What stands between a command and money: approval, saved plans, the state lock, a corrupt
 * lockfile. Each refusal sends nothing to the API.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  apply,
  cleanupAfterAll,
  clipsOf,
  entryProblems,
  lockPathOf,
  manifest,
  planJson,
  readLock,
  run,
  simEnv,
  simProject,
  startSim,
} from "../helpers/apply-sim.js";

cleanupAfterAll();

const STATE_LOCK = ".clipform/apply.lock";

function writeHolder(dir: string, pid: number, host = hostname()): string {
  mkdirSync(join(dir, ".clipform"), { recursive: true });
  const text = JSON.stringify({ pid, host, command: "clipform apply", startedAt: "2026-05-01T10:00:00.000Z" }, null, 2) + "\n";
  writeFileSync(join(dir, STATE_LOCK), text);
  return text;
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => p.on("exit", r));
  return p.pid!;
}

describe.concurrent("apply: approval", () => {
  it("without a terminal and without --auto-approve: exit 1, sends nothing", async () => {
    const sim = await startSim();
    const dir = simProject(2);
    const r = await run(["apply", "--poll-interval", "20"], { cwd: dir, env: simEnv(sim), input: "yes\n" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/apply needs --auto-approve when not run from a terminal.*Nothing was sent\./);
    expect(r.stdout).toContain("2 to create"); // the plan is still shown
    expect(sim.stats().requests).toBe(0);
    expect(existsSync(lockPathOf(dir))).toBe(false);
    expect(existsSync(join(dir, STATE_LOCK))).toBe(false);
  });

  it("a saved plan applies without --auto-approve", async () => {
    const sim = await startSim();
    const dir = simProject(2);
    const saved = await run(["plan", "--out", "p.json"], { cwd: dir });
    expect(saved.code).toBe(0);
    const r = await run(["apply", "p.json", "--poll-interval", "20"], { cwd: dir, env: simEnv(sim) });
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats().videoInference).toBe(2);
    const lock = readLock(dir);
    for (const c of clipsOf(2)) expect(entryProblems(dir, c.id, lock)).toEqual([]);
    // Applied once; applying the same saved plan again is refused (the lockfile moved on).
    const again = await run(["apply", "p.json", "--poll-interval", "20"], { cwd: dir, env: simEnv(sim) });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/stale/);
    expect(sim.stats().videoInference).toBe(2);
  });

  it("a saved plan made stale by a manifest edit is refused; nothing is sent", async () => {
    const sim = await startSim();
    const dir = simProject(2);
    expect((await run(["plan", "--out", "p.json"], { cwd: dir })).code).toBe(0);
    const clips = clipsOf(2);
    clips[0]!.prompt = "An edited prompt after the plan was saved";
    writeFileSync(join(dir, "specs/clips.yaml"), manifest(clips));
    const r = await run(["apply", "p.json", "--poll-interval", "20"], { cwd: dir, env: simEnv(sim) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the saved plan is stale: the manifests or their images changed\. Nothing was sent\./);
    expect(sim.stats().requests).toBe(0);
    expect(existsSync(lockPathOf(dir))).toBe(false);
  });

  it("a saved plan made stale by another apply (lockfile serial moved) is refused; nothing is sent", async () => {
    const sim = await startSim();
    const dir = simProject(2);
    expect((await apply(dir, sim, ["--target", "clip-01"])).code).toBe(0);
    expect((await run(["plan", "--out", "p.json"], { cwd: dir })).code).toBe(0);
    const serialAtSave = readLock(dir).serial;
    // Something else is applied in between: the manifests are unchanged, the lockfile is not.
    expect((await apply(dir, sim, ["--target", "clip-02"])).code).toBe(0);
    expect(readLock(dir).serial).toBeGreaterThan(serialAtSave);
    const before = sim.stats();
    const r = await run(["apply", "p.json", "--poll-interval", "20"], { cwd: dir, env: simEnv(sim) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stale: the lockfile changed \(saved plan: serial \d+; now: serial \d+\)/);
    expect(sim.stats().requests).toBe(before.requests);
  });
});

describe.concurrent("apply: the state lock", () => {
  it("a lock held by a live process: apply refuses, naming the holder, and sends nothing", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    const text = writeHolder(dir, process.pid);
    const r = await apply(dir, sim);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`another apply holds the state lock (pid ${process.pid} on ${hostname()}, \`clipform apply\``);
    expect(r.stderr).toMatch(/Nothing was sent/);
    expect(sim.stats().requests).toBe(0);
    expect(readFileSync(join(dir, STATE_LOCK), "utf8")).toBe(text);
  });

  it("a lock from another host is not taken over (its process cannot be checked)", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    writeHolder(dir, await deadPid(), "some-other-ci-runner");
    const r = await apply(dir, sim);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/another apply holds the state lock \(pid \d+ on some-other-ci-runner/);
    expect(sim.stats().requests).toBe(0);
  });

  it("an unreadable lock file is not taken over", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    mkdirSync(join(dir, ".clipform"), { recursive: true });
    writeFileSync(join(dir, STATE_LOCK), "{ garbage");
    const r = await apply(dir, sim);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot be read\. Nothing was sent\. Run `clipform unlock`/);
    expect(sim.stats().requests).toBe(0);
  });

  it("a lock whose process is gone is taken over; apply proceeds and releases it", async () => {
    const sim = await startSim();
    const dir = simProject(2);
    const pid = await deadPid();
    writeHolder(dir, pid);
    const r = await apply(dir, sim);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`note: took over a stale state lock (pid ${pid} on ${hostname()}`);
    expect(sim.stats().videoInference).toBe(2);
    expect(existsSync(join(dir, STATE_LOCK))).toBe(false);
  });

  /**
   * Two applies start next to a stale lock (a CI retry and a developer, say). Taking over must be
   * atomic: only one may end up holding the lock. The stale lock here carries padding so that
   * reading it takes a while, which widens (but does not create) the window between "I read a
   * dead holder" and "I delete the lock file", during which the other apply may already have
   * replaced it with its own live lock.
   */
  it("two applies taking over the same stale lock: still only one runs; each clip is paid once", async () => {
    const sim = await startSim({ latencyMs: 200 });
    const dir = simProject(2);
    mkdirSync(join(dir, ".clipform"), { recursive: true });
    const stale = { pid: await deadPid(), host: hostname(), command: "clipform apply", startedAt: "2026-05-01T10:00:00.000Z", padding: Array(2e6).fill(1) };
    writeFileSync(join(dir, STATE_LOCK), JSON.stringify(stale));
    const [a, b] = await Promise.all([apply(dir, sim), apply(dir, sim)]);
    const stats = sim.stats();
    expect(new Set(stats.acceptedTaskUUIDs).size).toBe(stats.videoInference);
    expect(stats.videoInference, `${a.stderr}\n---\n${b.stderr}`).toBe(2);
  });

  it("plan does not take the lock: it works while an apply holds it", async () => {
    const dir = simProject(1);
    writeHolder(dir, process.pid);
    const p = await planJson(dir);
    expect(p.changes[0]!.action).toBe("create");
    expect(existsSync(join(dir, STATE_LOCK))).toBe(true);
  });

  it("clipform unlock: refuses for a live holder without --force, removes with it, and removes a dead one", async () => {
    const dir = simProject(1);
    const text = writeHolder(dir, process.pid);
    const refused = await run(["unlock"], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`held by a running process (pid ${process.pid}`);
    expect(readFileSync(join(dir, STATE_LOCK), "utf8")).toBe(text);

    const forced = await run(["unlock", "--force"], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`Removed the state lock (pid ${process.pid}`);
    expect(existsSync(join(dir, STATE_LOCK))).toBe(false);

    const pid = await deadPid();
    writeHolder(dir, pid);
    const dead = await run(["unlock"], { cwd: dir });
    expect(dead.code).toBe(0);
    expect(dead.stdout).toContain(`Removed the state lock (pid ${pid}`);
    expect(existsSync(join(dir, STATE_LOCK))).toBe(false);

    const none = await run(["unlock"], { cwd: dir });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain("There was no state lock.");
  });

  it("two applies at once: one runs, the other refuses; each clip is paid once", async () => {
    const sim = await startSim({ latencyMs: 300 });
    const dir = simProject(3);
    const [a, b] = await Promise.all([apply(dir, sim), apply(dir, sim)]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 1]);
    const loser = a.code === 1 ? a : b;
    expect(loser.stderr).toMatch(/another apply holds the state lock/);
    expect(sim.stats().videoInference).toBe(3);
    expect(new Set(sim.stats().acceptedTaskUUIDs).size).toBe(3);
  });
});

describe.concurrent("apply: a corrupt lockfile", () => {
  it("truncated JSON: exit 1 with a clear message, the file untouched, nothing sent", async () => {
    const sim = await startSim();
    const dir = simProject(2);
    expect((await apply(dir, sim, ["--target", "clip-01"])).code).toBe(0);
    const full = readFileSync(lockPathOf(dir));
    const truncated = full.subarray(0, Math.floor(full.length / 2));
    writeFileSync(lockPathOf(dir), truncated);
    const before = sim.stats();
    const r = await apply(dir, sim);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: clipform\.lock\.json( at line \d+, column \d+)?: not valid JSON .*The file was left as it is; restore it from git\./);
    expect(r.stderr).not.toMatch(/internal error|\bat .*\.js:\d+/);
    expect(readFileSync(lockPathOf(dir)).equals(truncated)).toBe(true);
    expect(sim.stats().requests).toBe(before.requests);
    expect(existsSync(join(dir, STATE_LOCK))).toBe(false);
  });

  it("merge-conflict markers: exit 1 with a clear message, the file untouched, nothing sent", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    const conflicted = `{
  "format_version": 1,
<<<<<<< HEAD
  "lineage": "11111111-1111-4111-8111-111111111111",
  "serial": 4,
=======
  "lineage": "11111111-1111-4111-8111-111111111111",
  "serial": 5,
>>>>>>> feature
  "clips": {}
}
`;
    writeFileSync(lockPathOf(dir), conflicted);
    const r = await apply(dir, sim);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/clipform\.lock\.json has unresolved git merge conflict markers/);
    expect(readFileSync(lockPathOf(dir), "utf8")).toBe(conflicted);
    expect(sim.stats().requests).toBe(0);
  });

  it("valid JSON that is not a lockfile: exit 1, the file untouched, nothing sent", async () => {
    const sim = await startSim();
    const dir = simProject(1);
    const text = `{"format_version": 1, "lineage": "not-a-uuid", "serial": 1, "clips": {}}\n`;
    writeFileSync(lockPathOf(dir), text);
    const r = await apply(dir, sim);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not look like a clipform lockfile/);
    expect(readFileSync(lockPathOf(dir), "utf8")).toBe(text);
    expect(sim.stats().requests).toBe(0);
  });
});
