/**
 * The command line: argument parsing, dispatch, and the single boundary where errors become
 * messages and exit codes. User mistakes print a message (and FILE:LINE:COL diagnostics);
 * anything else is a bug and says so.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { formatDiagnostic } from "../diagnostics.js";
import { ClipformError } from "../errors.js";
import type { Command } from "./commands.js";
import { COMMANDS } from "./registry.js";
import { guardOutput, makeContext, outputFailure, version, type Context, type Io } from "./context.js";
import { own } from "../util/own.js";
import { closest } from "../util/suggest.js";

export const USAGE = `clipform — plan and apply AI video generations from YAML specs

Usage: clipform <command> [options]

Commands:
${"__COMMANDS__"}

Run \`clipform help <command>\` (or \`clipform <command> --help\`) for a command's options.
Environment: RUNWARE_API_KEY (the API key), RUNWARE_BASE_URL (endpoint override), NO_COLOR / FORCE_COLOR.
`;

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return USAGE.replace("__COMMANDS__", Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`).join("\n"));
}

function commandHelp(name: string, summary: string, c: Command): string {
  const lines = [`Usage: clipform ${name} ${c.usage}`, "", summary, ""];
  const opts = Object.entries(c.options ?? {});
  if (opts.length) {
    lines.push("Options:");
    for (const [flag, o] of opts) {
      const arg = o.type === "string" ? ` ${o.arg ?? "VALUE"}` : "";
      lines.push(`  --${flag}${arg}`.padEnd(30) + o.help);
    }
  }
  return lines.join("\n") + "\n";
}

export async function run(argv: string[], io: Io): Promise<number> {
  guardOutput(io.stdout, "stdout", io.stderr);
  guardOutput(io.stderr, "stderr", io.stdout);
  const code = await dispatch(argv, io);
  // A failed write reports itself a tick later (a file's stream too): a command whose output could
  // not be written (a full disk) never ends in success.
  await new Promise((r) => setImmediate(r));
  return code === 0 && (outputFailure(io.stdout) || outputFailure(io.stderr)) ? 1 : code;
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const ctx = makeContext(io);
  const [name, ...rest] = argv;
  if (name === "help" && rest.length > 0) return dispatch([rest[0]!, "--help"], io);
  if (!name || name === "help" || name === "--help" || name === "-h") {
    ctx.out(usage());
    return name ? 0 : 1;
  }
  if (name === "--version" || name === "version") {
    ctx.out(version());
    return 0;
  }
  const entry = own(COMMANDS, name);
  if (!entry) {
    const hint = closest(name, Object.keys(COMMANDS));
    ctx.err(`clipform: unknown command "${name}"${hint ? ` (did you mean "${hint}"?)` : ""}. Run \`clipform --help\` for the list.`);
    return 1;
  }
  const command = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    ctx.out(commandHelp(name, entry.summary, command));
    return 0;
  }
  let parsed;
  try {
    const options: ParseArgsConfig["options"] = {};
    for (const [flag, o] of Object.entries(command.options ?? {})) options[flag] = { type: o.type, ...(o.multiple ? { multiple: true } : {}) };
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    ctx.err(`clipform ${name}: ${(e as Error).message.replace(/\. To specify a positional.*$/s, "")}${flagHint(e as Error, command)}\n${commandHelp(name, entry.summary, command)}`);
    return 1;
  }
  try {
    return await command.run(ctx, parsed.values as Record<string, unknown>, parsed.positionals);
  } catch (e) {
    return reportError(ctx, e);
  }
}

/** "did you mean --auto-approve?" for a mistyped flag. */
function flagHint(e: Error, command: Command): string {
  const m = /Unknown option '--?([^']+)'/.exec(e.message);
  const hint = m ? closest(m[1]!, Object.keys(command.options ?? {})) : undefined;
  return hint ? `; did you mean --${hint}?` : "";
}

export function reportError(ctx: Context, e: unknown): number {
  const c = ctx.colorErr;
  if (e instanceof ClipformError) {
    for (const d of e.diagnostics) ctx.err(d.severity === "error" ? formatDiagnostic(d) : c.yellow(formatDiagnostic(d)));
    ctx.err(`${c.red("error:")} ${e.message}`);
    return 1;
  }
  const err = e instanceof Error ? e : undefined;
  ctx.err(`${c.red("internal error:")} ${err?.message ?? String(e)}\nThis is a bug in clipform; please report it with the trace below.\n${err?.stack ?? ""}`);
  return 70;
}
