/**
 * Runs the steps of a session against the simulator, one by one, and checks the invariants after
 * each (checks.ts). `runSession` replays a list from scratch: the shrinker calls it again and again.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ProjectModel } from "./project.js";
import type { Step } from "./steps.js";
import { checkStep, Facts, type Violation } from "./checks.js";
import { POLL, World, type Output } from "./world.js";
import { readRecord, tasksOf } from "./record.js";

export interface Figures {
  steps: number;
  skipped: number;
  applies: number;
  kills: number;
  killsLanded: number;
  /** Charges compared with the record: one per charged task per settled step. */
  chargesCompared: number;
  /** Tasks the simulators charged for. */
  tasksCharged: number;
  budgetsChecked: number;
  exitCodes: Record<string, number>;
}

export interface SessionResult {
  seed: number;
  figures: Figures;
  /** The first step whose checks failed, and what they found (empty: the session passed). */
  failedAt: number | undefined;
  violations: Violation[];
}

export const emptyFigures = (): Figures => ({ steps: 0, skipped: 0, applies: 0, kills: 0, killsLanded: 0, chargesCompared: 0, tasksCharged: 0, budgetsChecked: 0, exitCodes: {} });

export async function runSession(seed: number, steps: Step[]): Promise<SessionResult> {
  const world = await World.start(seed);
  const model = new ProjectModel();
  const facts = new Facts();
  const figures = emptyFigures();
  try {
    world.write(model);
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      facts.beginStep(i, step, model, world);
      const outputs = await runStep(world, model, facts, step);
      if (TRACE) trace(i, step, outputs);
      figures.steps++;
      if (outputs === undefined) {
        figures.skipped++;
        continue;
      }
      for (const o of outputs) figures.exitCodes[`${o.argv[0]} ${o.signal ?? o.code}`] = (figures.exitCodes[`${o.argv[0]} ${o.signal ?? o.code}`] ?? 0) + 1;
      if (step.k === "apply" || step.k === "reroll" || step.k === "watch") figures.applies++;
      if (step.k === "kill") {
        figures.kills++;
        if (outputs.some((o) => o.signal === "SIGKILL")) figures.killsLanded++;
      }
      const violations = await checkStep(world, model, facts, step, outputs, figures);
      if (violations.length > 0) return { seed, figures, failedAt: i, violations };
    }
    return { seed, figures, failedAt: undefined, violations: [] };
  } finally {
    figures.tasksCharged += world.charges().byTask.size;
    if (process.env.CLIPFORM_SESSIONS_KEEP) console.log(`kept ${world.dir}`);
    else await world.close();
  }
}

/** CLIPFORM_SESSIONS_TRACE=1 prints every step and what its commands said. */
const TRACE = Boolean(process.env.CLIPFORM_SESSIONS_TRACE);
function trace(i: number, step: Step, outputs: Output[] | undefined): void {
  const said = (outputs ?? []).map((o) => `    $ clipform ${o.argv.join(" ")} → ${o.signal ?? o.code}\n${(o.stderr + o.stdout).trim().split("\n").slice(-Number(process.env.CLIPFORM_SESSIONS_TRACE_LINES ?? 4)).map((l) => `      ${l}`).join("\n")}`);
  console.log([`${i + 1}. ${JSON.stringify(step)}${outputs ? "" : " (skipped)"}`, ...said].join("\n"));
}

const spent = (world: World) => () => readRecord(world.dir).spentUsd;

/** Runs one step; undefined when it does not apply to the project as it is (skipped). */
async function runStep(world: World, model: ProjectModel, facts: Facts, step: Step): Promise<Output[] | undefined> {
  switch (step.k) {
    case "apply": {
      const limit = step.maxCost !== undefined ? ["--max-cost", String(step.maxCost)] : [];
      if (step.via === "plain") return [await world.cli(["apply", "--auto-approve", ...POLL, ...limit])];
      const file = join(world.dir, ".clipform", "session-plan.json");
      mkdirSync(join(world.dir, ".clipform"), { recursive: true });
      const plan = await world.cli(["plan", "--out", file]);
      if (plan.code !== 0) return [plan];
      return [plan, await world.cli(["apply", file, ...POLL, ...limit])];
    }
    case "kill": {
      const o = await world.killDuringApply(step.after, step.nth);
      return [o];
    }
    case "reroll": {
      if (!model.clips.has(step.id)) return undefined;
      facts.rerolled(step.id, step.variant);
      return [await world.cli(["apply", "--auto-approve", ...POLL, "--replace", step.variant ? `${step.id}#${step.variant}` : step.id])];
    }
    case "pick": {
      if (!model.clips.has(step.id)) return undefined;
      const list = await world.cli(["pick", step.id]);
      const takes = [...list.stdout.matchAll(/^[* ] (\d+) {2}([0-9a-f]{8})/gm)].map((m) => ({ index: Number(m[1]), prefix: m[2]! }));
      if (list.code !== 0 || takes.length === 0) return [list];
      const take = takes[(step.take - 1) % takes.length]!;
      const o = await world.cli(["pick", step.id, String(take.index)]);
      if (o.code === 0) facts.picked(step.id, take.prefix, world);
      return [list, o];
    }
    case "prune":
      return [await world.cli(["prune"])];
    case "pull":
      return pull(world, model, step);
    case "dialect": {
      // A restarted simulator forgets the tasks of the old one, as no real server would: work a
      // kill left in flight is first collected from the server that has it (only those clips).
      const inFlight = [...new Set([...tasksOf(readRecord(world.dir).lock).values()].filter((t) => t.task.status === "submitted").map((t) => t.address))];
      const collected = inFlight.length ? [await world.cli(["apply", "--auto-approve", ...POLL, ...inFlight.flatMap((a) => ["--target", a])])] : [];
      await world.switchSim({ dialects: step.names, failRate: step.failRate, resetRate: step.resetRate, errorRate: step.errorRate });
      return collected;
    }
    case "watch":
      return watchStep(world, model, step);
    default: {
      if (!model.edit(step, spent(world))) return undefined;
      world.write(model);
      return [];
    }
  }
}

