/**
 * Quotes, not just estimates: each request a plan would pay for is sent to the API as a dry run
 * (validated and priced, nothing generated, nothing charged). The plan then shows the API's own
 * price (source `quoted`), and a request the API rejects is reported at the manifest line that
 * set the offending field. Quotes are cached by request, so later plans reuse them.
 */
import type { Diagnostic } from "../diagnostics.js";
import { ClipformError } from "../errors.js";
import type { DesiredClip } from "../manifest/index.js";
import type { Action, Plan, QuoteBook } from "../plan/plan.js";
import { buildTask, type ImageResolver, type VideoTask } from "../apply/request.js";
import { describeAnomaly } from "../runware/cost.js";
import type { QuoteResult } from "../runware/dry-run.js";
import { isRequestLevel } from "../runware/reply.js";
import { QuoteCache, quoteKey } from "./cache.js";
import { ManifestLocator } from "./locate.js";
import { DryRunLog, dryRunDir, pendingDryRuns, type DryRunTask } from "./dry-runs.js";
import { randomUUID } from "node:crypto";

export { QuoteCache, quoteKey } from "./cache.js";

/** Actions that pay for new videos: the ones worth a quote. */
const PAYING: ReadonlySet<Action> = new Set(["create", "replace", "add-variants", "retry"]);

export interface QuoteClient {
  quote(tasks: VideoTask[]): Promise<QuoteResult[]>;
}

export interface QuoteOutcome {
  /** Requests priced by the API in this run. */
  asked: number;
  /** Requests whose quote came from the cache (unchanged since they were quoted). */
  reused: number;
  /** Requests the API would reject, located in the manifests. */
  diagnostics: Diagnostic[];
  /** Quotes that came back without a usable cost: the estimate stays. */
  notes: string[];
  /** Dry runs answered like real tasks: probably generated and charged (kept in `dryRunLog`). */
  ran: DryRunTask[];
  dryRunLog?: string;
  /** The journal that records them as in flight: the next apply collects them. */
  ranJournal?: string;
}

/** The plan's view of the cache: the quoted price of a request, if this endpoint quoted it. */
export function quoteBook(cache: QuoteCache, endpoint: string): QuoteBook {
  return (clip, generate) => {
    const hit = cache.get(quoteKey(endpoint, clip.fingerprint, generate));
    return hit ? { usd: hit.usd, note: `quoted by the API on ${hit.quotedAt.slice(0, 10)}` } : undefined;
  };
}

/** An API connection for quoting, opened only when some request needs a fresh quote. */
export interface QuoteSession {
  client: QuoteClient;
  /** Local images in a request are uploaded (free) so the dry run sees the real request. */
  images: ImageResolver;
  close(): Promise<void>;
}

export interface QuoteInput {
  plan: Plan;
  clips: readonly DesiredClip[];
  root: string;
  endpoint: string;
  open: () => Promise<QuoteSession>;
  cache: QuoteCache;
  now: () => Date;
  /** Records dry runs answered like real tasks as in flight (journalRanDryRuns); returns where. */
  recordRan?: (ran: readonly DryRunTask[]) => string | undefined;
}

/** Asks the API's price for every paying change not quoted yet; records the quotes in `cache`. */
export async function quoteChanges(input: QuoteInput): Promise<QuoteOutcome> {
  const byAddress = new Map(input.clips.map((c) => [c.address, c]));
  const outcome: QuoteOutcome = { asked: 0, reused: 0, diagnostics: [], notes: [], ran: [] };
  const ask: { clip: DesiredClip; generate: number }[] = [];
  for (const change of input.plan.changes) {
    const clip = byAddress.get(change.address);
    if (!clip || !PAYING.has(change.action) || change.generate === 0) continue;
    // A frame taken from another clip is a picture only apply makes (src/apply/chain.ts): there is
    // no request to show the API yet, so the estimate stays.
    if (clip.links) {
      outcome.notes.push(`${clip.address}: not quoted, it is made from another clip's frame; the estimate stays`);
      continue;
    }
    if (input.cache.get(quoteKey(input.endpoint, clip.fingerprint, change.generate))) outcome.reused++;
    else ask.push({ clip, generate: change.generate });
  }
  if (ask.length === 0) return outcome;
  // An endpoint that ran a dry run for real would do it again: nothing is sent to it to quote.
  const ran = pendingDryRuns(input.root).filter((t) => t.ran && t.endpoint === input.endpoint);
  if (ran.length > 0) {
    throw new ClipformError("API", `${input.endpoint} ran ${ran.length} earlier dry run${ran.length === 1 ? "" : "s"} for real (recorded in ${dryRunDir(input.root)}, task ${ran[0]!.taskUUID} first): quoting there is refused, nothing was sent. Check those tasks with your provider, then delete the files to quote again.`);
  }
  const session = await input.open();
  let results: QuoteResult[];
  const log = new DryRunLog(input.root);
  try {
    const tasks: VideoTask[] = [];
    for (const { clip, generate } of ask) tasks.push(await buildTask(clip, randomUUID(), generate, session.images));
    // Written ahead like any generation: a dry run the server runs for real is never lost.
    const sentAt = input.now().toISOString();
    log.writeAhead(tasks.map((t, i) => ({ taskUUID: t.taskUUID, address: ask[i]!.clip.address, fingerprint: ask[i]!.clip.fingerprint, numberResults: ask[i]!.generate, model: String(t.model), endpoint: input.endpoint, sentAt })));
    results = await session.client.quote(tasks);
  } finally {
    await session.close();
  }
  outcome.ran = log.settle(new Set(results.filter((r) => r.status === "ran").map((r) => r.taskUUID)));
  if (outcome.ran.length > 0) {
    outcome.dryRunLog = log.path;
    outcome.ranJournal = input.recordRan?.(outcome.ran);
  }
  outcome.asked = ask.length;
  const locator = new ManifestLocator(input.root);
  results.forEach((result, i) => {
    const { clip, generate } = ask[i]!;
    switch (result.status) {
      case "quoted":
        input.cache.set(quoteKey(input.endpoint, clip.fingerprint, generate), result.costUsd, input.now());
        break;
      case "ran":
        break;
      case "noCost":
        outcome.notes.push(`${clip.address}: the API accepted the request but its reply carried no cost; the estimate stays`);
        break;
      case "anomaly":
        outcome.notes.push(`${clip.address}: ${describeAnomaly(result.anomaly)}; the estimate stays`);
        break;
      case "rejected": {
        const { error } = result;
        // A refusal of the request itself (key, credit, rate) is not a mistake in the manifest.
        if (isRequestLevel(error)) throw new ClipformError("API", `quoting was refused: ${error.apiCode ?? error.kind}: ${error.apiMessage ?? error.message}. Nothing was generated or charged.`);
        const message = `the API would reject this request: ${error.apiCode ? `${error.apiCode}: ` : ""}${error.apiMessage ?? error.message}`;
        outcome.diagnostics.push(locator.diagnostic(clip, error.parameter, message, error.apiCode));
        break;
      }
    }
  });
  return outcome;
}
