/**
 * `clipform status`: what is generated, pending, in flight, failed, missing on disk, or deleted
 * but still in the lockfile, and the money spent, per manifest. Pure: built from the plan (so it
 * agrees with what `plan` and `apply` would do), the lockfile and the state of local files.
 *
 * Money is counted once per video: a reused copy of a generation (same videoUUID under another
 * address) shows as `copied_usd`, and is counted where it was paid (the entry holding its task).
 */
import { inFlightTasks } from "../lockfile/entries.js";
import { usedResults } from "../lockfile/live.js";
import { ledgerOf, type ResultPrice, type UnknownSpend } from "../lockfile/ledger.js";
import { money, payers } from "../lockfile/money.js";
import type { Lockfile, LockEntry } from "../lockfile/schema.js";
import type { Project } from "../manifest/index.js";
import type { Action, FileState, Plan } from "../plan/plan.js";
import { clipState, lastError, type ClipState } from "./clip-state.js";
import { roundUsd } from "../money/usd.js";
import { own } from "../util/own.js";

export const STATUS_JSON_FORMAT = "1";

export { CLIP_STATES as STATES, type ClipState } from "./clip-state.js";

export interface StatusItem {
  address: string;
  manifest: string;
  state: ClipState;
  /** What the plan would do with it. */
  action: Action;
  reason: string;
  /** False for lockfile entries no longer in any manifest. */
  in_manifest: boolean;
  /** Variants wanted by the manifest (null when no longer in one) and results recorded. */
  variants: { wanted: number | null; recorded: number };
  /** Lifetime spend of this address, per the ledger (every take, replaced or pruned ones included; a video counted once, where it was generated). */
  spent_usd: number;
  /** Results copied from another address's generation (reuse): paid there, not counted here. */
  copied_usd: number;
  /** Results whose charge is unknown (no cost sent, or one not believable): `spent_usd` counts them at their estimate. */
  cost_unknown?: CostUnknown;
  /** pending/failed: what apply would pay for it. */
  estimated_cost_usd?: number;
  /** The latest task's error, when it failed. */
  error?: { code: string; message: string };
  in_flight_tasks?: string[];
  /** The take chosen with `clipform pick` (its task UUID); absent: the latest. */
  picked_take?: string;
  missing_files?: { variant: number; file: string | null; state: "missing" | "altered" | "not downloaded" }[];
}

export interface CostUnknown {
  results: number;
  /** The part of `spent_usd` that is an estimate. */
  estimated_usd: number;
  /** Of `results`, those with no known price at all: counted as nothing, so spend is at least `spent_usd`. */
  unpriced: number;
  reasons: string[];
}

/** Spend figures of a manifest or the project: the part of `spent_usd` that is an estimate, and of how many results. */
export interface SpendEstimate {
  spent_estimated_usd: number;
  unknown_cost_results: number;
  unpriced_cost_results: number;
}

export type StateCounts = Record<"generated" | "pending" | "in_flight" | "failed" | "missing_files" | "deleted", number>;

export interface ManifestStatus extends StateCounts, SpendEstimate {
  manifest: string;
  /** False when the manifest is gone but the lockfile still has entries from it. */
  exists: boolean;
  /** Clips the manifest declares (after fan-out). */
  clips: number;
  spent_usd: number;
  estimated_pending_usd: number;
  items: StatusItem[];
}

/** A lifetime budget (clipform.yaml's, a manifest's) as the ledger stands: spent (in flight included) against its limit. */
export interface BudgetStatus {
  scope: string;
  limit_usd: number;
  spent_usd: number;
  exceeded: boolean;
}

export interface StatusReport {
  format_version: string;
  lockfile: { path: string; exists: boolean; lineage: string | null; serial: number };
  manifests: ManifestStatus[];
  /** Every lifetime budget set, and whether the spend is past it. */
  budgets: BudgetStatus[];
  totals: StateCounts & SpendEstimate & { manifests: number; clips: number; spent_usd: number; estimated_pending_usd: number };
}

export interface StatusInput {
  project: Project;
  lock: Lockfile;
  lockExists: boolean;
  /** Relative path shown for the lockfile. */
  lockPath: string;
  plan: Plan;
  files: ReadonlyMap<string, FileState>;
  /** The plan's price per result: results whose charge is unknown count at it (never $0). */
  price?: ResultPrice;
  /** The project's and the manifests' lifetime budgets (src/apply/gate-open.ts lifetimeBudgets). */
  budgets?: readonly { scope: string; limitUsd: number; spentUsd: number; exceeded: boolean }[];
}

const COUNT_KEY: Record<ClipState, keyof StateCounts> = {
  generated: "generated",
  pending: "pending",
  "in-flight": "in_flight",
  failed: "failed",
  "missing-files": "missing_files",
  deleted: "deleted",
};

const spendEstimate = (u: UnknownSpend | undefined): SpendEstimate => ({
  spent_estimated_usd: u?.estimatedUsd ?? 0,
  unknown_cost_results: u?.results ?? 0,
  unpriced_cost_results: u?.unpriced ?? 0,
});

