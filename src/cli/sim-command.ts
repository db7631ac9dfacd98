/** `clipform sim`: a local Runware-compatible server, for trying clipform and for tests. */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { formatDiagnostic } from "../diagnostics.js";
import { ClipformError } from "../errors.js";
import { loadProjectCatalog } from "../manifest/project-models.js";
import { findProjectRoot } from "../project/root.js";
import { DIALECT_NAMES } from "../sim/dialects.js";
import type { Command } from "./commands.js";
import { interrupted } from "./context.js";

function num(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ClipformError("USAGE", `${flag} expects a number, got "${String(value)}"`);
  return n;
}

/** The models the simulator accepts: built-in, plus `--models DIR` or the project's own folder. */
function simCatalog(cwd: string, dirArg: unknown, warn: (line: string) => void) {
  let root: string;
  let dir: string | undefined;
  if (typeof dirArg === "string") {
    root = cwd;
    dir = resolve(cwd, dirArg);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ClipformError("USAGE", `--models ${dirArg}: no such folder`);
  } else {
    root = findProjectRoot(cwd).root;
  }
  const { catalog, diagnostics } = loadProjectCatalog(root, dir);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw new ClipformError("INVALID_MANIFEST", `${errors.length} problem${errors.length === 1 ? "" : "s"} in the model definitions; the simulator did not start`, diagnostics);
  }
  for (const d of diagnostics) warn(formatDiagnostic(d));
  return catalog;
}

export const simCommand: Command = {
  usage: "[--port N] [--latency-ms N] [--fail-rate X] [--rate-limit-rate X] [--error-rate X] [--reset-rate X] [--seed N] [--api-key KEY] [--dialect NAME[,NAME…]] [--models DIR]",
  options: {
    port: { type: "string", arg: "N", help: "port to listen on (default: any free port)" },
    "latency-ms": { type: "string", arg: "N", help: "how long each generation takes" },
    "fail-rate": { type: "string", arg: "X", help: "fraction of generations that end in error (0–1)" },
    "rate-limit-rate": { type: "string", arg: "X", help: "fraction of requests answered 429 with Retry-After" },
    "error-rate": { type: "string", arg: "X", help: "fraction of requests answered 500/503" },
    "reset-rate": { type: "string", arg: "X", help: "fraction of connections dropped, before or after acting" },
    seed: { type: "string", arg: "N", help: "seed for every random decision (reproducible faults)" },
    "api-key": { type: "string", arg: "KEY", help: "accept only this key (default: any non-empty key)" },
    dialect: { type: "string", arg: "NAMES", help: `answer in these ways, comma-separated: ${DIALECT_NAMES.join(", ")}` },
    models: { type: "string", arg: "DIR", help: "a folder of model definitions to accept besides the built-in ones (default: the project's, when run inside one)" },
  },
  async run(ctx, values) {
    const { runSimCommand } = await import("../sim/index.js");
    const catalog = simCatalog(ctx.cwd, values.models, (line) => ctx.err(line));
    const opts = {
      port: num(values.port, "--port"),
      latencyMs: num(values["latency-ms"], "--latency-ms"),
      failRate: num(values["fail-rate"], "--fail-rate"),
      rateLimitRate: num(values["rate-limit-rate"], "--rate-limit-rate"),
      errorRate: num(values["error-rate"], "--error-rate"),
      resetRate: num(values["reset-rate"], "--reset-rate"),
      seed: num(values.seed, "--seed"),
      ...(typeof values["api-key"] === "string" ? { apiKey: values["api-key"] } : {}),
      ...(typeof values.dialect === "string" ? { dialects: values.dialect.split(",") } : {}),
    };
    let sim;
    try {
      sim = await runSimCommand(Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)), (line) => ctx.out(line), catalog, (line) => ctx.err(line));
    } catch (e) {
      if (e instanceof RangeError) throw new ClipformError("USAGE", e.message);
      throw e;
    }
    await interrupted(ctx.host);
    await sim.close();
    return 0;
  },
};
