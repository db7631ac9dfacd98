/** `clipform status [paths…] [--json]`: per manifest, what is generated, pending, in flight, failed, missing, and spent. */
import { relative } from "node:path";
import { checkOutputFiles } from "../lockfile/files.js";
import { computePlan } from "../pipeline.js";
import { openWorkspace, recordNote } from "../project/workspace.js";
import { simulatedNote } from "../plan/render.js";
import { SIM_RECORD_OPTION } from "./commands.js";
import { renderStatus } from "../status/render.js";
import { buildStatus } from "../status/status.js";
import { comparisons } from "../plan/compare.js";
import { priceBook } from "../plan/prices.js";
import { priceFromBook } from "../lockfile/ledger.js";
import type { Command } from "./commands.js";
import { lifetimeBudgets, projectBudgetOf } from "../apply/gate-open.js";

export const statusCommand: Command = {
  usage: "[paths…] [--json] [--sim]",
  options: { json: { type: "boolean", help: "print the status as one JSON object (documented in the README)" }, sim: SIM_RECORD_OPTION },
  async run(ctx, values, positionals) {
    const ws = openWorkspace(ctx.cwd, { paths: positionals, sim: Boolean(values.sim) });
    const { project, lock, lockExists, lockPath, plan } = computePlan(ws, { paths: ws.paths, targets: [], replace: [] });
    const price = priceFromBook(priceBook(lock, project.catalog));
    const report = buildStatus({
      project,
      lock,
      lockExists,
      lockPath: relative(ctx.cwd, lockPath) || lockPath,
      plan,
      files: checkOutputFiles(lock, project.root),
      price,
      budgets: lifetimeBudgets(lock, project.manifests, projectBudgetOf(project.root), price),
    });
    const simulated = recordNote(ws, ctx.cwd);
    if (values.json) ctx.out(JSON.stringify(simulated ? { ...report, lockfile: { ...report.lockfile, simulated: true } } : report, null, 2));
    else ctx.out((simulated ? `${ctx.color.magenta(simulatedNote(simulated))}\n` : "") + renderStatus(report, ctx.color, comparisons(plan.changes)));
    return 0;
  },
};
