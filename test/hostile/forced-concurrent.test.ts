/**
 * Two applies at once after `unlock --force` never pay twice (issue 20: 14 submits for 8 clips).
 * The first apply sends 2 at a time (--concurrency 2), so most of its work is still queued, not
 * journaled, when the second one plans: both plan to create the same clips. Right before each
 * submit round, a run claims each request and looks at what the other one recorded, and sends
 * only what nobody else has.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterAll, collect, readLockFile, simEnv, simProject, spawnCli, startSim } from "../helpers/apply-sim.js";
import { cli } from "./inproc.js";

cleanupAfterAll();

describe("two applies at once, after unlock --force", () => {
  it("8 clips: 8 submits between them, every clip generated once", async () => {
    const sim = await startSim({ latencyMs: 400 });
    const dir = simProject(8);
    const env = simEnv(sim);
    const args = ["apply", "--auto-approve", "--poll-interval", "50", "--concurrency", "2"];
    const first = spawnCli(args, { cwd: dir, env });
    first.stdin!.end();
    const firstDone = collect(first, 60_000);
    // Once the first apply has sent its first round, its lock is forced away and a second starts.
    while (sim.stats().videoInference === 0) await new Promise((r) => setImmediate(r));
    expect(existsSync(join(dir, ".clipform", "apply.lock"))).toBe(true);
    expect((await cli(["unlock", "--force"], dir, env)).code).toBe(0);
    const second = spawnCli(args, { cwd: dir, env });
    second.stdin!.end();
    const [a, b] = await Promise.all([firstDone, collect(second, 60_000)]);
    const output = `first:\n${a.stderr}\nsecond:\n${b.stderr}`;
    expect(sim.stats().videoInference, output).toBe(8);
    expect(sim.stats().duplicatesRefused).toBe(0);
    expect(output).toMatch(/not sent: another apply/);
    // Whatever each run left, the next plan has every clip generated exactly once.
    await cli(["apply", "--auto-approve", "--poll-interval", "50"], dir, env);
    expect(sim.stats().videoInference).toBe(8);
    const lock = readLockFile(dir);
    for (const [address, entry] of Object.entries(lock.clips)) expect(entry.tasks.filter((t) => t.status !== "failed").length, address).toBe(1);
  });
});
