/** The command registry: each command parses nothing itself and returns an exit code. */
import { writeFileSync } from "node:fs";
import { SIM_RECORD_DIR } from "../core/layout.js";
import { resolve } from "node:path";
import { formatDiagnostic } from "../diagnostics.js";
import { ClipformError } from "../errors.js";
import { computePlan, loadValidProject, manifestPaths, wholeProject } from "../pipeline.js";
import { openWorkspace, recordNote, type Workspace } from "../project/workspace.js";
import { hasChanges, overBudget } from "../plan/plan.js";
import { applyCommandFor, savePlan, type PlanOptions } from "../plan/planfile.js";
import { overBudgetText, planToJson, renderMarkdown, renderText, unitUsd } from "../plan/render.js";
import { version, type Context } from "./context.js";
import { redactSecrets } from "../util/secrets.js";

export interface OptionSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  arg?: string;
  help: string;
}

export interface Command {
  usage: string;
  options?: Record<string, OptionSpec>;
  run(ctx: Context, values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

export function parseUsd(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(String(value).replace(/^\$/, ""));
  if (!Number.isFinite(n) || n < 0) throw new ClipformError("USAGE", `${flag} expects an amount in USD, like 5 or 12.50; got "${String(value)}"`);
  return n;
}

/** The plan's options from the flags; `ws.paths` are the path arguments, relative to the project root. */
export function planOptions(values: Record<string, unknown>, ws: Pick<Workspace, "paths" | "config">): PlanOptions {
  const maxCost = parseUsd(values["max-cost"], "--max-cost");
  return {
    paths: ws.paths,
    targets: (values.target as string[] | undefined) ?? [],
    replace: (values.replace as string[] | undefined) ?? [],
    ...(maxCost !== undefined ? { maxCost } : {}),
    ...(ws.config.budget !== undefined ? { projectBudget: ws.config.budget } : {}),
  };
}

/** `--sim` on a command that reads the record: read the simulator's, which is kept apart. */
export const SIM_RECORD_OPTION: OptionSpec = { type: "boolean", help: `read the simulator's record (${SIM_RECORD_DIR}/), kept apart from the real lockfile` };

function printWarnings(ctx: Context, diags: { severity: string }[]): void {
  for (const d of diags) if (d.severity === "warning") ctx.err(ctx.colorErr.yellow(formatDiagnostic(d as never)));
}

export const validate: Command = {
  usage: "[paths…]",
  async run(ctx, _values, positionals) {
    const ws = openWorkspace(ctx.cwd, { paths: positionals, readsRecord: false });
    const project = loadValidProject(ws.root, manifestPaths(ws, ws.paths), undefined, wholeProject(ws, ws.paths));
    printWarnings(ctx, project.diagnostics);
    const warnings = project.diagnostics.filter((d) => d.severity === "warning").length;
    ctx.out(
      `${ctx.color.green("ok:")} ${project.clips.length} clip${project.clips.length === 1 ? "" : "s"} in ${project.manifests.length} manifest${project.manifests.length === 1 ? "" : "s"}${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}`,
    );
    return 0;
  },
};

export const planCommand: Command = {
  usage: "[paths…] [--json|--markdown] [--detailed-exitcode] [--out FILE] [--target GLOB] [--replace ADDR] [--max-cost USD] [--quote] [--sim]",
  options: {
    json: { type: "boolean", help: "print the plan as JSON" },
    markdown: { type: "boolean", help: "print the plan as markdown (for pull-request comments)" },
    "detailed-exitcode": { type: "boolean", help: "exit 0 when there is nothing to do, 2 when there are changes" },
    out: { type: "string", arg: "FILE", help: "save the plan for `clipform apply FILE`" },
    target: { type: "string", multiple: true, arg: "GLOB", help: "only plan addresses matching GLOB (repeatable)" },
    replace: { type: "string", multiple: true, arg: "ADDR", help: "regenerate ADDR even if unchanged (repeatable, globs allowed)" },
    "max-cost": { type: "string", arg: "USD", help: "fail when the estimate exceeds this amount" },
    quote: { type: "boolean", help: "ask the API's own price for each request (a free dry run: nothing generated, nothing charged)" },
    sim: SIM_RECORD_OPTION,
  },
  async run(ctx, values, positionals) {
    if (values.json && values.markdown) throw new ClipformError("USAGE", "choose one of --json and --markdown");
    const ws = openWorkspace(ctx.cwd, { paths: positionals, sim: Boolean(values.sim) });
    const opts = planOptions(values, ws);
    const { planWithQuotes, quotingProblems } = await import("../quote/plan.js");
    const { project, plan, lockExists, quoting } = await planWithQuotes(ws, ctx.env, opts, { quote: values.quote === true, sim: Boolean(values.sim) });
    const warnings = project.diagnostics.filter((d) => d.severity === "warning");
    const simulated = recordNote(ws, ctx.cwd);
    if (values.json) {
      ctx.out(JSON.stringify(planToJson(plan, warnings, { simulated }), null, 2));
    } else {
      printWarnings(ctx, warnings);
      ctx.out(values.markdown ? renderMarkdown(plan, { simulated }) : renderText(plan, { color: ctx.color, manifests: project.manifests.length, clips: project.clips.length, simulated }));
    }
    if (typeof values.out === "string") {
      writeFileSync(resolve(ctx.cwd, values.out), redactSecrets(savePlan({ plan, digest: project.digest, lockExists, options: opts, version: version(), simulated: ws.record.simulated })));
      if (!values.json) ctx.err(`Saved the plan to ${values.out}; \`${applyCommandFor(values.out, ws.record.simulated)}\` applies exactly this plan${ws.record.simulated ? " (to the simulator's record)" : ""}.`);
    }
    const rejected = quotingProblems(quoting, (line) => ctx.err(line));
    if (rejected) throw rejected;
    const over = overBudget(plan);
    if (over.length > 0) {
      const b = over[0]!;
      throw new ClipformError("BUDGET_EXCEEDED", `${overBudgetText(b)}; apply would refuse`);
    }
    return values["detailed-exitcode"] && hasChanges(plan) ? 2 : 0;
  },
};

export { modelsCommand as models } from "./models-command.js";

