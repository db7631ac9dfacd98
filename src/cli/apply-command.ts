/** `clipform apply`: show the plan, get approval, then run it against Runware (or the simulator). */
import { openApiSession, type ApiSession } from "../apply/session.js";
import { createInterface } from "node:readline";
import { applyPlanned } from "../apply/orchestrate.js";
import { DEFAULT_CONCURRENCY } from "../apply/concurrency.js";
import type { ApplyEngine } from "../apply/engine.js";
import { DEFAULT_POLL_INTERVAL_MS } from "../apply/pacing.js";
import { emptySummary } from "../apply/types.js";
import { DEFAULT_OUT_DIR } from "../core/layout.js";
import { applyFailed, jsonReporter, liveReporter, lineReporter, type Reporter } from "../apply/reporter.js";
import { acquireStateLock, describeHolder } from "../lockfile/statelock.js";
import { ClipformError } from "../errors.js";
import { openWorkspace, prepareRecord, recordNote } from "../project/workspace.js";
import { relative, resolve } from "node:path";
import { fileStamp } from "../util/stamp.js";
import { checkPlanRecord, checkSavedPlan, isPlanFile, readPlanFile } from "../plan/planfile.js";
import { planToJson, renderText } from "../plan/render.js";
import { onlyCuts } from "../plan/sequences.js";
import { DEFAULT_TASK_TIMEOUT_MS, EXIT_STILL_RUNNING, parseTaskTimeout, stillRunningMessage } from "../runware/waiting.js";
import type { Command } from "./commands.js";
import { planOptions } from "./commands.js";
import { outputClosed, type Context } from "./context.js";

const SIM_DEMO_POLL_MS = 100;

export function positiveInt(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ClipformError("USAGE", `${flag} expects a whole number of at least 1, got "${String(value)}"`);
  return n;
}

/** The plan could not be shown whole (its output was closed): nobody may approve what they did not see. */
const UNSEEN = () => new ClipformError("NOT_APPROVED", "the plan could not be shown (its output was closed), so it cannot be approved. Nothing was sent.");

async function askYes(ctx: Context): Promise<boolean> {
  ctx.out("\nDo you want to perform these actions? Only 'yes' will be accepted.");
  // A write that failed says so a tick later.
  await new Promise((r) => setImmediate(r));
  if (outputClosed(ctx.stdout)) throw UNSEEN();
  const rl = createInterface({ input: ctx.stdin, output: ctx.stdout });
  let unseen: (() => void) | undefined;
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      unseen = () => reject(UNSEEN());
      ctx.stdout.once("error", unseen);
      rl.question("  Enter a value: ", resolve);
    });
    if (outputClosed(ctx.stdout)) throw UNSEEN();
    return answer.trim() === "yes";
  } finally {
    if (unseen) ctx.stdout.off("error", unseen);
    rl.close();
  }
}

function tighter(saved: number | undefined, now: number | undefined): { maxCost?: number } {
  if (saved === undefined) return now === undefined ? {} : { maxCost: now };
  return { maxCost: now === undefined ? saved : Math.min(saved, now) };
}

export const applyCommand: Command = {
  usage: "[paths…|PLANFILE] [--auto-approve] [--concurrency N] [--max-cost USD] [--poll-interval MS] [--out-dir DIR] [--task-timeout DURATION] [--sim] [--json] [--quote]",
  options: {
    "auto-approve": { type: "boolean", help: "apply without asking (required without a terminal)" },
    concurrency: { type: "string", arg: "N", help: `generations in flight at most (default ${DEFAULT_CONCURRENCY})` },
    "max-cost": { type: "string", arg: "USD", help: "refuse beyond this estimate, and stop submitting before actual costs cross it" },
    "poll-interval": { type: "string", arg: "MS", help: `first polling interval; backs off from there (default ${DEFAULT_POLL_INTERVAL_MS})` },
    "out-dir": { type: "string", arg: "DIR", help: `where videos are saved (default ${DEFAULT_OUT_DIR})` },
    target: { type: "string", multiple: true, arg: "GLOB", help: "only apply addresses matching GLOB (repeatable)" },
    replace: { type: "string", multiple: true, arg: "ADDR", help: "regenerate ADDR even if unchanged, or only its variant N with ADDR#N (repeatable)" },
    "task-timeout": { type: "string", arg: "DURATION", help: `stop waiting for a task after this long (90s, 15m, 1h); it stays recorded and apply exits ${EXIT_STILL_RUNNING} (default ${DEFAULT_TASK_TIMEOUT_MS / 60_000}m)` },
    sim: { type: "boolean", help: "run against an embedded Runware simulator (no key, no network, no cost)" },
    json: { type: "boolean", help: "print the plan and machine-readable events as JSON lines" },
    quote: { type: "boolean", help: "price each request with the API first (a free dry run); refuse if it would reject one or a quote exceeds a budget" },
  },
  async run(ctx, values, positionals) {
    try {
      return await runApply(ctx, values, positionals);
    } catch (e) {
      // apply --json: the error as a JSON event too (the CLI boundary still prints it and sets the exit code).
      if (values.json) ctx.out(JSON.stringify({ event: "error", ...errorEvent(e) }));
      throw e;
    }
  },
};

