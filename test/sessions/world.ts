/**
 * Where a session runs: a temp project, the simulator(s) it has spoken to (a dialect switch
 * restarts it; every one's charges still count), commands run in-process through `run(argv, io)`,
 * and the built binary only for `kill -9`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { run } from "../../src/cli/main.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import type { ProjectModel } from "./project.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(REPO, "bin", "clipform.js");
const API_KEY = "session-key";
/** Generations take this long on the simulator: long enough for a kill to land mid-flight, short enough for many sessions. */
export const LATENCY_MS = 40;
export const POLL = ["--poll-interval", "20"];

export interface Output {
  argv: string[];
  code: number;
  stdout: string;
  stderr: string;
  /** Killed by a signal (kill steps only). */
  signal?: string | null;
}

export interface SimSettings {
  dialects: string[];
  failRate: number;
  resetRate: number;
  errorRate: number;
}

/** Charges as the simulator itself counts them (GET /__sim/stats), whatever it reported. */
export interface Charges {
  byTask: Map<string, number>;
  accepted: string[];
  inFlight: number;
}

export class World {
  readonly dir: string;
  readonly #sims: Simulator[] = [];
  #sim!: Simulator;
  #seed: number;
  readonly temps: string[] = [];

  private constructor(seed: number) {
    this.#seed = seed;
    this.dir = this.temp("clipform-session-");
  }

  static async start(seed: number): Promise<World> {
    const w = new World(seed);
    await w.switchSim({ dialects: [], failRate: 0, resetRate: 0, errorRate: 0 });
    return w;
  }

  temp(prefix: string): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.temps.push(d);
    return d;
  }

  get sim(): Simulator {
    return this.#sim;
  }

  /**
   * A new simulator with these settings. The old one keeps serving until the session ends: the
   * video URLs it gave stay valid, as the real API's do for a while, and its charges still count.
   */
  async switchSim(s: SimSettings): Promise<void> {
    this.#sim = await startSimulator({ latencyMs: LATENCY_MS, apiKey: API_KEY, seed: this.#seed * 31 + this.#sims.length, dialects: s.dialects, failRate: s.failRate, resetRate: s.resetRate, errorRate: s.errorRate });
    this.#sims.push(this.#sim);
  }

  charges(): Charges {
    const byTask = new Map<string, number>();
    const accepted: string[] = [];
    let inFlight = 0;
    for (const s of this.#sims) {
      const st = s.stats();
      for (const [t, usd] of Object.entries(st.chargedByTask)) byTask.set(t, (byTask.get(t) ?? 0) + usd);
      accepted.push(...st.acceptedTaskUUIDs);
      inFlight += st.inFlight;
    }
    return { byTask, accepted, inFlight };
  }

  env(): Record<string, string> {
    return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", RUNWARE_BASE_URL: this.#sim.apiUrl, RUNWARE_API_KEY: API_KEY };
  }

  /** Writes the project's files from the model (clipform.yaml and every manifest), into `dir` (the project by default). */
  write(model: ProjectModel, dir = this.dir): void {
    // Only what changed is written: an unchanged file saved again would be a save to a watcher.
    for (const [file, text] of [["clipform.yaml", model.config()], ...model.manifests()] as const) {
      const path = join(dir, file);
      if (existsSync(path) && readFileSync(path, "utf8") === text) continue;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }

  /** `clipform ARGV` in this process. `started` hears the command begin (for watch). */
  async cli(argv: string[], o: { cwd?: string; onStdout?: (all: string) => void } = {}): Promise<Output> {
    const out = collector(o.onStdout);
    const err = collector();
    const stdin = new PassThrough();
    stdin.end();
    const code = await run(argv, { cwd: o.cwd ?? this.dir, env: this.env(), stdout: out.stream, stderr: err.stream, stdin });
    return { argv, code, stdout: out.text(), stderr: err.text() };
  }

  /**
   * The binary's `apply --json`, killed with SIGKILL once it has printed its `nth` event of type
   * `after` (so the kill lands at a moment the apply reached, never after a fixed sleep). It may
   * end first: then it is not killed.
   */
  killDuringApply(after: string, nth: number): Promise<Output & { killed: boolean }> {
    const argv = ["apply", "--auto-approve", "--json", ...POLL];
    const p = spawn(process.execPath, [BIN, ...argv], { cwd: this.dir, env: this.env(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let seen = 0;
    let killed = false;
    p.stdout.setEncoding("utf8").on("data", (d: string) => {
      const before = stdout.length;
      stdout += d;
      const fresh = stdout.slice(stdout.lastIndexOf("\n", before - 1) + 1);
      for (const line of fresh.split("\n").slice(0, -1)) if (line.includes(`"type":"${after}"`) || line.includes(`"event":"${after}"`)) seen++;
      if (!killed && seen >= nth && p.exitCode === null) killed = p.kill("SIGKILL");
    });
    p.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => (p.kill("SIGKILL"), reject(new Error(`apply did not end within 60 s\n${stdout}\n${stderr}`))), 60_000);
      p.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ argv, code: code ?? -1, signal, stdout, stderr, killed: killed && signal === "SIGKILL" });
      });
    });
  }

  exists(rel: string): boolean {
    return existsSync(join(this.dir, rel));
  }

  async close(): Promise<void> {
    await Promise.all(this.#sims.map((s) => s.close()));
    for (const d of this.temps) rmSync(d, { recursive: true, force: true });
  }
}

function collector(onData?: (all: string) => void): { stream: Writable; text(): string } {
  let all = "";
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      all += chunk.toString();
      onData?.(all);
      done();
    },
  });
  return { stream, text: () => all };
}
