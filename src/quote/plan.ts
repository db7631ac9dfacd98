/**
 * `clipform plan [--quote]`: the plan with cached quotes applied, and with `--quote`, fresh
 * quotes asked from the API first (a dry run: nothing generated, nothing charged).
 */
import { DEFAULT_BASE_URL, openApiSession } from "../apply/session.js";
import { computePlan, planProject, type Planned } from "../pipeline.js";
import type { PlanOptions } from "../plan/planfile.js";
import { ImageUploader } from "../runware/upload.js";
import { QuoteCache } from "./cache.js";
import { quoteBook, quoteChanges, type QuoteOutcome } from "./index.js";

export interface QuotedPlan extends Planned {
  /** Set when quotes were asked in this run. */
  quoting?: QuoteOutcome;
}

export function endpointOf(env: NodeJS.ProcessEnv): string {
  return env.RUNWARE_BASE_URL || DEFAULT_BASE_URL;
}

export async function planWithQuotes(root: string, env: NodeJS.ProcessEnv, opts: PlanOptions, quote: boolean): Promise<QuotedPlan> {
  const planned = computePlan(root, opts);
  const cache = QuoteCache.load(planned.project.root);
  const endpoint = endpointOf(env);
  const book = quoteBook(cache, endpoint);
  if (!quote) return { ...planned, plan: planProject(planned.project, planned.lock, opts, book) };

  const session = await openApiSession({ env, sim: false, needsKey: true });
  let quoting: QuoteOutcome;
  try {
    quoting = await quoteChanges({
      plan: planned.plan,
      clips: planned.project.clips,
      root: planned.project.root,
      endpoint,
      client: session.client,
      images: new ImageUploader(session.client),
      cache,
      now: () => new Date(),
    });
  } finally {
    await session.close();
  }
  cache.save();
  return { ...planned, plan: planProject(planned.project, planned.lock, opts, book), quoting };
}
