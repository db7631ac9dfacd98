/**
 * Saved plans (`plan --out FILE`): versioned, and tied to the exact manifests, images and
 * lockfile they were computed from, so `apply FILE` refuses, sending nothing, once any of
 * them changed.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { ClipformError } from "../errors.js";
import type { Plan } from "./plan.js";
import { planToJson } from "./render.js";
import { READ_CAPS, readProjectText } from "../util/safe-fs.js";

export const PLANFILE_KIND = "clipform-plan";
export const PLANFILE_FORMAT = 1;

export interface PlanOptions {
  paths: string[];
  targets: string[];
  replace: string[];
  maxCost?: number;
  /**
   * The project-wide lifetime budget (`budget` in clipform.yaml), in USD. Parsed and carried
   * here for the planner's lifetime-budget check.
   */
  projectBudget?: number;
}

export interface SavedPlan {
  kind: typeof PLANFILE_KIND;
  format_version: typeof PLANFILE_FORMAT;
  clipform_version: string;
  project_digest: string;
  lockfile: { exists: boolean; lineage: string; serial: number };
  options: PlanOptions;
  /** Saved from the simulator's record (`plan --sim`): it applies only with `apply --sim`. Absent for the real record. */
  simulated?: true;
  plan: {
    changes: { address: string; action: string; generate: number }[];
    summary: { estimated_cost_usd: number };
    /** Absent in plans saved before sequences existed. */
    sequences?: { name: string; action: string }[];
  };
}

/** Loaded only to read a saved plan: plan and validate never load zod. */
async function savedPlanSchema() {
  const { z } = await import("zod");
  return z.object({
    kind: z.literal(PLANFILE_KIND),
    format_version: z.literal(PLANFILE_FORMAT),
    clipform_version: z.string(),
    project_digest: z.string(),
    lockfile: z.object({ exists: z.boolean(), lineage: z.string(), serial: z.number() }),
    simulated: z.literal(true).optional(),
    options: z.object({ paths: z.array(z.string()), targets: z.array(z.string()), replace: z.array(z.string()), maxCost: z.number().optional(), projectBudget: z.number().optional() }),
    plan: z
      .object({
        changes: z.array(z.object({ address: z.string(), action: z.string(), generate: z.number() }).passthrough()),
        summary: z.object({ estimated_cost_usd: z.number() }).passthrough(),
        sequences: z.array(z.object({ name: z.string(), action: z.string() }).passthrough()).optional(),
      })
      .passthrough(),
  });
}

export function savePlan(args: {
  plan: Plan;
  digest: string;
  lockExists: boolean;
  options: PlanOptions;
  version: string;
  simulated?: boolean;
}): string {
  const doc = {
    kind: PLANFILE_KIND,
    format_version: PLANFILE_FORMAT,
    clipform_version: args.version,
    project_digest: args.digest,
    lockfile: { exists: args.lockExists, lineage: args.plan.lockfile.lineage, serial: args.plan.lockfile.serial },
    ...(args.simulated ? { simulated: true } : {}),
    options: args.options,
    plan: planToJson(args.plan),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

/**
 * Whether `path` is a saved plan, by its content (whatever its name: `plan.bin` too): a JSON
 * object whose first key is `"kind": "clipform-plan"`, as savePlan() writes it. A manifest (YAML)
 * or a folder never is.
 */
export function isPlanFile(path: string): boolean {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, "r");
    const buf = Buffer.alloc(PLANFILE_SNIFF_BYTES);
    const head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString("utf8");
    return new RegExp(`^\\uFEFF?\\s*\\{\\s*"kind"\\s*:\\s*"${PLANFILE_KIND}"`).test(head);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const PLANFILE_SNIFF_BYTES = 256;

export async function readPlanFile(path: string): Promise<SavedPlan> {
  let data: unknown;
  try {
    // A plan file is named by the user: read as any project file (regular, size-capped), never waited on.
    data = JSON.parse(readProjectText(path, { maxBytes: READ_CAPS.lockfile, shown: path }) ?? "");
  } catch (e) {
    throw new ClipformError("BAD_PLANFILE", `${path}: cannot read the saved plan: ${(e as Error).message}`);
  }
  const parsed = (await savedPlanSchema()).safeParse(data);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ClipformError("BAD_PLANFILE", `${path} is not a clipform saved plan (format ${PLANFILE_FORMAT}): at ${i.path.join(".") || "(top level)"}: ${i.message}`);
  }
  return parsed.data as SavedPlan;
}

/** How to apply a plan saved at `file` (as the user typed it): with `--sim` when it was made from the simulator's record. */
export const applyCommandFor = (file: string, simulated: boolean): string => `clipform apply${simulated ? " --sim" : ""} ${file}`;

/** A plan saved from one record never applies to the other: the simulator's plans with `--sim` only, the real ones without. */
export function checkPlanRecord(saved: SavedPlan, file: string, sim: boolean): void {
  if (Boolean(saved.simulated) === sim) return;
  throw new ClipformError(
    "STALE_PLAN",
    saved.simulated
      ? `${file} was saved from the simulator's record (plan --sim): it applies only to it, with \`${applyCommandFor(file, true)}\`. Nothing was sent.`
      : `${file} was saved from the real record: \`${applyCommandFor(file, false)}\` applies it (without --sim). Nothing was sent.`,
  );
}

/**
 * Refuses a saved plan when the manifests, images or lockfile changed since it was made, or
 * when the plan recomputed now would do anything other than what the saved one showed.
 */
export function checkSavedPlan(saved: SavedPlan, now: { digest: string; lockExists: boolean; plan: Plan }): void {
  const reasons: string[] = [];
  if (saved.project_digest !== now.digest) reasons.push("the manifests or their images changed");
  const l = saved.lockfile;
  if (l.exists !== now.lockExists || (l.exists && (l.lineage !== now.plan.lockfile.lineage || l.serial !== now.plan.lockfile.serial))) {
    reasons.push(`the lockfile changed (saved plan: ${l.exists ? `serial ${l.serial}` : "no lockfile"}; now: ${now.lockExists ? `serial ${now.plan.lockfile.serial}` : "no lockfile"})`);
  }
  if (reasons.length === 0) {
    const key = (c: { address: string; action: string; generate: number }) => `${c.address}\0${c.action}\0${c.generate}`;
    const a = saved.plan.changes.map(key).join("\n");
    const b = now.plan.changes.map(key).join("\n");
    if (a !== b) reasons.push("recomputing it now gives different changes");
    // Films are free to cut, but a saved plan still does what it showed, no more.
    const films = (list: readonly { name: string; action: string }[]) => list.map((s) => `${s.name}\0${s.action}`).join("\n");
    if (a === b && films(saved.plan.sequences ?? []) !== films(now.plan.sequences)) reasons.push("recomputing it now gives different sequences to cut");
  }
  if (reasons.length > 0) {
    throw new ClipformError("STALE_PLAN", `the saved plan is stale: ${reasons.join("; ")}. Nothing was sent. Run \`clipform plan --out FILE\` again.`);
  }
}