const zero = (): StateCounts => ({ generated: 0, pending: 0, in_flight: 0, failed: 0, missing_files: 0, deleted: 0 });

export function buildStatus(input: StatusInput): StatusReport {
  const { project, lock, plan, files } = input;
  const paidBy = payers(lock);
  const ledger = ledgerOf(lock, input.price);
  const desired = new Map(project.clips.map((c) => [c.address, c]));

  const byManifest = new Map<string, ManifestStatus>();
  const manifestOf = (file: string, exists: boolean): ManifestStatus => {
    let m = byManifest.get(file);
    if (!m) {
      m = { manifest: file, exists, clips: 0, ...zero(), spent_usd: 0, ...spendEstimate(undefined), estimated_pending_usd: 0, items: [] };
      byManifest.set(file, m);
    }
    return m;
  };
  for (const m of project.manifests) manifestOf(m.file, true).clips = m.clips;

  for (const ch of plan.changes) {
    const clip = desired.get(ch.address);
    const entry = own(lock.clips, ch.address);
    const inManifest = clip !== undefined;
    const state = clipState(ch.action, inManifest);
    const { copied } = money(ch.address, entry, paidBy);
    const item: StatusItem = {
      address: ch.address,
      manifest: clip?.manifest ?? entry?.manifest ?? ch.manifest ?? "(unknown)",
      state,
      action: ch.action,
      reason: ch.reason,
      in_manifest: inManifest,
      variants: { wanted: clip ? clip.numberResults : null, recorded: entry?.results.length ?? 0 },
      spent_usd: ledger.byClip.get(ch.address)?.usd ?? 0,
      copied_usd: copied,
    };
    const spend = ledger.byClip.get(ch.address);
    if (spend && spend.results > 0) item.cost_unknown = { results: spend.results, estimated_usd: spend.estimatedUsd, unpriced: spend.unpriced, reasons: spend.reasons };
    if (ch.generate > 0 && ch.estimate) item.estimated_cost_usd = ch.estimate.usd;
    if (entry?.picked) item.picked_take = entry.picked;
    const error = lastError(entry);
    if (error) item.error = error;
    const flying = inFlightTasks(entry).map((t) => t.taskUUID);
    if (flying.length) item.in_flight_tasks = flying;
    if (ch.action === "download" && entry) {
      item.missing_files = (ch.downloads ?? []).map((i) => {
        const file = entry.results[i]?.file;
        const st = file ? (files.get(file) ?? "ok") : undefined;
        return { variant: i + 1, file: file ?? null, state: !file ? "not downloaded" : st === "altered" ? "altered" : "missing" };
      });
      // The picked take's files, kept among the takes: its variants as the clip uses them.
      const used = usedResults(lock, ch.address);
      for (const v of ch.keptDownloads ?? []) {
        const i = used.findIndex((r) => r.videoUUID === v);
        const file = used[i]?.file;
        const st = file ? (files.get(file) ?? "ok") : undefined;
        item.missing_files.push({ variant: i + 1, file: file ?? null, state: !file ? "not downloaded" : st === "altered" ? "altered" : "missing" });
      }
    }
    const m = manifestOf(item.manifest, project.manifests.some((x) => x.file === item.manifest));
    m.items.push(item);
    m[COUNT_KEY[state]]++;
    if (item.estimated_cost_usd !== undefined) m.estimated_pending_usd += item.estimated_cost_usd;
  }

  const known = new Set(project.manifests.map((m) => m.file));
  const manifests = [...byManifest.values()]
    .sort((a, b) => Number(known.has(b.manifest)) - Number(known.has(a.manifest)) || (a.manifest < b.manifest ? -1 : a.manifest > b.manifest ? 1 : 0))
    .map((m) => ({
      ...m,
      spent_usd: ledger.byManifest.get(m.manifest) ?? 0,
      ...spendEstimate(ledger.unknownByManifest.get(m.manifest)),
      estimated_pending_usd: roundUsd(m.estimated_pending_usd),
    }));
  const totals = { manifests: project.manifests.length, clips: project.clips.length, ...zero(), spent_usd: 0, ...spendEstimate(ledger.unknown), estimated_pending_usd: 0 };
  for (const m of manifests) {
    for (const k of Object.keys(zero()) as (keyof StateCounts)[]) totals[k] += m[k];
    totals.estimated_pending_usd += m.estimated_pending_usd;
  }
  totals.spent_usd = ledger.totalUsd; // lifetime: replaced, deleted and pruned takes included
  totals.estimated_pending_usd = roundUsd(totals.estimated_pending_usd);
  return {
    format_version: STATUS_JSON_FORMAT,
    lockfile: { path: input.lockPath, exists: input.lockExists, lineage: input.lockExists ? lock.lineage : null, serial: lock.serial },
    manifests,
    budgets: (input.budgets ?? []).map((b) => ({ scope: b.scope, limit_usd: b.limitUsd, spent_usd: b.spentUsd, exceeded: b.exceeded })),
    totals,
  };
}