/** The code and message of an error ending apply, for `--json`: a ClipformError's code, else INTERNAL (a bug). */
export function errorEvent(e: unknown): { code: string; message: string } {
  if (e instanceof ClipformError) return { code: e.code, message: e.message };
  return { code: "INTERNAL", message: e instanceof Error ? e.message : String(e) };
}

function taskTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TASK_TIMEOUT_MS;
  const ms = parseTaskTimeout(String(value));
  if (ms === undefined) throw new ClipformError("USAGE", `--task-timeout expects a duration like 90s, 15m or 1h, got "${String(value)}"`);
  return ms;
}

async function runApply(ctx: Context, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const taskTimeoutMs = taskTimeout(values["task-timeout"]);
  const planPath = positionals.length === 1 && isPlanFile(resolve(ctx.cwd, positionals[0]!)) ? resolve(ctx.cwd, positionals[0]!) : undefined;
  // The project root and the record (the simulator's is kept apart) come from one place.
  const ws = openWorkspace(ctx.cwd, { paths: planPath ? [] : positionals, sim: Boolean(values.sim) });
  const concurrency = positiveInt(values.concurrency, "--concurrency", ws.config.concurrency ?? DEFAULT_CONCURRENCY);
  const pollInterval = positiveInt(values["poll-interval"], "--poll-interval", values.sim ? SIM_DEMO_POLL_MS : DEFAULT_POLL_INTERVAL_MS);
  const outDir = typeof values["out-dir"] === "string" ? relative(ws.root, resolve(ctx.cwd, values["out-dir"])) || "." : ws.record.outDir;
  const json = Boolean(values.json);

  const saved = planPath ? await readPlanFile(planPath) : undefined;
  if (saved) checkPlanRecord(saved, positionals[0]!, Boolean(values.sim));
  const flags = planOptions(values, ws);
  if (saved && (flags.targets.length || flags.replace.length)) {
    throw new ClipformError("USAGE", "a saved plan already fixes what it targets and replaces: drop --target/--replace, or make a new plan");
  }
  // A saved plan is applied as it was made; a --max-cost given now only tightens its budget.
  const opts = saved ? { ...saved.options, ...tighter(saved.options.maxCost, flags.maxCost) } : flags;

  // The state lock comes first: the plan must be computed from the lockfile this apply will write.
  const lock = acquireStateLock(ws.root, `clipform apply${positionals.length ? ` ${positionals.join(" ")}` : ""}`);
  prepareRecord(ws.record);
  if (lock.tookOver) ctx.err(`note: took over a stale state lock (${describeHolder(lock.tookOver)}: that process is gone)`);
  let session: ApiSession | undefined;
  let engine: ApplyEngine | undefined;
  let interrupts = 0;
  // SIGTERM (a CI job cancelled, a container stopped) does not wait for anything: nothing more is
  // sent, every request under way is ended, what is in flight is recorded, and the process exits.
  const onSigterm = () => {
    session?.client.stop();
    quit(143, "Terminated (SIGTERM): nothing more is sent.");
  };
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) engine?.stopSubmitting();
    else quit(130, "Quitting now.");
  };
  const quit = (code: number, why: string) => {
    try {
      // What the last poll and downloads recorded is still in the journal's buffer until the next tick.
      engine?.recordNow();
      ctx.err(`${why} Every task sent is recorded in the lockfile: the next plan shows it as resume.`);
    } catch (e) {
      // Every task was written ahead before it was sent; only what came back since may be lost.
      ctx.err(`${why} The latest results could not be recorded (${(e as Error).message}); every task sent is recorded, and the next apply polls them again.`);
    } finally {
      lock.release();
      ctx.host.exit(code);
    }
  };
  try {
    // Quoted prices (cached, or asked now with --quote: a free dry run) replace estimates.
    const { planWithQuotes, quotingProblems } = await import("../quote/plan.js");
    const planned = await planWithQuotes(ws, ctx.env, opts, { quote: values.quote === true, sim: Boolean(values.sim) });
    const { plan, project } = planned;
    if (saved) checkSavedPlan(saved, { digest: project.digest, lockExists: planned.lockExists, plan });
    let reporter: Reporter | undefined;
    const summary = await applyPlanned({
      planned,
      simulated: Boolean(values.sim),
      limits: opts.maxCost !== undefined ? [{ scope: "--max-cost", limitUsd: opts.maxCost }] : [],
      outDir,
      concurrency,
      pollIntervalMs: pollInterval,
      taskTimeoutMs,
      emit: (e) => reporter!.event(e),
      show: () => {
        const simulated = recordNote(ws, ctx.cwd);
        if (json) ctx.out(JSON.stringify({ event: "plan", ...planToJson(plan, [], { simulated }) }));
        else ctx.out(renderText(plan, { color: ctx.color, manifests: project.manifests.length, clips: project.clips.length, simulated }));
        // apply --quote: a request the API would reject, or a quote that failed, stops here.
        const rejected = quotingProblems(planned.quoting, (line) => ctx.err(line));
        if (rejected) throw rejected;
      },
      approve: async () => {
        if (saved || values["auto-approve"]) return;
        // Cutting films is local and free: asking would only stop CI and people for nothing.
        if (onlyCuts(plan)) {
          if (!json) ctx.out("\nOnly films to cut (local, free: nothing is sent or paid), so no approval is needed.");
          return;
        }
        if (!ctx.stdin.isTTY) {
          throw new ClipformError("NOT_APPROVED", "apply needs --auto-approve when not run from a terminal (or a saved plan: clipform plan --out FILE, then clipform apply FILE). Nothing was sent.");
        }
        if (!(await askYes(ctx))) throw new ClipformError("NOT_APPROVED", "apply cancelled. Nothing was sent.");
        // What was approved is the plan from the lockfile as it was; if it changed meanwhile
        // (a git pull, another tool), that plan may no longer be right.
        if (fileStamp(planned.lockPath) !== planned.lockStamp) {
          throw new ClipformError("STALE_PLAN", "the lockfile changed while the plan was waiting for approval. Nothing was sent. Run apply again to see the plan as it is now.");
        }
      },
      connect: async (needsKey) => {
        session = await openApiSession({
          env: ctx.env,
          sim: Boolean(values.sim),
          needsKey,
          catalog: planned.project.catalog,
          // On stderr, in every output mode: the videos are still written, but not as asked.
          warn: (line) => ctx.err(line),
          onEvent: (e) => {
            if (e.type === "retry" && e.error.kind === "rateLimit") engine?.onRateLimited();
          },
        });
        if (values.sim && !json) ctx.err(`Using ${session.label}.`);
        reporter = json
          ? jsonReporter((l) => ctx.out(l))
          : ctx.stderr.isTTY && ctx.env.TERM !== "dumb"
            ? liveReporter(ctx.stderr, ctx.colorErr, { generations: plan.summary.generations, estimatedUsd: plan.summary.estimated_cost_usd })
            : lineReporter((l) => ctx.err(l));
        ctx.host.on("SIGINT", onSigint);
        ctx.host.on("SIGTERM", onSigterm);
        return session.client;
      },
      started: (e) => {
        engine = e;
      },
    });
    if (!summary) {
      if (json) ctx.out(JSON.stringify({ event: "summary", ...emptySummary() }));
      else ctx.out("Nothing to do.");
      return 0;
    }
    // What polling cost: batched requests, single re-polls after partial batch answers.
    if (json && session) ctx.out(JSON.stringify({ event: "polling", ...session.client.pollCounters() }));
    reporter!.finish(summary);
    if (summary.stillRunning > 0) {
      const message = stillRunningMessage(summary.stillRunning, taskTimeoutMs);
      if (json) ctx.out(JSON.stringify({ event: "still-running", tasks: summary.stillRunning, message }));
      else ctx.err(message);
    }
    // Something failed or was skipped: 1. Otherwise tasks left running have their own code.
    if (applyFailed(summary)) return 1;
    return summary.stillRunning > 0 ? EXIT_STILL_RUNNING : 0;
  } finally {
    ctx.host.off("SIGINT", onSigint);
    ctx.host.off("SIGTERM", onSigterm);
    await session?.close();
    lock.release();
  }
}
