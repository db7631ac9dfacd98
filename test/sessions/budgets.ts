/**
 * Invariant d: with any budget set, whatever the server charges, the spend past that budget is at
 * most one generation's real charge. Each step that may spend remembers the budgets in force when
 * it began and the tasks it sent; once they are all charged (a settled record), the step's spend
 * is set against each budget:
 *   lifetime spend in scope after ≤ max(spend before, budget + the step's largest single charge)
 *   run spend (--max-cost, watch --budget) ≤ limit + the step's largest single charge.
 */
import type { Facts } from "./checks.js";
import type { Figures } from "./runner.js";

export const MAIN_MANIFEST = "specs/clips.yaml";
const EPS = 1e-6;

export interface BudgetWatch {
  step: number;
  /** Tasks the simulators had accepted before the step. */
  before: Set<string>;
  /** Tasks accepted during the step. */
  tasks: string[];
  project: number | undefined;
  manifest: number | undefined;
  run: number | undefined;
  evaluated: boolean;
}

export function budgetViolations(facts: Facts, byTask: Map<string, number>, figures: Figures): string[] {
  const out: string[] = [];
  const charge = (t: string) => byTask.get(t) ?? 0;
  const inManifest = (t: string) => facts.tasks.get(t)?.manifest === MAIN_MANIFEST;
  const sum = (ts: Iterable<string>, keep: (t: string) => boolean = () => true) => [...ts].filter(keep).reduce((s, t) => s + charge(t), 0);
  for (const w of facts.budgets) {
    if (w.evaluated) continue;
    w.evaluated = true;
    const largest = Math.max(0, ...w.tasks.map(charge));
    const scopes: [string, number | undefined, (t: string) => boolean, boolean][] = [
      ["the project budget (clipform.yaml)", w.project, () => true, true],
      [`the budget of ${MAIN_MANIFEST}`, w.manifest, inManifest, true],
      ["the run's limit (--max-cost / watch)", w.run, () => true, false],
    ];
    for (const [name, limit, keep, lifetime] of scopes) {
      if (limit === undefined) continue;
      figures.budgetsChecked++;
      const before = lifetime ? sum(w.before, keep) : 0;
      const after = before + sum(w.tasks, keep);
      if (after > Math.max(before, limit + largest) + EPS) {
        out.push(`step ${w.step + 1}: ${name} of $${limit}: spend went from $${r(before)} to $${r(after)}, past the budget by $${r(after - limit)}, more than one generation's real charge ($${r(largest)})`);
      }
    }
  }
  return out;
}

const r = (x: number) => Math.round(x * 10000) / 10000;
