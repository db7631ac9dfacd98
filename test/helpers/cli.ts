/** Runs the built binary as a user would: a real process, a bare environment, no colour. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(REPO, "bin", "clipform.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function bareEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...extra };
}

export function cli(args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string }): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: bareEnv(opts.env), encoding: "utf8", input: opts.input ?? "", timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the binary without waiting, for tests that kill or talk to it. */
export function cliProcess(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  return spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: bareEnv(opts.env), stdio: ["pipe", "pipe", "pipe"] });
}

/** Temp projects made by the test file that imports this helper, removed after its tests. */
const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A fresh project directory with the given files (path → content). */
export function project(files: Record<string, string | Buffer> = {}): string {
  const dir = tempDir("clipform-test-");
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  return dir;
}

/** A copy of the repository's example project (specs/ and its assets). */
export function exampleProject(): string {
  const dir = tempDir("clipform-example-");
  cpSync(join(REPO, "specs"), join(dir, "specs"), { recursive: true });
  return dir;
}

/**
 * `clipform sim` in a process of its own, for tests whose synchronous `cli()` runs must write the
 * project's real record (`apply --sim` keeps its own apart): pass `env` to them.
 */
export async function simProcess(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [BIN, "sim", "--port", "0", "--latency-ms", "50"], { env: bareEnv(), stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (d: Buffer) => {
      seen += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`clipform sim exited ${code} before listening: ${seen}`)));
  });
  return {
    env: { RUNWARE_BASE_URL: `${url}/v1`, RUNWARE_API_KEY: "test-key-for-the-simulator" },
    stop: () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGTERM")))),
  };
}
