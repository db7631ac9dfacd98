/** A clipform process whose output is read as it comes, for watch tests and the benchmark. */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { cliProcess } from "./cli.js";

export interface Running {
  proc: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves with the output once `pattern` matches the text printed after `from` (an output offset). */
  waitFor(pattern: RegExp, opts?: { from?: number; timeoutMs?: number }): Promise<string>;
  /**
   * Ctrl-C (SIGINT), then resolves with the exit code. With `timeoutMs`, a process still running
   * by then is killed and the promise rejects, saying so, with the output so far.
   */
  stop(opts?: { timeoutMs?: number }): Promise<number | null>;
}

export function start(args: string[], opts: { cwd: string; env?: Record<string, string> }): Running {
  const proc = cliProcess(args, opts);
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  proc.stdout.on("data", onData);
  proc.stderr.on("data", onData);
  return {
    proc,
    output: () => out,
    waitFor(pattern, { from = 0, timeoutMs = 15_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out.slice(from))) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(out.slice(from));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${out.slice(from)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    stop({ timeoutMs } = {}) {
      return new Promise((resolve, reject) => {
        // A process killed by a signal has no exit code, and its "exit" has already been emitted.
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                proc.kill("SIGKILL");
                reject(new Error(`clipform ${args.join(" ")} did not exit within ${timeoutMs} ms of SIGINT (killed); output so far:\n${out}`));
              }, timeoutMs);
        proc.once("exit", (code) => {
          clearTimeout(timer);
          resolve(code);
        });
        proc.kill("SIGINT");
      });
    },
  };
}
