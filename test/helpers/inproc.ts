/**
 * `clipform ARGV` in this process, against the simulator of the project's `env`, argv last (the
 * shape the found-bug tests read best in): the harness's runCli (run.ts), and `ok` asserting exit 0.
 */
import { expect } from "vitest";
import { runCli, type CliResult } from "./run.js";

export type InprocResult = CliResult;

export function clipform(cwd: string, env: Record<string, string>, ...argv: string[]): Promise<CliResult> {
  return runCli(argv, { cwd, env });
}

export async function ok(cwd: string, env: Record<string, string>, ...argv: string[]): Promise<string> {
  const r = await clipform(cwd, env, ...argv);
  expect(r.code, `clipform ${argv.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout + r.stderr;
}
