/**
 * The video decoder clipform runs for frames and sequences: one ffmpeg, found once.
 *
 * Which one, in order: `CLIPFORM_FFMPEG` (an explicit choice wins), then an `ffmpeg` on the PATH
 * at MIN_PATH_VERSION or newer (a current decoder reads hostile files more safely than an old
 * one), then the static build that the `@ffmpeg-installer/ffmpeg` dependency ships inside its
 * per-platform npm package (a 2018 build, but installed from the registry with nothing
 * downloaded at install time; no registry package ships a newer static build without a download
 * script), then any `ffmpeg` on the PATH. Which one ran is said with each frame and film.
 *
 * Every run is bounded: killed after a deadline, its address space capped (ulimit), its largest
 * single allocation capped (`-max_alloc`), and its standard output kept to a bounded tail.
 */
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import { ClipformError } from "../errors.js";

export interface Ffmpeg {
  path: string;
  source: "CLIPFORM_FFMPEG" | "@ffmpeg-installer/ffmpeg" | "PATH";
  /** What `ffmpeg -version` says (e.g. "6.1.1", or a nightly's "N-47683-g0e8eb07980-static"). */
  version?: string;
}

/** A PATH ffmpeg older than this is passed over for the bundled one (5.1 is the 2022 LTS). */
export const MIN_PATH_VERSION: readonly [number, number] = [5, 1];
/** The address space one ffmpeg may take (a hostile video must not take the machine down). */
export const FFMPEG_MEMORY_BYTES = 3 * 1024 ** 3;
/** The largest single allocation (a 4096×4096 RGB frame is 48 MB). */
export const FFMPEG_MAX_ALLOC = 512 * 1024 ** 2;

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

/** What `path -version` says, or undefined when it does not run. */
export function ffmpegVersion(path: string): string | undefined {
  const r = spawnSync(path, ["-version"], { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] });
  return typeof r.stdout === "string" ? /^ffmpeg version (\S+)/m.exec(r.stdout)?.[1] : undefined;
}

/** Whether a version string is a release at `min` or newer ("n6.1", "6.1.1-static", "7.0"); a nightly's is unknown (false). */
export function atLeast(version: string | undefined, min: readonly [number, number]): boolean {
  const m = /^n?(\d+)\.(\d+)/.exec(version ?? "");
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > min[0] || (major === min[0] && minor >= min[1]);
}

/** "ffmpeg 6.1.1 (/usr/bin/ffmpeg, from the PATH)": which one ran, for the output. */
export function describeFfmpeg(f: Ffmpeg): string {
  const from = f.source === "PATH" ? "from the PATH" : f.source === "CLIPFORM_FFMPEG" ? "from CLIPFORM_FFMPEG" : "bundled by @ffmpeg-installer/ffmpeg";
  return `ffmpeg ${f.version ?? "(version unknown)"} (${f.path}, ${from})`;
}

const announced = new WeakSet<object>();

/** Says once per output (an apply's emit) which ffmpeg decodes its frames and films. */
export function announceFfmpeg(emit: (e: { type: "note"; message: string }) => void): void {
  const f = findFfmpeg();
  if (!f || announced.has(emit)) return;
  announced.add(emit);
  emit({ type: "note", message: `frames and films are decoded by ${describeFfmpeg(f)}` });
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
  const found = (path: string, source: Ffmpeg["source"], version = ffmpegVersion(path)): Ffmpeg => ({ path, source, ...(version ? { version } : {}) });
  const explicit = env.CLIPFORM_FFMPEG;
  if (explicit) return executable(explicit) ? found(explicit, "CLIPFORM_FFMPEG") : null;
  const path = onPath(env);
  const pathVersion = path ? ffmpegVersion(path) : undefined;
  if (path && atLeast(pathVersion, MIN_PATH_VERSION)) return found(path, "PATH", pathVersion);
  const pkg = bundled();
  if (pkg) return found(pkg, "@ffmpeg-installer/ffmpeg");
  return path ? found(path, "PATH", pathVersion) : null;
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
  /** Keep only the last bytes of standard output, at least this many (a decoder can write gigabytes). */
  keepLastBytes?: number;
}

export interface FfmpegOutput {
  /** Standard output, or its tail when keepLastBytes was given. */
  stdout: Buffer;
  /** Bytes written before `stdout` (dropped to keep it bounded). */
  dropped: number;
  stderr: string;
}

/**
 * The command that runs `path args` under the memory cap: through sh's ulimit where there is one
 * (Node cannot set a child's limits itself).
 */
export function capped(path: string, args: readonly string[]): [string, string[]] {
  if (process.platform === "win32" || !executable("/bin/sh")) return [path, [...args]];
  const kib = Math.floor(FFMPEG_MEMORY_BYTES / 1024);
  return ["/bin/sh", ["-c", `ulimit -v ${kib} 2>/dev/null; exec "$0" "$@"`, path, ...args]];
}

/**
 * Runs ffmpeg with `args` (quiet, never asking questions) and returns its standard output.
 * A failure is a MEDIA error naming `what` and the last lines ffmpeg wrote.
 */
export function runFfmpeg(what: string, args: readonly string[], opts: RunOptions = {}): Promise<FfmpegOutput> {
  const ffmpeg = opts.ffmpeg ?? requireFfmpeg(what);
  return new Promise((resolve, reject) => {
    const [command, argv] = capped(ffmpeg.path, ["-hide_banner", "-nostdin", "-y", "-max_alloc", String(FFMPEG_MAX_ALLOC), ...args]);
    const child = spawn(command, argv, { stdio: [opts.input ? "pipe" : "ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let kept = 0;
    let dropped = 0;
    const keep = opts.keepLastBytes;
    let err = "";
    child.stdout!.on("data", (b: Buffer) => {
      out.push(b);
      kept += b.length;
      // Drop whole chunks from the front while what stays is still at least `keep` bytes.
      while (keep !== undefined && out.length > 1 && kept - out[0]!.length >= keep) {
        const first = out.shift()!;
        kept -= first.length;
        dropped += first.length;
      }
    });
    child.stderr!.on("data", (b: Buffer) => {
      err = (err + b.toString("utf8")).slice(-16_384);
    });
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new ClipformError("MEDIA", `${what}: could not run ${ffmpeg.path}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout: Buffer.concat(out), dropped, stderr: err });
      const tail = err.trim().split("\n").slice(-3).join(" / ");
      const how = timedOut ? `was stopped after ${timeoutMs} ms (its deadline)` : signal ? `was stopped (${signal})` : `exited with ${code}`;
      reject(new ClipformError("MEDIA", `${what}: ffmpeg ${how}${tail ? `: ${tail}` : ""}`));
    });
    if (opts.input && child.stdin) {
      child.stdin.on("error", () => undefined); // ffmpeg may stop reading early; its exit code tells
      child.stdin.end(opts.input);
    }
  });
}
