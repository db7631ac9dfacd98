/**
 * End-to-end helpers for `clipform apply`: a simulator in the test process, projects of N clips,
 * commands run in this process (`run`, run.ts) or, for what only a real process shows, as the
 * built binary run asynchronously (`runSpawned`, `spawnCli`: the simulator lives on this
 * process's event loop, so the binary must never be run with spawnSync while a simulator is
 * expected to answer), and lockfile readers.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll } from "vitest";
import { foldJournals, pendingJournals } from "../../src/lockfile/journal.js";
import { readLockfile, serializeLockfile } from "../../src/lockfile/io.js";
import { startSimulator, type SimOptions, type Simulator } from "../../src/sim/index.js";
import { createRng } from "../../src/sim/rng.js";
import { BIN, bareEnv, project } from "./cli.js";
import { runCli } from "./run.js";

export const API_KEY = "test-key";
export const SIM_PRICE = 0.1848; // klingai:3@1, 5 s, per result (what the simulator charges)
export const LOCKFILE = "clipform.lock.json";
/** Flags every apply in these tests uses. */
export const FAST = ["--auto-approve", "--poll-interval", "20"];

const sims: Simulator[] = [];
const dirs: string[] = [];
const procs: ChildProcess[] = [];

/**
 * Closes simulators, kills leftover CLI processes and removes temp projects when the file is
 * done (not after each test: tests of a file may run concurrently, each with its own simulator
 * and project, so one test's cleanup must not pull another's simulator away).
 */
export function cleanupAfterAll(): void {
  afterAll(async () => {
    for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    await Promise.all(sims.splice(0).map((s) => s.close().catch(() => undefined)));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
}

export async function startSim(opts: SimOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ latencyMs: 30, apiKey: API_KEY, ...opts });
  sims.push(sim);
  return sim;
}

export function simEnv(sim: Simulator, key = API_KEY): Record<string, string> {
  return { RUNWARE_BASE_URL: sim.apiUrl, RUNWARE_API_KEY: key };
}

export interface ClipSpec {
  id: string;
  prompt: string;
  numberResults?: number;
}

export const clipId = (i: number) => `clip-${String(i + 1).padStart(2, "0")}`;
export const promptOf = (i: number) => `Shot number ${i + 1}: a lighthouse keeper walks along the pier at dusk, variation ${i + 1}`;

export function clipsOf(n: number): ClipSpec[] {
  return Array.from({ length: n }, (_, i) => ({ id: clipId(i), prompt: promptOf(i) }));
}

/** A manifest of the given clips on klingai:3@1 1280x720, 5 s. */
export function manifest(clips: ClipSpec[] | number, extra: { budget?: number } = {}): string {
  const list = typeof clips === "number" ? clipsOf(clips) : clips;
  const lines = ["version: 1"];
  if (extra.budget !== undefined) lines.push("budget:", `  maxCost: ${extra.budget}`);
  lines.push("defaults:", "  model: klingai:3@1", "  width: 1280", "  height: 720", "  duration: 5", "clips:");
  if (list.length === 0) lines[lines.length - 1] = "clips: {}";
  for (const c of list) {
    lines.push(`  ${c.id}:`, `    positivePrompt: ${JSON.stringify(c.prompt)}`);
    if (c.numberResults !== undefined) lines.push(`    numberResults: ${c.numberResults}`);
  }
  return lines.join("\n") + "\n";
}

/** A temp project with specs/clips.yaml (removed after the test). */
export function simProject(clips: ClipSpec[] | number, files: Record<string, string | Buffer> = {}, extra: { budget?: number } = {}): string {
  const dir = project({ "specs/clips.yaml": manifest(clips, extra), ...files });
  dirs.push(dir);
  return dir;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns the binary (bare env, NO_COLOR), tracked for cleanup. */
export function spawnCli(args: string[], opts: { cwd: string; env?: Record<string, string>; stdio?: StdioOptions }): ChildProcess {
  const p = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: bareEnv(opts.env), stdio: opts.stdio ?? ["pipe", "pipe", "pipe"] });
  procs.push(p);
  return p;
}

