/**
 * Runs many seeded sessions, adds up their figures, and shrinks one failure of each distinct kind
 * (invariant and the shape of its message) to the shortest list of steps that still fails.
 */
import { emptyFigures, runSession, type Figures, type SessionResult } from "./runner.js";
import { shrink } from "./shrink.js";
import { formatSteps, generateSession, type GenerateOptions, type Step } from "./steps.js";
import type { Violation } from "./checks.js";

export interface Failure {
  seed: number;
  violation: Violation;
  /** Other seeds that failed the same way. */
  seeds: number[];
  steps: Step[];
  shrunk?: Step[];
  replays?: number;
}

export interface Exploration {
  sessions: number;
  figures: Figures;
  failures: Failure[];
  seconds: number;
}

/** "same way": the invariant and its message with numbers, ids and money taken out. */
export function signature(v: Violation): string {
  let first = v.message.split("\n")[0]!;
  // "the plan still has: c2 replace, c3 delete": the kinds of work left, not which clips.
  first = first.replace(/(still has: )(.*)$/, (_, head: string, list: string) => head + [...new Set(list.split(", ").map((x) => x.split(" ").at(-1)))].sort().join(","));
  return `${v.invariant}:${first.replace(/\b[0-9a-f]{8}[0-9a-f-]*|\$[\d.]+|\bc\d+\b|\d+/g, "#")}`;
}

export async function explore(seeds: number[], o: { generate?: GenerateOptions; shrink?: boolean; maxReplays?: number; shrinkMs?: number; log?: (line: string) => void } = {}): Promise<Exploration> {
  const t0 = performance.now();
  const figures = emptyFigures();
  const failures = new Map<string, Failure>();
  const log = o.log ?? (() => undefined);
  for (const seed of seeds) {
    const steps = generateSession(seed, o.generate);
    let r: SessionResult;
    try {
      r = await runSession(seed, steps);
    } catch (e) {
      // The harness itself broke (a watch that never answered, say): a failure of its own kind.
      r = { seed, figures: emptyFigures(), failedAt: steps.length - 1, violations: [{ invariant: "f", message: `session crashed: ${(e as Error).stack ?? String(e)}` }] };
    }
    add(figures, r.figures);
    log(`seed ${seed}: ${r.figures.steps} steps, ${r.figures.kills} kills${r.violations.length ? ` FAILED at step ${r.failedAt! + 1}: ${r.violations.map((v) => `(${v.invariant}) ${v.message.split("\n")[0]}`).join("; ")}` : ""}`);
    for (const v of r.violations) {
      const key = signature(v);
      const known = failures.get(key);
      if (known) known.seeds.push(seed);
      else failures.set(key, { seed, violation: v, seeds: [], steps: steps.slice(0, r.failedAt! + 1) });
    }
  }
  if (o.shrink !== false) {
    for (const f of failures.values()) {
      if (f.violation.message.startsWith("session crashed")) continue;
      const s = await shrink(f.seed, f.steps, f.violation.invariant, { ...(o.maxReplays ? { maxReplays: o.maxReplays } : {}), ...(o.shrinkMs ? { maxMs: o.shrinkMs } : {}), log });
      f.shrunk = s.steps;
      f.replays = s.replays;
      const again = s.result.violations.find((v) => signature(v) === signature(f.violation)) ?? s.result.violations.find((v) => v.invariant === f.violation.invariant);
      if (again) f.violation = again;
    }
  }
  return { sessions: seeds.length, figures, failures: [...failures.values()], seconds: Math.round((performance.now() - t0) / 100) / 10 };
}

function add(into: Figures, f: Figures): void {
  into.steps += f.steps;
  into.skipped += f.skipped;
  into.applies += f.applies;
  into.kills += f.kills;
  into.killsLanded += f.killsLanded;
  into.chargesCompared += f.chargesCompared;
  into.tasksCharged += f.tasksCharged;
  into.budgetsChecked += f.budgetsChecked;
  for (const [k, n] of Object.entries(f.exitCodes)) into.exitCodes[k] = (into.exitCodes[k] ?? 0) + n;
}

export function report(x: Exploration): string {
  const f = x.figures;
  const lines = [
    `${x.sessions} sessions in ${x.seconds} s: ${f.steps} steps (${f.skipped} skipped), ${f.applies} applies, ${f.kills} kills (${f.killsLanded} landed mid-apply), ${f.tasksCharged} tasks charged, ${f.chargesCompared} charge comparisons (task × settled step), ${f.budgetsChecked} budgets checked`,
    `exit codes: ${Object.entries(f.exitCodes).sort().map(([k, n]) => `${k}×${n}`).join(", ")}`,
  ];
  for (const fl of x.failures) {
    lines.push(
      "",
      `FAILED (${fl.violation.invariant}) seed ${fl.seed}${fl.seeds.length ? ` (also seeds ${fl.seeds.join(", ")})` : ""}: ${fl.violation.message}`,
      fl.shrunk ? `shortest steps that still fail (${fl.shrunk.length} of ${fl.steps.length}, ${fl.replays} replays): runSession(${fl.seed}, ${formatSteps(fl.shrunk)})` : `steps: runSession(${fl.seed}, ${formatSteps(fl.steps)})`,
    );
  }
  return lines.join("\n");
}
