/**
 * Runs clipform as a user would, with a bare environment and no colour: `cli()` in this process
 * (run.ts), `spawnedCli()` and `cliProcess()` as a real process of the built binary, for what only
 * a real process shows.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import { startSimulator } from "../../src/sim/index.js";
import { bareEnv, runCli, type CliResult, type RunOptions } from "./run.js";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(REPO, "bin", "clipform.js");

export { bareEnv, type CliResult } from "./run.js";

/** `clipform …args` run in this process to its end. */
export function cli(args: string[], opts: RunOptions): Promise<CliResult> {
  return runCli(args, opts);
}

/** The built binary run to its end in a process of its own (this process waits, blocked). */
export function spawnedCli(args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string }): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: bareEnv(opts.env), encoding: "utf8", input: opts.input ?? "", timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the binary without waiting, for tests that kill or talk to it. */
export function cliProcess(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  return spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: bareEnv(opts.env), stdio: ["pipe", "pipe", "pipe"] });
}

/** Temp projects made by the test file that imports this helper, removed after its tests. */
const made: string[] = [];
export function removeTempProjects(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
// With isolated files this runs after each file; the fast tier shares modules between files, so
// its setup (test/no-processes.ts) registers it for every file.
afterAll(removeTempProjects);

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
 * A simulator in this process, for tests whose `cli()` runs must write the project's real record
 * (`apply --sim` keeps its own apart): pass `env` to them.
 */
export async function simServer(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const sim = await startSimulator({ latencyMs: 50 });
  return { env: { RUNWARE_BASE_URL: sim.apiUrl, RUNWARE_API_KEY: "test-key-for-the-simulator" }, stop: () => sim.close() };
}
