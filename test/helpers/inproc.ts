/**
 * `clipform ARGV` in this process (`run(argv, io)`), against the simulator of the project's `env`:
 * the output collected, and `ok` asserting exit 0.
 */
import { PassThrough } from "node:stream";
import { expect } from "vitest";
import { run } from "../../src/cli/main.js";
import { bareEnv } from "./cli.js";

export interface InprocResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function clipform(cwd: string, env: Record<string, string>, ...argv: string[]): Promise<InprocResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += String(d)));
  stderr.on("data", (d: Buffer) => (err += String(d)));
  const code = await run(argv, { cwd, env: bareEnv(env), stdout, stderr, stdin });
  return { code, stdout: out, stderr: err };
}

export async function ok(cwd: string, env: Record<string, string>, ...argv: string[]): Promise<string> {
  const r = await clipform(cwd, env, ...argv);
  expect(r.code, `clipform ${argv.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout + r.stderr;
}
