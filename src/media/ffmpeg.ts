/**
 * The video decoder clipform runs for frames and sequences: one ffmpeg, found once.
 *
 * Which one, in order: `CLIPFORM_FFMPEG` (an explicit choice wins), then the static build that
 * the `@ffmpeg-installer/ffmpeg` dependency ships inside its per-platform npm package (installed
 * from the registry with nothing downloaded at install time, and the same build on every machine,
 * so a frame extracted in CI and on a laptop is the same picture), then an `ffmpeg` on the PATH
 * (platforms the package has no build for).
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import { ClipformError } from "../errors.js";

export interface Ffmpeg {
  path: string;
  source: "CLIPFORM_FFMPEG" | "@ffmpeg-installer/ffmpeg" | "PATH";
}

let found: Ffmpeg | null | undefined;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function bundled(): string | undefined {
  try {
    // The package throws a string on a platform it has no build for.
    const mod = createRequire(import.meta.url)("@ffmpeg-installer/ffmpeg") as { path?: unknown };
    return typeof mod.path === "string" && executable(mod.path) ? mod.path : undefined;
  } catch {
    return undefined;
  }
}

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, process.platform === "win32" ? "ffmpeg.exe" : "ffmpeg");
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** The ffmpeg clipform uses, or undefined when there is none (found once per process). */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): Ffmpeg | undefined {
  if (env !== process.env) return locate(env) ?? undefined;
  if (found === undefined) found = locate(env);
  return found ?? undefined;
}

function locate(env: NodeJS.ProcessEnv): Ffmpeg | null {
  const explicit = env.CLIPFORM_FFMPEG;
  if (explicit) return executable(explicit) ? { path: explicit, source: "CLIPFORM_FFMPEG" } : null;
  const pkg = bundled();
  if (pkg) return { path: pkg, source: "@ffmpeg-installer/ffmpeg" };
  const path = onPath(env);
  return path ? { path, source: "PATH" } : null;
}

/** The ffmpeg to use, or a user-facing error saying how to get one. */
export function requireFfmpeg(purpose: string): Ffmpeg {
  const f = findFfmpeg();
  if (f) return f;
  const explicit = process.env.CLIPFORM_FFMPEG;
  throw new ClipformError(
    "MEDIA",
    explicit
      ? `CLIPFORM_FFMPEG=${explicit} is not an executable file; ${purpose} needs ffmpeg`
      : `${purpose} needs ffmpeg: none was found (the @ffmpeg-installer/ffmpeg package has no build for ${process.platform}-${process.arch}); install ffmpeg on the PATH or set CLIPFORM_FFMPEG`,
  );
}

export interface RunOptions {
  /** Kill ffmpeg after this long (default 60 s): a stuck decoder must not hang an apply. */
  timeoutMs?: number;
  /** Bytes written to ffmpeg's standard input. */
  input?: Buffer;
  /** This ffmpeg instead of the one found for the process (e.g. one found in another environment). */
  ffmpeg?: Ffmpeg;
}

/**
 * Runs ffmpeg with `args` (quiet, never asking questions) and returns its standard output.
 * A failure is a MEDIA error naming `what` and the last lines ffmpeg wrote.
 */
export function runFfmpeg(what: string, args: readonly string[], opts: RunOptions = {}): Promise<{ stdout: Buffer; stderr: string }> {
  const ffmpeg = opts.ffmpeg ?? requireFfmpeg(what);
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg.path, ["-hide_banner", "-nostdin", "-y", ...args], { stdio: [opts.input ? "pipe" : "ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout!.on("data", (b: Buffer) => out.push(b));
    child.stderr!.on("data", (b: Buffer) => {
      err = (err + b.toString("utf8")).slice(-16_384);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new ClipformError("MEDIA", `${what}: could not run ${ffmpeg.path}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout: Buffer.concat(out), stderr: err });
      const tail = err.trim().split("\n").slice(-3).join(" / ");
      reject(new ClipformError("MEDIA", `${what}: ffmpeg ${signal ? `was stopped (${signal})` : `exited with ${code}`}${tail ? `: ${tail}` : ""}`));
    });
    if (opts.input && child.stdin) {
      child.stdin.on("error", () => undefined); // ffmpeg may stop reading early; its exit code tells
      child.stdin.end(opts.input);
    }
  });
}