/** Collects a spawned process's output until it exits. */
export function collect(p: ChildProcess, timeoutMs = 45_000): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  p.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  p.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`clipform did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Runs `clipform …args` in this process to its end (the simulator keeps serving); with
 * `timeoutMs`, fails when the command has not ended by then.
 */
export async function run(args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string; timeoutMs?: number }): Promise<RunResult> {
  const done = runCli(args, opts);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    if (opts.timeoutMs !== undefined) timer = setTimeout(() => reject(new Error(`clipform ${args.join(" ")} did not end within ${opts.timeoutMs} ms`)), opts.timeoutMs);
  });
  try {
    return { ...(await Promise.race([done, late])), signal: null };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the binary to completion in a process of its own, without blocking this one. */
export function runSpawned(args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string; timeoutMs?: number }): Promise<RunResult> {
  const p = spawnCli(args, opts);
  const done = collect(p, opts.timeoutMs);
  p.stdin!.end(opts.input ?? "");
  return done;
}

/** `clipform apply --auto-approve --poll-interval 20 …args` against `sim`. */
export function apply(dir: string, sim: Simulator, args: string[] = [], env: Record<string, string> = {}): Promise<RunResult> {
  return run(["apply", ...FAST, ...args], { cwd: dir, env: { ...simEnv(sim), ...env } });
}

export interface PlanJson {
  format_version: string;
  lockfile: { lineage: string; serial: number };
  changes: {
    address: string;
    action: string;
    reason: string;
    estimated_cost_usd: number | null;
    price_source: string | null;
    generate: number;
    fields?: { field: string; old: unknown; new: unknown }[];
    reuse_from?: string;
    resume_tasks?: string[];
    downloads?: number[];
  }[];
  summary: Record<string, number>;
}

/** `clipform plan --json`, parsed; fails loudly when the command fails. */
export async function planJson(dir: string, args: string[] = []): Promise<PlanJson> {
  const r = await run(["plan", "--json", ...args], { cwd: dir });
  if (r.code !== 0) throw new Error(`plan --json exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout) as PlanJson;
}

export const actionsOf = (p: PlanJson): Record<string, string> => Object.fromEntries(p.changes.map((c) => [c.address, c.action]));

export interface LockTaskJson {
  taskUUID: string;
  numberResults: number;
  status: string;
  submittedAt: string;
  acceptedAt?: string;
  finishedAt?: string;
  error?: { code: string; message: string };
}
export interface LockResultJson {
  taskUUID: string;
  videoUUID: string;
  seed?: number;
  costUsd?: number;
  videoURL?: string;
  file?: string;
  sha256?: string;
  bytes?: number;
}
export interface LockEntryJson {
  fingerprint: string;
  manifest: string;
  model: string;
  request: Record<string, unknown>;
  numberResults: number;
  tasks: LockTaskJson[];
  results: LockResultJson[];
}
export interface LockJson {
  format_version: number;
  lineage: string;
  serial: number;
  simulated?: true;
  clips: Record<string, LockEntryJson>;
}

export function lockPathOf(dir: string): string {
  return join(dir, LOCKFILE);
}

/** The lockfile file itself, parsed (throws if it is missing or not JSON). */
export function readLockFile(dir: string): LockJson {
  return JSON.parse(readFileSync(lockPathOf(dir), "utf8")) as LockJson;
}

/**
 * The record as the next plan reads it: the lockfile with any journal an apply left behind (a
 * kill, a quit) folded in. Throws when there is neither.
 */
export function readLock(dir: string): LockJson {
  const journals = pendingJournals(lockPathOf(dir));
  if (journals.length === 0) return readLockFile(dir);
  const { lock, exists } = readLockfile(lockPathOf(dir));
  return JSON.parse(serializeLockfile(foldJournals(lock, journals, exists))) as LockJson;
}

/** Rewrites the record by hand (a test rewinding it): the lockfile gets it all, journals left by a kill go. */
export function writeRecord(dir: string, lock: LockJson): void {
  writeFileSync(lockPathOf(dir), JSON.stringify(lock, null, 2) + "\n");
  for (const j of pendingJournals(lockPathOf(dir))) rmSync(j);
}

