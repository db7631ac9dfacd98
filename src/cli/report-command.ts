/** `clipform report`: write the HTML gallery of every clip, its videos, status, cost and pending changes. */
import { mkdirSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { writeFileAtomic } from "../lockfile/io.js";
import { computePlan } from "../pipeline.js";
import { openWorkspace, recordNote } from "../project/workspace.js";
import { SIM_RECORD_OPTION } from "./commands.js";
import { spentText } from "../money/unknown-cost.js";
import { DEFAULT_REPORT_FILE, renderReportHtml, reportOf } from "../report/index.js";
import type { Command } from "./commands.js";

export const reportCommand: Command = {
  usage: "[paths…] [--out FILE] [--sim]",
  options: { out: { type: "string", arg: "FILE", help: `where to write the page (default ${DEFAULT_REPORT_FILE} at the project root)` }, sim: SIM_RECORD_OPTION },
  async run(ctx, values, positionals) {
    const ws = openWorkspace(ctx.cwd, { paths: positionals, sim: Boolean(values.sim) });
    const outFile = typeof values.out === "string" ? resolve(ctx.cwd, values.out) : resolve(ws.root, DEFAULT_REPORT_FILE);
    const report = reportOf(computePlan(ws, { paths: ws.paths, targets: [], replace: [] }), outFile, ws.paths);
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileAtomic(outFile, renderReportHtml(report));
    const counts = Object.entries(report.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s.replace("-", " ")}`);
    ctx.out(`Wrote the report to ${relative(ctx.cwd, outFile)}: ${report.clips.length} clip${report.clips.length === 1 ? "" : "s"} (${counts.join(", ") || "none yet"}), ${spentText(report.spentUsd, report.spentUnknown)} spent.`);
    return 0;
  },
};
