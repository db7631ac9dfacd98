/**
 * A plan's totals: actions counted, the estimate and what was already spent, cost by model, and
 * every budget checked against lifetime spend (spent + in flight + this plan).
 */
import { addUnknown, committedByManifest, type Ledger } from "../lockfile/ledger.js";
import type { UnknownCosts } from "../money/unknown-cost.js";
import { ACTIONS, type Action } from "./actions.js";
import type { BudgetCheck, Change, Plan, PlanInput } from "./plan.js";
import { roundUsd, type PriceSource } from "./prices.js";

export function summarize(changes: Change[], input: PlanInput, ledger: Ledger): Omit<Plan, "sequences"> {
  const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
  let total = 0;
  let generations = 0;
  let spentUnchanged = 0;
  const unknown: UnknownCosts = { results: 0, estimatedUsd: 0, unpriced: 0 };
  const byModel = new Map<string, { model: string; generations: number; usd: number; sources: Set<PriceSource> }>();
  for (const c of changes) {
    counts[c.action]++;
    if (c.action === "no-op" || c.action === "download") {
      spentUnchanged += c.spentUsd;
      if (c.spentUnknown) addUnknown(unknown, c.spentUnknown);
    }
    if (c.generate === 0 || !c.estimate) continue;
    total += c.estimate.usd;
    generations += c.generate;
    const m = byModel.get(c.model!) ?? { model: c.model!, generations: 0, usd: 0, sources: new Set<PriceSource>() };
    m.generations += c.generate;
    m.usd += c.estimate.usd;
    m.sources.add(c.estimate.source);
    byModel.set(c.model!, m);
  }
  const estimated = roundUsd(total);
  const budgets: BudgetCheck[] = [];
  const unpricedIn = (list: Change[]) => list.reduce((n, c) => n + (c.generate > 0 && !c.estimate ? c.generate : 0), 0);
  const check = (scope: string, limitUsd: number, estimatedUsd: number, unpriced: number, spentUsd?: number): BudgetCheck => ({
    scope,
    limitUsd,
    estimatedUsd,
    ...(spentUsd !== undefined ? { spentUsd } : {}),
    ok: unpriced === 0 && (spentUsd ?? 0) + estimatedUsd <= limitUsd + 1e-9,
    ...(unpriced ? { unpriced } : {}),
  });
  if (input.maxCost !== undefined) budgets.push(check("--max-cost", input.maxCost, estimated, unpricedIn(changes)));
  // A manifest's budget bounds its lifetime spend: spent + in flight + this plan.
  const committed = committedByManifest(input.lock, (model, d, request) => input.prices(model, d, request)?.usd, ledger);
  for (const m of input.manifests ?? []) {
    if (m.budget === undefined) continue;
    const mine = changes.filter((c) => c.manifest === m.file);
    const est = roundUsd(mine.reduce((s, c) => s + (c.estimate?.usd ?? 0), 0));
    const before = committed.get(m.file) ?? { spentUsd: 0, inFlightUsd: 0 };
    budgets.push(check(manifestBudgetScope(m.file), m.budget, est, unpricedIn(mine), roundUsd(before.spentUsd + before.inFlightUsd)));
  }
  // The project's budget bounds the lifetime spend of the whole lockfile: spent + in flight + this plan.
  if (input.projectBudget !== undefined) {
    let before = 0;
    for (const c of committed.values()) before += c.spentUsd + c.inFlightUsd;
    budgets.push(check(PROJECT_BUDGET_SCOPE, input.projectBudget, estimated, unpricedIn(changes), roundUsd(before)));
  }
  return {
    changes,
    summary: {
      ...counts,
      estimated_cost_usd: estimated,
      spent_unchanged_usd: roundUsd(spentUnchanged),
      generations,
      ...(unknown.results > 0 ? { spent_unchanged_estimated_usd: unknown.estimatedUsd, unknown_cost_results: unknown.results, unpriced_cost_results: unknown.unpriced } : {}),
    },
    byModel: [...byModel.values()]
      .sort((a, b) => a.model.localeCompare(b.model))
      .map((m) => ({ model: m.model, generations: m.generations, usd: roundUsd(m.usd), sources: [...m.sources].sort() })),
    budgets,
    lockfile: { lineage: input.lock.lineage, serial: input.lock.serial },
  };
}

/** The name of the project's lifetime budget (clipform.yaml `budget`) in plans, events and messages. */
export const PROJECT_BUDGET_SCOPE = "clipform.yaml budget";

/** The name of a manifest's lifetime budget in plans, events and messages. */
export const manifestBudgetScope = (file: string) => `${file} budget`;

