/** Runs a command in-process through the binary's own entry (`run`), with a bare environment. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable, Writable } from "node:stream";
import { afterAll } from "vitest";
import { run } from "../../src/cli/main.js";

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  let out = "";
  return { stream: new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }), text: () => out };
}

export async function clipform(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  const out = sink();
  const err = sink();
  const code = await run(args, { cwd, env: { NO_COLOR: "1", PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd, ...env }, stdout: out.stream, stderr: err.stream, stdin: Readable.from([]) });
  return { code, stdout: out.text(), stderr: err.text() };
}

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temp folder removed after the file's tests. */
export function tempDir(prefix = "clipform-hostile-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A project folder with the given files (path → content). */
export function projectWith(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  return dir;
}

export const CLIP = (name: string, prompt = `A slow drift over a quiet harbor called ${name} at first light`) =>
  `  ${name}:\n    positivePrompt: ${prompt}\n`;

export const MANIFEST = (clips: string[]) =>
  `version: 1\ndefaults:\n  model: klingai:3@1\n  width: 1280\n  height: 720\n  duration: 5\nclips:\n${clips.map((c) => CLIP(c)).join("")}`;
