/** What a command gets from the outside world; tests and the binary fill it differently. */
import { readFileSync } from "node:fs";
import { registerSecret, redactSecrets } from "../util/secrets.js";
import { colorEnabled, palette, type Palette } from "../render/colors.js";

export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where Ctrl-C and SIGTERM come from and how a command quits at once; the process by default. */
  host?: Host;
}

export type Signal = "SIGINT" | "SIGTERM";

/**
 * The process a command runs in, as far as commands may touch it. The binary's is `process`; a
 * command run in-process (tests) gets one of its own, so it never takes over the test runner's
 * signals or exits it.
 */
export interface Host {
  on(signal: Signal, listener: () => void): unknown;
  off(signal: Signal, listener: () => void): unknown;
  exit(code: number): void;
}

/** Resolves at the first SIGINT or SIGTERM the command's host receives. */
export function interrupted(host: Host): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      host.off("SIGINT", stop);
      host.off("SIGTERM", stop);
      resolve();
    };
    host.on("SIGINT", stop);
    host.on("SIGTERM", stop);
  });
}

export interface Context extends Io {
  host: Host;
  out(text: string): void;
  err(text: string): void;
  color: Palette;
  colorErr: Palette;
}

/**
 * An output that cannot be written any more. A reader that went away (`clipform plan | head -1`)
 * makes every later write fail with EPIPE, and an unheard stream error would end the process with
 * a stack trace. So, once per stream, at the CLI boundary: after the first write error the stream
 * is closed and later writes are dropped, and the command runs on to its end: an apply still
 * records everything it paid for (README, "Pipes"). A reader going away is no failure; any other
 * error (a full disk under `plan --json > plan.json`) is said on the other stream, and the
 * command cannot end in success (see outputFailure).
 */
export function guardOutput(stream: NodeJS.WritableStream, name: string, other: NodeJS.WritableStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (closed.has(stream)) return;
    closed.add(stream);
    // The write that failed is lost; later ones are not attempted.
    const s = stream as { write: (chunk: unknown, ...rest: unknown[]) => boolean };
    s.write = (_chunk, ...rest) => {
      const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      if (done) queueMicrotask(done);
      return true;
    };
    if (e.code === "EPIPE") return;
    failures.set(stream, `could not write to ${name}: ${e.message}`);
    if (!closed.has(other)) other.write(`clipform: ${failures.get(stream)}\n`);
  });
}
const guarded = new WeakSet<NodeJS.WritableStream>();
const closed = new WeakSet<NodeJS.WritableStream>();
const failures = new WeakMap<NodeJS.WritableStream, string>();

/** Whether writing to `stream` failed (its reader went away, or worse): what was written may not have been seen. */
export const outputClosed = (stream: NodeJS.WritableStream): boolean => closed.has(stream);

/** Why writing to `stream` failed, when it was not just its reader going away. */
export const outputFailure = (stream: NodeJS.WritableStream): string | undefined => failures.get(stream);

export function makeContext(io: Io): Context {
  // Defence in depth: whatever happens, the API key is never written to the terminal, in any spelling.
  registerSecret(io.env.RUNWARE_API_KEY);
  const line = (t: string) => redactSecrets(t.endsWith("\n") ? t : `${t}\n`);
  return {
    ...io,
    host: io.host ?? process,
    out: (t) => void io.stdout.write(line(t)),
    err: (t) => void io.stderr.write(line(t)),
    color: palette(colorEnabled(io.stdout, io.env)),
    colorErr: palette(colorEnabled(io.stderr, io.env)),
  };
}

let cachedVersion: string | undefined;
export function version(): string {
  cachedVersion ??= (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  return cachedVersion;
}