/**
 * `git pull` of another copy's work: the copy (the committed files and the record) adds a clip in
 * a manifest of its own and applies it; its lockfile is then merged into ours with the merge
 * driver, and its manifest arrives.
 */
async function pull(world: World, model: ProjectModel, step: Extract<Step, { k: "pull" }>): Promise<Output[] | undefined> {
  if (!model.edit(step, spent(world))) return undefined;
  const other = world.temp("clipform-other-");
  const lock = join(world.dir, "clipform.lock.json");
  const base = join(other, "base.lock.json");
  // What git holds: the lockfile as it is (a journal a kill left is not committed).
  const committed = existsSync(lock) ? readFileSync(lock, "utf8") : undefined;
  if (committed !== undefined) {
    writeFileSync(join(other, "clipform.lock.json"), committed);
    writeFileSync(base, committed);
  }
  world.write(model, other);
  const applied = await world.cli(["apply", `specs/pulled-${step.id}.yaml`, "--auto-approve", ...POLL], { cwd: other });
  const theirs = join(other, "clipform.lock.json");
  world.write(model);
  if (!existsSync(theirs)) return [applied];
  if (committed === undefined) {
    copyFileSync(theirs, lock);
    return [applied];
  }
  const merged = await world.cli(["lock", "merge", base, lock, theirs, "clipform.lock.json"]);
  return [applied, merged];
}

/**
 * watch --apply, driven to one save and its apply: started, the edit saved once the first plan is
 * on screen, then stopped (its SIGINT listener called directly) once that save's apply has ended.
 */
async function watchStep(world: World, model: ProjectModel, step: Extract<Step, { k: "watch" }>): Promise<Output[] | undefined> {
  if (!model.clone().edit(step.edit, spent(world))) return undefined;
  const before = new Set([...process.listeners("SIGINT"), ...process.listeners("SIGTERM")]);
  let screen = "";
  const waiters: { re: RegExp; from: number; resolve: () => void }[] = [];
  const onStdout = (all: string) => {
    screen = all;
    for (const w of waiters.splice(0)) (w.re.test(all.slice(w.from)) ? w.resolve() : waiters.push(w));
  };
  const until = (re: RegExp, from: number) => new Promise<void>((resolve, reject) => {
    if (re.test(screen.slice(from))) return resolve();
    const t = setTimeout(() => reject(new Error(`watch: no ${re} within 30 s; screen:\n${screen.slice(-3000)}`)), 30_000);
    waiters.push({ re, from, resolve: () => (clearTimeout(t), resolve()) });
  });
  const running = world.cli(["watch", "--apply", "--max-cost", String(step.maxCost), "--budget", String(step.budget), ...POLL, "--debounce", "20"], { onStdout });
  const ended = running.then(() => "ended" as const);
  try {
    const first = await Promise.race([until(/update #1 /, 0).then(() => "ready" as const), ended]);
    if (first === "ended") return [await running];
    const mark = screen.length;
    model.edit(step.edit, spent(world));
    world.write(model);
    // The save's own plan: nothing to do ends it; else its apply is awaited to its last line.
    await until(/update #\d+ /, mark);
    const frame = screen.slice(mark);
    if (!/^No changes\.|problems?: fix and save/m.test(frame)) await until(/Apply complete|Apply finished with problems|not applying|apply failed/, mark);
  } finally {
    // Ctrl-C, as the watch command hears it: its own listeners, called directly.
    for (const l of process.listeners("SIGINT")) if (!before.has(l)) (process.removeListener("SIGINT", l), (l as () => void)());
    for (const l of process.listeners("SIGTERM")) if (!before.has(l)) process.removeListener("SIGTERM", l);
  }
  return [await running];
}
