/**
 * Opening the spend gate for a plan: the gate's scopes are read here, from the plan's own
 * lockfile (the lifetime ledger, unknown charges at their estimates, tasks in flight), the
 * project's clipform.yaml (its `budget`, read now: a saved plan never carries an old one) and
 * each manifest's `budget.maxCost`. The caller adds only its run's own limits.
 */
import { committedByManifest, ledgerOf, priceFromBook, type ResultPrice } from "../lockfile/ledger.js";
import type { Lockfile } from "../lockfile/schema.js";
import type { ManifestInfo } from "../manifest/index.js";
import { roundUsd } from "../money/usd.js";
import type { Planned } from "../pipeline.js";
import type { BudgetCheck, Plan } from "../plan/plan.js";
import { priceBook } from "../plan/prices.js";
import { manifestBudgetScope, PROJECT_BUDGET_SCOPE } from "../plan/summarize.js";
import { workspaceAt } from "../project/workspace.js";
import { SpendGate, type GateScope } from "./gate.js";

/** A limit on this run alone (`--max-cost`, `watch --budget`, watch's per-change limit). */
export interface RunLimit {
  scope: string;
  limitUsd: number;
  /** Why a plan estimated over it is refused, for people (default: "estimated … exceeds …"). */
  refusal?: (estimateUsd: number) => string;
}

/** A lifetime budget and where it stands: spent (in flight included) against its limit. */
export interface BudgetState {
  scope: string;
  limitUsd: number;
  /** Lifetime spend plus tasks in flight, unknown charges at their estimates. */
  spentUsd: number;
  manifest?: string;
  exceeded: boolean;
}

/** The project's and each manifest's lifetime budgets, as the ledger stands: what status and the gate read. */
export function lifetimeBudgets(lock: Lockfile, manifests: readonly ManifestInfo[], projectBudget: number | undefined, price: ResultPrice): BudgetState[] {
  const committed = committedByManifest(lock, price, ledgerOf(lock, price));
  const state = (scope: string, limitUsd: number, spent: number, manifest?: string): BudgetState => ({ scope, limitUsd, spentUsd: roundUsd(spent), ...(manifest ? { manifest } : {}), exceeded: roundUsd(spent) > limitUsd + 1e-9 });
  const out: BudgetState[] = [];
  for (const m of manifests) {
    if (m.budget === undefined) continue;
    const c = committed.get(m.file);
    out.push(state(manifestBudgetScope(m.file), m.budget, (c?.spentUsd ?? 0) + (c?.inFlightUsd ?? 0), m.file));
  }
  if (projectBudget !== undefined) {
    let all = 0;
    for (const c of committed.values()) all += c.spentUsd + c.inFlightUsd;
    out.push(state(PROJECT_BUDGET_SCOPE, projectBudget, all));
  }
  return out;
}

/** clipform.yaml's `budget` of the project at `root`, read now. */
export function projectBudgetOf(root: string): number | undefined {
  return workspaceAt(root).config.budget;
}

export interface OpenedGate {
  gate: SpendGate;
  /** Every scope checked against the plan before anything is sent; the first not ok refuses it. */
  checks: (BudgetCheck & { refusal?: string })[];
}

/** The gate of a planned run: every lifetime budget of the project and its manifests, plus `run`. */
export function openGate(planned: Pick<Planned, "project" | "lock" | "plan">, run: readonly RunLimit[]): OpenedGate {
  const { project, lock, plan } = planned;
  const price = priceFromBook(priceBook(lock, project.catalog));
  const lifetime = lifetimeBudgets(lock, project.manifests, projectBudgetOf(project.root), price);
  const scopes: GateScope[] = [
    ...run.map((l) => ({ scope: l.scope, limitUsd: l.limitUsd })),
    ...lifetime.map((b) => ({ scope: b.scope, limitUsd: b.limitUsd, spentBeforeUsd: b.spentUsd, lifetime: true, ...(b.manifest ? { manifest: b.manifest } : {}) })),
  ];
  const checks = scopes.map((s, i) => {
    const c = planCheck(plan, s);
    const refusal = i < run.length ? run[i]!.refusal?.(c.estimatedUsd) : undefined;
    return { ...c, ...(refusal ? { refusal } : {}) };
  });
  return { gate: new SpendGate(scopes), checks };
}

/** A scope checked against a plan: what it had spent (lifetime budgets), plus what the plan estimates for the clips it covers. */
function planCheck(plan: Plan, s: GateScope): BudgetCheck {
  let est = 0;
  let unpriced = 0;
  for (const c of plan.changes) {
    if (s.manifest && c.manifest !== s.manifest) continue;
    if (c.generate > 0 && !c.estimate) unpriced += c.generate;
    est += c.estimate?.usd ?? 0;
  }
  const estimatedUsd = roundUsd(est);
  const spent = s.lifetime ? (s.spentBeforeUsd ?? 0) : undefined;
  return {
    scope: s.scope,
    limitUsd: s.limitUsd,
    estimatedUsd,
    ...(spent !== undefined ? { spentUsd: spent } : {}),
    ok: unpriced === 0 && (spent ?? 0) + estimatedUsd <= s.limitUsd + 1e-9,
    ...(unpriced ? { unpriced } : {}),
  };
}
