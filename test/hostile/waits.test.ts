/**
 * Bounded waits (issue 20): a slowloris server kept `apply --task-timeout 40s` running 1,823 s
 * and a server that never answers 488 s, because each poll (and each of its retries) had a
 * deadline of its own, and the task's deadline was only checked between polls. Now no request
 * or retry runs past the polled tasks' deadline; and SIGTERM stops sending, ends every request
 * under way, records what is in flight and exits.
 */
import type { ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT_STILL_RUNNING } from "../../src/runware/waiting.js";
import { cleanupAfterAll, collect, simProject, spawnCli } from "../helpers/apply-sim.js";
import { cli, startHostileApi, type HostileApi } from "./inproc.js";

cleanupAfterAll();
let api: HostileApi | undefined;
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  await api?.close();
  api = undefined;
});

/** A byte every 50 ms, forever: each chunk arrives long before any between-chunks timeout. */
function trickle(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.write("{");
  const t = setInterval(() => res.write(" "), 50);
  timers.push(t);
  res.on("close", () => clearInterval(t));
}

const polls = (body: string) => body.includes('"getResponse"');

describe("a server that keeps the run waiting", () => {
  it.each([
    ["trickles its poll answers a byte at a time (slowloris)", trickle],
    ["never answers a poll", () => undefined],
  ])("%s: apply --task-timeout 2s ends near 2 s, the task recorded in flight", async (_name, answer) => {
    let pollRequests = 0;
    api = await startHostileApi({
      intercept: (_req, body, res) => {
        if (!polls(body)) return false;
        pollRequests++;
        answer(res);
        return true;
      },
    });
    const dir = simProject(1);
    const started = Date.now();
    const r = await cli(["apply", "--auto-approve", "--poll-interval", "100", "--task-timeout", "2s"], dir, api.env);
    const took = Date.now() - started;
    expect(r.stderr).toMatch(/still running clip-01/);
    expect(r.code).toBe(EXIT_STILL_RUNNING);
    expect(pollRequests).toBeGreaterThan(0);
    // The deadline is the task's, not each request's (120 s) times its retries.
    expect(took).toBeLessThan(12_000);
    const lock = JSON.parse(readFileSync(join(dir, "clipform.lock.json"), "utf8")) as { clips: Record<string, { tasks: { status: string }[] }> };
    expect(lock.clips["clip-01"]!.tasks.map((t) => t.status)).toEqual(["submitted"]);
  });
});

describe("SIGTERM", () => {
  it("while a poll hangs: nothing more is sent, what is in flight is recorded, the process exits 143", async () => {
    let polled: () => void = () => undefined;
    const firstPoll = new Promise<void>((resolve) => (polled = resolve));
    api = await startHostileApi({
      intercept: (_req, body) => {
        if (!polls(body)) return false;
        polled();
        return true; // and never answer
      },
    });
    const dir = simProject(2);
    const child = spawnCli(["apply", "--auto-approve", "--poll-interval", "100"], { cwd: dir, env: api.env });
    child.stdin!.end();
    const done = collect(child, 30_000);
    await firstPoll;
    const submits = api.submits.length;
    child.kill("SIGTERM");
    const r = await done;
    expect(r.stderr).toContain("Terminated (SIGTERM): nothing more is sent. Every task sent is recorded");
    expect(r.code).toBe(143);
    expect(api.submits.length).toBe(submits);
    const plan = await cli(["plan", "--json"], dir, api.env);
    const changes = (JSON.parse(plan.stdout) as { changes: { address: string; action: string }[] }).changes;
    expect(changes.map((c) => c.action)).toEqual(["resume", "resume"]);
  });
});
