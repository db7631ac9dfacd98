/** `clipform status [paths…] [--json]`: per manifest, what is generated, pending, in flight, failed, missing, and spent. */
import { relative } from "node:path";
import { checkOutputFiles } from "../lockfile/files.js";
import { computePlan } from "../pipeline.js";
import { renderStatus } from "../status/render.js";
import { buildStatus } from "../status/status.js";
import type { Command } from "./commands.js";

export const statusCommand: Command = {
  usage: "[paths…] [--json]",
  options: { json: { type: "boolean", help: "print the status as one JSON object (documented in the README)" } },
  async run(ctx, values, positionals) {
    const { project, lock, lockExists, lockPath, plan } = computePlan(ctx.cwd, { paths: positionals, targets: [], replace: [] });
    const report = buildStatus({
      project,
      lock,
      lockExists,
      lockPath: relative(ctx.cwd, lockPath) || lockPath,
      plan,
      files: checkOutputFiles(lock, project.root),
    });
    ctx.out(values.json ? JSON.stringify(report, null, 2) : renderStatus(report, ctx.color));
    return 0;
  },
};
