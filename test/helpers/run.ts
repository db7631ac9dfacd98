/**
 * Runs a clipform command in this process, through `run(argv, io)` as the binary does, with the
 * binary's bare environment and no colour. Nothing here is shared between runs: each gets its own
 * streams and its own host (signals and exit), so tests of one file may run commands concurrently,
 * and a command never takes over the test runner's signals or exits it. The simulator a test
 * starts in this process keeps serving while a command runs, as both are on one event loop.
 *
 * What only a real process shows (kill -9, real signals, pipes closing, a terminal, the packed
 * install) is spawned instead: see cli.ts (`spawnedCli`) and apply-sim.ts (`runSpawned`).
 */
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { run } from "../../src/cli/main.js";
import type { Host, Signal } from "../../src/cli/context.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** Added to the bare environment (PATH, HOME, NO_COLOR=1). */
  env?: Record<string, string>;
  /** What the command reads on standard input (then end of input). */
  input?: string;
  /** Standard input and output say they are a terminal (as a person's shell would). */
  tty?: boolean;
}

export function bareEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...extra };
}

/** A command running in this process: its output so far, Ctrl-C, and its end. */
export interface InProcess {
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the output once `pattern` matches the text printed after `from` (an output offset). */
  waitFor(pattern: RegExp, opts?: { from?: number; timeoutMs?: number; stream?: "stdout" | "stderr" }): Promise<string>;
  /** Sends the command a signal, as Ctrl-C (SIGINT) or `kill` (SIGTERM) would. */
  signal(signal: Signal): void;
  /** Ends standard input (after `write`s to it). */
  write(text: string): void;
  endInput(): void;
  /** The exit code and all output, once the command has returned (or quit at once, as after a second Ctrl-C). */
  done: Promise<CliResult>;
}

/**
 * The host of a command run in-process. A signal sent before the command listens for it waits
 * until it does (a test need not know when that is; a real process would have died of it).
 */
class TestHost extends EventEmitter implements Host {
  readonly #pending = new Set<Signal>();
  constructor(private readonly quit: (code: number) => void) {
    super();
  }
  signal(signal: Signal): void {
    if (this.listenerCount(signal) > 0) this.emit(signal);
    else this.#pending.add(signal);
  }
  override on(signal: Signal, listener: () => void): this {
    super.on(signal, listener);
    if (this.#pending.delete(signal)) queueMicrotask(() => this.emit(signal));
    return this;
  }
  exit(code: number): void {
    this.quit(code);
  }
}

/** Starts `clipform …args` in this process without waiting for it. */
export function startCli(args: string[], opts: RunOptions): InProcess {
  const stdout = Object.assign(new PassThrough(), opts.tty ? { isTTY: true } : {});
  const stderr = Object.assign(new PassThrough(), opts.tty ? { isTTY: true } : {});
  const stdin = Object.assign(new PassThrough(), opts.tty ? { isTTY: true } : {});
  let out = "";
  let err = "";
  let both = "";
  const listeners = new Set<() => void>();
  const onData = (which: "out" | "err") => (d: Buffer) => {
    const s = d.toString();
    if (which === "out") out += s;
    else err += s;
    both += s;
    for (const l of listeners) l();
  };
  stdout.on("data", onData("out"));
  stderr.on("data", onData("err"));
  const result = (code: number): CliResult => ({ code, stdout: out, stderr: err });
  let quit!: (code: number) => void;
  const quitNow = new Promise<CliResult>((resolve) => (quit = (code) => resolve(result(code))));
  const host = new TestHost(quit);
  const finished = run(args, { cwd: opts.cwd, env: bareEnv(opts.env), stdout, stderr, stdin, host }).then(async (code) => {
    // Let the last writes reach the collectors.
    await new Promise((r) => setImmediate(r));
    return result(code);
  });
  if (opts.input !== undefined) stdin.end(opts.input);
  return {
    output: () => both,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, { from = 0, timeoutMs = 15_000, stream } = {}) {
      const text = () => (stream === "stdout" ? out : stream === "stderr" ? err : both).slice(from);
      return new Promise((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const stop = () => {
          listeners.delete(check);
          clearTimeout(timer);
        };
        const check = () => {
          if (!pattern.test(text())) return;
          stop();
          resolve(text());
        };
        timer = setTimeout(() => {
          stop();
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${text()}`));
        }, timeoutMs);
        listeners.add(check);
        const ended = () => {
          if (!listeners.has(check)) return;
          check();
          if (!listeners.has(check)) return;
          stop();
          reject(new Error(`clipform ${args.join(" ")} ended before its output matched ${pattern}; output:\n${text()}`));
        };
        finished.then(ended, ended);
        check();
      });
    },
    signal: (s) => host.signal(s),
    write: (t) => void stdin.write(t),
    endInput: () => void stdin.end(),
    done: Promise.race([finished, quitNow]),
  };
}

/** Runs `clipform …args` in this process to its end: exit code, stdout and stderr. */
export function runCli(args: string[], opts: RunOptions): Promise<CliResult> {
  return startCli(args, { ...opts, input: opts.input ?? "" }).done;
}
