/**
 * A reader that goes away (`clipform plan | head -1`): clipform stops writing to it, prints no
 * stack trace, keeps its exit code, and an apply still records every task it paid for.
 */
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { run as runCli } from "../../src/cli/main.js";
import { exampleProject } from "../helpers/cli.js";
import { cleanupAfterAll, FAST, readLockFile, simEnv, simProject, spawnCli, startSim } from "../helpers/apply-sim.js";

cleanupAfterAll();

/** A stream whose reader is gone after `keep` writes: each later write fails with EPIPE, as a pipe does. */
function closingPipe(keep: number, code = "EPIPE") {
  const seen: string[] = [];
  let attempts = 0;
  // Not destroyed by its error, like a socket whose peer left: every later write would fail again.
  const stream = new Writable({
    autoDestroy: false,
    write(chunk, _enc, done) {
      attempts++;
      if (seen.length < keep) {
        seen.push(String(chunk));
        done();
      } else done(Object.assign(new Error(`write ${code}`), { code, syscall: "write" }));
    },
  });
  // An 'error' nobody listens to would end the process with a stack trace: counted here instead.
  let unheard = 0;
  const emit = stream.emit.bind(stream);
  stream.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === "error" && stream.listenerCount("error") === 0) return Boolean(++unheard);
    return emit(event, ...args);
  }) as typeof stream.emit;
  return { stream, seen, attempts: () => attempts, unheard: () => unheard };
}

describe("a closed output pipe", () => {
  it("plan runs to its end with its exit code; the write after the first failure is not attempted", async () => {
    const dir = exampleProject();
    const out = closingPipe(0);
    const err = closingPipe(100);
    const code = await runCli(["plan", "--detailed-exitcode"], { cwd: dir, env: { NO_COLOR: "1" }, stdout: out.stream, stderr: err.stream, stdin: process.stdin });
    expect(code).toBe(2); // changes to make: the plan was computed all the same
    await new Promise((r) => setImmediate(r));
    const before = out.attempts();
    expect(before).toBeGreaterThan(0);
    await runCli(["status"], { cwd: dir, env: { NO_COLOR: "1" }, stdout: out.stream, stderr: err.stream, stdin: process.stdin });
    expect(out.attempts()).toBe(before); // dropped, not written to a dead pipe
    expect(err.seen.join("")).toBe("");
    expect(out.unheard()).toBe(0);
  });

  it("a closed stderr does not end the command either", async () => {
    const dir = exampleProject();
    const out = closingPipe(100);
    const err = closingPipe(0);
    expect(await runCli(["no-such-command"], { cwd: dir, env: { NO_COLOR: "1" }, stdout: out.stream, stderr: err.stream, stdin: process.stdin })).toBe(1);
    expect(await runCli(["status"], { cwd: dir, env: { NO_COLOR: "1" }, stdout: out.stream, stderr: err.stream, stdin: process.stdin })).toBe(0);
    expect(out.seen.join("")).toContain("clipform status: 12 clips");
    await new Promise((r) => setImmediate(r)); // a stream reports a failed write on a later tick
    expect(err.unheard()).toBe(0);
  });

  it("apply --json whose reader leaves after the first line still finishes and records every paid task", async () => {
    const sim = await startSim({ latencyMs: 300 });
    const dir = simProject(6);
    const child = spawnCli(["apply", ...FAST, "--json", "--concurrency", "2"], { cwd: dir, env: simEnv(sim) });
    child.stdin!.end();
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    // The reader takes one line, then goes away, as `| head -1` does.
    const firstLine = await new Promise<string>((resolve) => {
      let seen = "";
      child.stdout!.setEncoding("utf8").on("data", (d: string) => {
        seen += d;
        if (seen.includes("\n")) {
          child.stdout!.destroy();
          resolve(seen.split("\n")[0]!);
        }
      });
    });
    expect(JSON.parse(firstLine)).toHaveProperty("event");
    const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on("exit", (c, s) => resolve({ code: c, signal: s })));
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    const accepted = sim.stats().acceptedTaskUUIDs;
    expect(accepted).toHaveLength(6);
    const lock = readLockFile(dir);
    const recorded = Object.values(lock.clips).flatMap((e) => e.tasks.filter((t) => t.status === "succeeded").map((t) => t.taskUUID));
    expect(recorded.sort()).toEqual([...accepted].sort());
    expect(Object.values(lock.clips).every((e) => e.results.length === 1 && e.results[0]!.file)).toBe(true);
  });
  it("any other write failure (a full disk) is said on the other stream and the command does not end in success", async () => {
    const dir = exampleProject();
    const out = closingPipe(0, "ENOSPC");
    const err = closingPipe(100);
    expect(await runCli(["status", "--json"], { cwd: dir, env: { NO_COLOR: "1" }, stdout: out.stream, stderr: err.stream, stdin: process.stdin })).toBe(1);
    expect(err.seen.join("")).toBe("clipform: could not write to stdout: write ENOSPC\n");
    expect(out.unheard()).toBe(0);
  });

  it("status --json > /dev/full exits 1 and says why, without a stack trace", async () => {
    const { existsSync, openSync, closeSync } = await import("node:fs");
    if (!existsSync("/dev/full")) throw new Error("/dev/full is missing: this test needs Linux");
    const dir = exampleProject();
    const full = openSync("/dev/full", "w");
    try {
      const child = spawnCli(["status", "--json"], { cwd: dir, env: { NO_COLOR: "1" }, stdio: ["ignore", full, "pipe"] });
      let stderr = "";
      child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      expect({ code, stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/^clipform: could not write to stdout: ENOSPC: no space left on device, write\n$/) });
    } finally {
      closeSync(full);
    }
  });

  it("apply never asks to approve a plan its closed output could not show: refused, nothing sent", async () => {
    const sim = await startSim();
    const dir = simProject(2);
    const out = closingPipe(1);
    const err = closingPipe(100);
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const code = await runCli(["apply", "--poll-interval", "20"], { cwd: dir, env: { ...simEnv(sim), NO_COLOR: "1" }, stdout: out.stream, stderr: err.stream, stdin });
    expect(code).toBe(1);
    expect(err.seen.join("")).toMatch(/error: the plan could not be shown \(its output was closed\), so it cannot be approved\. Nothing was sent\./);
    expect(sim.stats().acceptedTaskUUIDs).toHaveLength(0);
  });
});
