/** A long-running clipform command (watch, sim) run in this process, its output read as it comes. */
import { startCli } from "./run.js";

export interface Running {
  /** `exitCode` is null while the command runs. */
  proc: { readonly exitCode: number | null };
  output(): string;
  /** Resolves with the output once `pattern` matches the text printed after `from` (an output offset). */
  waitFor(pattern: RegExp, opts?: { from?: number; timeoutMs?: number }): Promise<string>;
  /**
   * Ctrl-C (SIGINT), then resolves with the exit code. With `timeoutMs`, a command still running
   * by then makes the promise reject, saying so, with the output so far.
   */
  stop(opts?: { timeoutMs?: number }): Promise<number | null>;
}

export function start(args: string[], opts: { cwd: string; env?: Record<string, string> }): Running {
  const cmd = startCli(args, opts);
  let exitCode: number | null = null;
  const ended = cmd.done.then((r) => (exitCode = r.code));
  return {
    proc: {
      get exitCode() {
        return exitCode;
      },
    },
    output: cmd.output,
    waitFor: (pattern, o) => cmd.waitFor(pattern, o),
    async stop({ timeoutMs } = {}) {
      if (exitCode !== null) return exitCode;
      cmd.signal("SIGINT");
      if (timeoutMs === undefined) return ended;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`clipform ${args.join(" ")} did not exit within ${timeoutMs} ms of SIGINT; output so far:\n${cmd.output()}`)), timeoutMs);
      });
      try {
        return await Promise.race([ended, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