export function hasLock(dir: string): boolean {
  return existsSync(lockPathOf(dir));
}

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Every task UUID the lockfile records. */
export function recordedTaskUUIDs(lock: LockJson): Set<string> {
  return new Set(Object.values(lock.clips).flatMap((e) => e.tasks.map((t) => t.taskUUID)));
}

/** Sum of recorded result costs. */
export function recordedCost(lock: LockJson): number {
  return Object.values(lock.clips).reduce((s, e) => s + e.results.reduce((t, r) => t + (r.costUsd ?? 0), 0), 0);
}

/** Asserts nothing; returns problems with an entry: results missing, files missing or with a wrong hash. */
export function entryProblems(dir: string, address: string, lock: LockJson, expectedResults = 1): string[] {
  const e = lock.clips[address];
  if (!e) return [`${address}: no lockfile entry`];
  const out: string[] = [];
  if (e.results.length !== expectedResults) out.push(`${address}: ${e.results.length} results, expected ${expectedResults}`);
  e.results.forEach((r, i) => {
    const expected = `clipform-out/${address}.v${i + 1}.mp4`;
    if (r.file !== expected) out.push(`${address}: result ${i} file ${String(r.file)}, expected ${expected}`);
    const abs = join(dir, expected);
    if (!existsSync(abs)) out.push(`${address}: ${expected} missing on disk`);
    else {
      if (r.sha256 !== sha256File(abs)) out.push(`${address}: ${expected} sha256 differs from the lockfile`);
      if (r.bytes !== statSync(abs).size) out.push(`${address}: ${expected} size differs from the lockfile`);
    }
  });
  if (e.tasks.some((t) => t.status === "submitted")) out.push(`${address}: a task is still "submitted"`);
  return out;
}

/** Every file under `dir` (relative paths), recursively. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, name.name);
      if (name.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** A seeded PRNG (the simulator's mulberry32) for reproducible random moments. */
export function seeded(seed: number): () => number {
  const r = createRng(seed);
  return () => r.next();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Resolves with the record (readLock) once `test` holds for it, re-read at every change under the
 * project (the journal's appends and the lockfile's writes), never on a timer; rejects after
 * `timeoutMs` with the last record seen.
 */
export function untilRecorded(dir: string, test: (lock: LockJson) => boolean, timeoutMs = 20_000): Promise<LockJson> {
  return new Promise((resolve, reject) => {
    let last: LockJson | undefined;
    const check = (): boolean => {
      try {
        last = readLock(dir);
      } catch {
        return false; // no record yet
      }
      return test(last);
    };
    const watcher = watch(dir, { recursive: true }, () => {
      if (check()) done(undefined);
    });
    const timer = setTimeout(() => done(new Error(`the record did not reach the expected state within ${timeoutMs} ms; last seen:\n${JSON.stringify(last, null, 2)}`)), timeoutMs);
    const done = (err: Error | undefined) => {
      clearTimeout(timer);
      watcher.close();
      if (err) reject(err);
      else resolve(last!);
    };
    if (check()) done(undefined);
  });
}

/** Resolves once `p`'s stderr (or stdout) has matched `re`; rejects if it exits first. */
export function waitForOutput(p: ChildProcess, re: RegExp, stream: "stderr" | "stdout" = "stderr", timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const s = stream === "stderr" ? p.stderr! : p.stdout!;
    const timer = setTimeout(() => done(new Error(`no output matching ${re} within ${timeoutMs} ms; got:\n${seen}`)), timeoutMs);
    const onData = (d: Buffer | string) => {
      seen += d.toString();
      if (re.test(seen)) done(undefined);
    };
    const onExit = () => done(new Error(`process exited before output matched ${re}; got:\n${seen}`));
    const done = (err: Error | undefined) => {
      clearTimeout(timer);
      s.off("data", onData);
      p.off("exit", onExit);
      if (err) reject(err);
      else resolve(seen);
    };
    s.on("data", onData);
    p.on("exit", onExit);
  });
}
