/**
 * A full disk at the final lockfile write is the machine's problem, said as such and naming the
 * file, never "internal error … a bug in clipform"; and nothing is lost: the lockfile is left as
 * it was and the run's journal stays, so the next command folds in every paid result and nothing
 * is generated twice. The disk is made full for the lockfile's temp file only (node:fs wrapped):
 * the journal, written first, still fits.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { journalDir } from "../../src/lockfile/journal.js";
import { cleanupAfterAll, FAST, simEnv, simProject, startSim } from "../helpers/apply-sim.js";
import { cli } from "./inproc.js";

const disk = vi.hoisted(() => ({ full: false, code: "ENOSPC", paths: new Map<number, string>() }));

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const openSync = ((path: import("node:fs").PathLike, ...rest: unknown[]) => {
    const fd = (fs.openSync as (...a: unknown[]) => number)(path, ...rest);
    disk.paths.set(fd, String(path));
    return fd;
  }) as typeof fs.openSync;
  const writeSync = ((fd: number, ...rest: unknown[]) => {
    if (disk.full && /clipform\.lock\.json\.\d+\.[0-9a-f]+\.tmp$/.test(disk.paths.get(fd) ?? "")) {
      throw Object.assign(new Error(`${disk.code}: no space left on device, write`), { code: disk.code, syscall: "write" });
    }
    return (fs.writeSync as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, openSync, writeSync }, openSync, writeSync };
});

cleanupAfterAll();

describe("a full disk at the final lockfile write", () => {
  it.each(["ENOSPC", "EDQUOT", "EIO"])("%s: a disk error naming the lockfile, the journal kept, nothing paid twice", async (code) => {
    const sim = await startSim();
    const dir = simProject(3);
    const env = simEnv(sim);
    disk.full = true;
    disk.code = code;
    const r = await cli(["apply", ...FAST], dir, env);
    disk.full = false;
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr).not.toContain("bug in clipform");
    expect(r.stderr).toMatch(new RegExp(`could not write ${join(dir, "clipform.lock.json").replace(/[.]/g, "\\.")}: .*\\(${code}\\)`));
    expect(r.stderr).toContain("Nothing was lost");
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, "clipform.lock.json"))).toBe(false);
    expect(readdirSync(journalDir(join(dir, "clipform.lock.json"))).filter((n) => n.endsWith(".jsonl")).length).toBeGreaterThan(0);
    expect(sim.stats().videoInference).toBe(3);

    // Space again: the journal is folded in, every clip is recorded, nothing is submitted again.
    const again = await cli(["apply", ...FAST], dir, env);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(sim.stats().videoInference).toBe(3);
    const plan = await cli(["plan", "--json"], dir, env);
    const changes = (JSON.parse(plan.stdout) as { changes: { action: string }[] }).changes;
    expect(changes.map((c) => c.action)).toEqual(["no-op", "no-op", "no-op"]);
  });
});
