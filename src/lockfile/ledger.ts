/**
 * The spend ledger: every charge ever recorded, in clip entries, kept takes and pruned takes.
 * Lifetime spend per clip, per manifest and in total reads it: replacing or pruning a take
 * never un-spends it. A video copied by reuse counts once, where it was paid.
 */
import { costOrZero } from "../util/money-guard.js";
import { roundUsd } from "../money/usd.js";
import type { Lockfile } from "./schema.js";

export interface Spend {
  usd: number;
  manifest: string;
}

export interface Ledger {
  /** Lifetime spend by clip address (including addresses no longer in any manifest). */
  byClip: Map<string, Spend>;
  byManifest: Map<string, number>;
  totalUsd: number;
}

const byAddress = <T>(rec: Record<string, T>) => Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** videoUUID → who paid for it: the entry or take holding its task, else the first address holding it. */
export function payersOf(lock: Lockfile): Map<string, { address: string; manifest: string; usd: number }> {
  const out = new Map<string, { address: string; manifest: string; usd: number }>();
  const holders = [
    ...byAddress(lock.clips).map(([address, e]) => ({ address, manifest: e.manifest, tasks: e.tasks, results: e.results })),
    ...byAddress(lock.takes ?? {}).map(([, t]) => ({ address: t.address, manifest: t.manifest, tasks: t.tasks, results: t.results })),
  ];
  for (const h of holders) {
    const own = new Set(h.tasks.map((t) => t.taskUUID));
    for (const r of h.results) if (own.has(r.taskUUID) && !out.has(r.videoUUID)) out.set(r.videoUUID, { address: h.address, manifest: h.manifest, usd: costOrZero(r.costUsd) });
  }
  for (const h of holders) for (const r of h.results) if (!out.has(r.videoUUID)) out.set(r.videoUUID, { address: h.address, manifest: h.manifest, usd: costOrZero(r.costUsd) });
  return out;
}

export function ledgerOf(lock: Lockfile): Ledger {
  const byClip = new Map<string, Spend>();
  const add = (address: string, manifest: string, usd: number) => {
    const s = byClip.get(address) ?? { usd: 0, manifest };
    s.usd += usd;
    byClip.set(address, s);
  };
  for (const p of payersOf(lock).values()) add(p.address, p.manifest, p.usd);
  for (const [, p] of byAddress(lock.pruned ?? {})) add(p.address, p.manifest, p.costUsd);
  const byManifest = new Map<string, number>();
  let total = 0;
  for (const s of byClip.values()) {
    s.usd = roundUsd(s.usd);
    byManifest.set(s.manifest, roundUsd((byManifest.get(s.manifest) ?? 0) + s.usd));
    total += s.usd;
  }
  return { byClip, byManifest, totalUsd: roundUsd(total) };
}

/**
 * Money committed per manifest before a plan runs: lifetime spend plus tasks still in flight
 * (priced with `price`, per result), since money in flight counts as spent for budgets.
 */
export function committedByManifest(
  lock: Lockfile,
  price: (model: string, duration: number | undefined, request?: Record<string, unknown>) => number | undefined,
  ledger: Ledger = ledgerOf(lock),
): Map<string, { spentUsd: number; inFlightUsd: number }> {
  const out = new Map<string, { spentUsd: number; inFlightUsd: number }>();
  const at = (m: string) => {
    let c = out.get(m);
    if (!c) out.set(m, (c = { spentUsd: ledger.byManifest.get(m) ?? 0, inFlightUsd: 0 }));
    return c;
  };
  for (const m of ledger.byManifest.keys()) at(m);
  for (const e of Object.values(lock.clips)) {
    const flying = e.tasks.filter((t) => t.status === "submitted").reduce((n, t) => n + t.numberResults, 0);
    if (flying === 0) continue;
    const d = e.request.duration;
    // A keyframe image has no duration: its price comes from its size and steps.
    const usd = typeof d === "number" ? price(e.model, d) : e.request.taskType === "imageInference" ? price(e.model, undefined, e.request) : undefined;
    at(e.manifest).inFlightUsd += flying * (usd ?? 0);
  }
  for (const c of out.values()) c.inFlightUsd = roundUsd(c.inFlightUsd);
  return out;
}
