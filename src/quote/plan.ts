/**
 * `clipform plan [--quote]`: the plan with cached quotes applied, and with `--quote`, fresh
 * quotes asked from the API first (a dry run: nothing generated, nothing charged).
 */
import { DEFAULT_BASE_URL, openApiSession } from "../apply/session.js";
import { ClipformError } from "../errors.js";
import { computePlan, planProject, type Planned } from "../pipeline.js";
import type { PlanOptions } from "../plan/planfile.js";
import type { Workspace } from "../project/workspace.js";
import { ImageUploader } from "../runware/upload.js";
import { QuoteCache } from "./cache.js";
import { quoteBook, quoteChanges, type QuoteOutcome } from "./index.js";
import { journalRanDryRuns } from "./dry-runs.js";

export interface QuotedPlan extends Planned {
  /** Set when quotes were asked in this run. */
  quoting?: QuoteOutcome;
}

export function endpointOf(env: NodeJS.ProcessEnv, sim = false): string {
  // Every embedded simulator prices alike, whatever port it got.
  return sim ? "embedded-simulator" : env.RUNWARE_BASE_URL || DEFAULT_BASE_URL;
}

export interface QuotePlanOptions {
  /** Ask the API for the requests not quoted yet (otherwise only cached quotes are used). */
  quote: boolean;
  /** Quote against an embedded simulator (apply --sim). */
  sim?: boolean;
}

export async function planWithQuotes(at: string | Workspace, env: NodeJS.ProcessEnv, opts: PlanOptions, how: QuotePlanOptions): Promise<QuotedPlan> {
  const planned = computePlan(at, opts);
  const cache = QuoteCache.load(planned.project.root);
  const endpoint = endpointOf(env, how.sim);
  const book = quoteBook(cache, endpoint);
  if (!how.quote) return { ...planned, plan: planProject(planned.project, planned.lock, opts, book, planned.record) };

  const quoting = await quoteChanges({
    plan: planned.plan,
    clips: planned.project.clips,
    root: planned.project.root,
    endpoint,
    open: async () => {
      const session = await openApiSession({ env, sim: how.sim === true, needsKey: true });
      return { client: session.client, images: new ImageUploader(session.client), close: () => session.close() };
    },
    cache,
    now: () => new Date(),
    recordRan: (ran) => journalRanDryRuns({ lockPath: planned.lockPath, lock: planned.lock, clips: new Map(planned.project.clips.map((c) => [c.address, c])), ran }),
  });
  cache.save();
  return { ...planned, plan: planProject(planned.project, planned.lock, opts, book, planned.record), quoting };
}

/** What quoting found, for people: notes, then every rejected request as a located error. */
export function quotingProblems(quoting: QuoteOutcome | undefined, say: (line: string) => void): ClipformError | undefined {
  if (!quoting) return undefined;
  for (const note of quoting.notes) say(`note: ${note}`);
  if (quoting.ran.length > 0) {
    // Paid and in flight, as far as anyone can tell: said first, and nothing more is sent.
    for (const t of quoting.ran) say(`error: ${t.address}: the dry run was answered like a real task (task ${t.taskUUID}, ${t.numberResults} variant${t.numberResults === 1 ? "" : "s"} of ${t.model}): the server or a proxy ignored the dry-run header, so it is probably generating and charged`);
    return new ClipformError(
      "API",
      `${quoting.ran.length} dry run${quoting.ran.length === 1 ? " was" : "s were"} run for real by ${quoting.ran[0]!.endpoint}: they are recorded as paid and in flight (${quoting.ranJournal ?? quoting.dryRunLog}): the next plan shows them as resume and the next apply collects them. Nothing more was sent; quoting against this endpoint cannot be trusted.`,
    );
  }
  say(`Quoted ${quoting.asked} request${quoting.asked === 1 ? "" : "s"} with the API (dry run: nothing generated, nothing charged); ${quoting.reused} unchanged since quoted.`);
  const n = quoting.diagnostics.length;
  if (n === 0) return undefined;
  return new ClipformError("INVALID_MANIFEST", `the API would reject ${n} request${n === 1 ? "" : "s"}. Nothing was sent.`, quoting.diagnostics);
}
