/** What a command gets from the outside world; tests and the binary fill it differently. */
import { readFileSync } from "node:fs";
import { registerSecret, redactSecrets } from "../util/secrets.js";
import { colorEnabled, palette, type Palette } from "./colors.js";

export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface Context extends Io {
  out(text: string): void;
  err(text: string): void;
  color: Palette;
  colorErr: Palette;
}

/**
 * A reader that went away (`clipform plan | head -1`) makes every later write fail with EPIPE, and
 * an unheard stream error would end the process with a stack trace. So, once per stream, at the CLI
 * boundary: the first write error closes that output and later writes are dropped. The command runs
 * on to its end and keeps its exit code: an apply still records everything it paid for (README,
 * "Pipes"); nothing it decides depends on being heard.
 */
export function dropOutputWhenClosed(stream: NodeJS.WritableStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on("error", () => {
    // The write that failed is lost with its reader; later ones are not attempted.
    const s = stream as { write: (chunk: unknown, ...rest: unknown[]) => boolean };
    s.write = (_chunk, ...rest) => {
      const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      if (done) queueMicrotask(done);
      return true;
    };
  });
}
const guarded = new WeakSet<NodeJS.WritableStream>();

export function makeContext(io: Io): Context {
  // Defence in depth: whatever happens, the API key is never written to the terminal, in any spelling.
  registerSecret(io.env.RUNWARE_API_KEY);
  const line = (t: string) => redactSecrets(t.endsWith("\n") ? t : `${t}\n`);
  return {
    ...io,
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
