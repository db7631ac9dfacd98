/** `clipform watch`: re-plan on every save; with --apply, apply within per-change and whole-run limits. */
import { DEFAULT_CONCURRENCY } from "../apply/concurrency.js";
import { DEFAULT_POLL_INTERVAL_MS } from "../apply/pacing.js";
import { openApiSession, type ApiSession } from "../apply/session.js";
import { acquireStateLock, type StateLock } from "../lockfile/statelock.js";
import { ClipformError } from "../errors.js";
import { DEFAULT_DEBOUNCE_MS, ProjectWatcher } from "../watch/watch.js";
import { openWorkspace, prepareRecord, recordNote } from "../project/workspace.js";
import { manifestPaths } from "../pipeline.js";
import { parseUsd, type Command } from "./commands.js";
import { relative, resolve } from "node:path";
import { DEFAULT_OUT_DIR, SIM_RECORD_DIR } from "../core/layout.js";
import { positiveInt } from "./apply-command.js";
import { interrupted } from "./context.js";

function portOf(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ClipformError("USAGE", `--serve expects a port number (0 for any free port), got "${String(value)}"`);
  return n;
}

export const watchCommand: Command = {
  usage: "[paths…] [--serve PORT] [--apply --max-cost USD --budget USD] [--sim] [--concurrency N] [--poll-interval MS] [--out-dir DIR] [--debounce MS]",
  options: {
    apply: { type: "boolean", help: "apply each change automatically (needs --max-cost and --budget)" },
    "max-cost": { type: "string", arg: "USD", help: "with --apply: most one change may cost" },
    budget: { type: "string", arg: "USD", help: "with --apply: most the whole watch run may spend" },
    sim: { type: "boolean", help: `plan against the simulator's record (${SIM_RECORD_DIR}/); with --apply: use the embedded simulator` },
    concurrency: { type: "string", arg: "N", help: `with --apply: generations in flight at most (default ${DEFAULT_CONCURRENCY})` },
    "poll-interval": { type: "string", arg: "MS", help: `with --apply: first polling interval (default ${DEFAULT_POLL_INTERVAL_MS})` },
    "out-dir": { type: "string", arg: "DIR", help: `with --apply: where videos are saved (default ${DEFAULT_OUT_DIR})` },
    serve: { type: "string", arg: "PORT", help: "serve the live report on 127.0.0.1:PORT (0: any free port); it reloads as clips finish" },
    debounce: { type: "string", arg: "MS", help: `wait this long after a save before re-planning (default ${DEFAULT_DEBOUNCE_MS})` },
  },
  async run(ctx, values, positionals) {
    const debounceMs = values.debounce === undefined ? DEFAULT_DEBOUNCE_MS : positiveInt(values.debounce, "--debounce", DEFAULT_DEBOUNCE_MS);
    const ws = openWorkspace(ctx.cwd, { paths: positionals, sim: Boolean(values.sim) });
    let session: ApiSession | undefined;
    let lock: StateLock | undefined;
    let apply;
    if (values.apply) {
      const maxCost = parseUsd(values["max-cost"], "--max-cost");
      const budget = parseUsd(values.budget, "--budget");
      if (maxCost === undefined || budget === undefined) {
        throw new ClipformError("USAGE", "watch --apply spends money on every save: it needs --max-cost (per change) and --budget (for the whole run)");
      }
      lock = acquireStateLock(ws.root, "clipform watch --apply");
      prepareRecord(ws.record);
      // The simulator accepts the project's own models too, as the plan does.
      const catalog = values.sim ? (await import("../manifest/project-models.js")).loadProjectCatalog(ws.root).catalog : undefined;
      session = await openApiSession({ env: ctx.env, sim: Boolean(values.sim), needsKey: true, ...(catalog ? { catalog } : {}) });
      apply = {
        maxCostPerChange: maxCost,
        budget,
        session,
        concurrency: positiveInt(values.concurrency, "--concurrency", ws.config.concurrency ?? DEFAULT_CONCURRENCY),
        pollIntervalMs: positiveInt(values["poll-interval"], "--poll-interval", DEFAULT_POLL_INTERVAL_MS),
        outDir: typeof values["out-dir"] === "string" ? relative(ws.root, resolve(ctx.cwd, values["out-dir"])) || "." : ws.record.outDir,
      };
    }
    const watcher = new ProjectWatcher({
      root: ws.root,
      paths: ws.paths,
      manifests: manifestPaths(ws, []),
      record: ws.record,
      ...(recordNote(ws, ctx.cwd) ? { simulated: recordNote(ws, ctx.cwd)! } : {}),
      debounceMs,
      color: ctx.color,
      tty: Boolean(ctx.stdout.isTTY),
      write: (t) => void ctx.stdout.write(t),
      ...(apply ? { apply } : {}),
      ...(values.serve !== undefined ? { servePort: portOf(values.serve) } : {}),
    });
    try {
      await watcher.start();
      await interrupted(ctx.host);
    } finally {
      await watcher.close();
      await session?.close();
      lock?.release();
    }
    return 0;
  },
};
