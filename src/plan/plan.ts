/**
 * The planner: a pure function from desired clips × lockfile to a list of changes with their
 * cost. No I/O, no clock, no randomness: the state of local files and the price book are
 * passed in, so every action is reachable from plain data in tests.
 */
import type { DesiredClip, ManifestInfo } from "../manifest/index.js";
import type { LockEntry, Lockfile, LockResult, LockTake, LockTask } from "../lockfile/schema.js";
import { lostPick, usedResults } from "../lockfile/live.js";
import { inFlightTasks } from "../lockfile/entries.js";
import { ledgerOf } from "../lockfile/ledger.js";
import type { UnknownCosts } from "../money/unknown-cost.js";
import { restoredPick, reusableTake, takeAsEntry, takeNumber, takeRef } from "../lockfile/takes.js";
import { matchesAny } from "../util/glob.js";
import { formatVariantRef, parseVariantRef } from "../core/address.js";
import { endedInFailure, type FileState } from "../core/states.js";
import { ClipformError } from "../errors.js";
import { roundUsd, type PriceBook, type PriceSource } from "./prices.js";
import { summarize } from "./summarize.js";
export { manifestBudgetScope, PROJECT_BUDGET_SCOPE } from "./summarize.js";
import { planSequences, withUpstream, type SequenceChange, type SequencePlanInput } from "./sequences.js";
import { dependencyOrder } from "../manifest/links.js";
import { recordedFrames, resolveLinks } from "./links.js";
import { changedFields, type FieldChange } from "./fields.js";
export { changedFields, type FieldChange } from "./fields.js";

import type { Action } from "./actions.js";
import { own } from "../util/own.js";
export { ACTIONS, type Action } from "./actions.js";

export interface Estimate {
  usd: number;
  perResultUsd: number;
  source: PriceSource;
  note: string;
}

export interface Change {
  /** "image": a keyframe of `images:`; absent for a clip (a video). */
  kind?: "image";
  address: string;
  action: Action;
  reason: string;
  manifest?: string;
  model?: string;
  /** Duration, size and variants, for people: "5s 1280x720 ×2". */
  detail?: string;
  /** New results this change pays for. */
  generate: number;
  estimate: Estimate | null;
  /** replace: the fields that force regeneration, old → new. */
  fields?: FieldChange[];
  /** reuse: the address whose generation is copied. */
  reuseFrom?: string;
  /** resume: recorded task UUIDs to poll (never resubmitted); on a replace or reuse, tasks of the clip's earlier request to collect first (kept as a take). */
  resumeTasks?: string[];
  /** replace of one variant (`--replace ADDR#N`): that variant, 1-based, is generated again alone. */
  variant?: number;
  /** download: variant indexes to fetch again; add-variants, retry, a variant reroll and a reuse (of the copy) also fetch these existing files. */
  downloads?: number[];
  /** download: videos of the picked take, kept among the takes, to fetch again (by video UUID). */
  keptDownloads?: string[];
  /** Lifetime spend of this clip address, per the ledger (every take ever recorded, pruned ones included). */
  spentUsd: number;
  /** Results of this address whose charge is unknown: `spentUsd` counts them at their estimates. */
  spentUnknown?: UnknownCosts;
  /** Clips whose new frames this one is made from: apply sends it once they exist. */
  waitsFor?: string[];
  /** `--replace` named the whole clip: a new take is paid for, even where a kept one has the same request. */
  forced?: true;
}

export type { FileState };

export interface PlanInput {
  clips: readonly DesiredClip[];
  lock: Lockfile;
  prices: PriceBook;
  manifests?: readonly ManifestInfo[];
  /** State of each recorded local file, keyed by its path as recorded. Unlisted files count as ok. */
  files?: ReadonlyMap<string, FileState>;
  targets?: readonly string[];
  replace?: readonly string[];
  maxCost?: number;
  /** clipform.yaml `budget`: what the whole project may ever spend (every manifest, the whole ledger). */
  projectBudget?: number;
  /**
   * When only some manifests were loaded (`plan specs/a.yaml`), the lockfile entries of the
   * others are out of scope: never deleted or touched, as if the other manifests were there.
   */
  inManifestScope?: (manifest: string) => boolean;
  /** The API's own price for generating `generate` videos of this clip's request, when quoted. */
  quotes?: QuoteBook;
  /** The project's sequences and what was last cut for them (local and free: never priced). */
  sequences?: SequencePlanInput;
  /** Clips of manifests outside this plan: never planned, but a sequence's members may be among them. */
  context?: readonly DesiredClip[];
}

/** Quoted prices (src/quote): `usd` is the whole request's, for all `generate` videos. */
export type QuoteBook = (clip: DesiredClip, generate: number) => { usd: number; note: string } | undefined;

export interface BudgetCheck {
  scope: string;
  limitUsd: number;
  estimatedUsd: number;
  /** Lifetime budgets: already spent plus in flight before this plan. */
  spentUsd?: number;
  ok: boolean;
  /** Results to generate with no known price: never counted as $0, so the check cannot pass. */
  unpriced?: number;
}

export interface Plan {
  changes: Change[];
  summary: Record<Action, number> & {
    estimated_cost_usd: number;
    spent_unchanged_usd: number;
    generations: number;
    /** When part of `spent_unchanged_usd` is estimated (results whose charge is unknown): that part, and of how many results. */
    spent_unchanged_estimated_usd?: number;
    unknown_cost_results?: number;
    unpriced_cost_results?: number;
  };
  byModel: { model: string; generations: number; usd: number; sources: PriceSource[] }[];
  budgets: BudgetCheck[];
  lockfile: { lineage: string; serial: number };
  /** Films cut from the clips' picked takes: local and free, never in the cost or budgets. */
  sequences: SequenceChange[];
}

export function plan(input: PlanInput): Plan {
  const { clips, lock, prices } = input;
  const targets = input.targets?.length ? input.targets : undefined;
  const inScope = (address: string) => !targets || matchesAny(address, targets);
  // `--replace ADDR` regenerates the clip; `--replace ADDR#N` rerolls variant N alone.
  const refs = (input.replace ?? []).map(parseVariantRef);
  const rerolls = refs.flatMap((r) => (r.variant === undefined ? [] : [{ glob: r.address, variant: r.variant }]));
  const whole = refs.flatMap((r) => (r.variant === undefined ? [r.address] : []));
  const forced = (address: string) => (whole.length ? matchesAny(address, whole) : false);
  const rerolled = (address: string) => rerolls.find((r) => matchesAny(address, [r.glob]))?.variant;
  const files = input.files ?? new Map<string, FileState>();

  // Finished generations by fingerprint, to reuse instead of paying again (renames and copies),
  // and generations still in flight (a crash, then a rename), to copy once they finish.
  const byFingerprint = new Map<string, string>();
  const inFlightBy = new Map<string, { address: string; results: number }>();
  for (const [address, entry] of Object.entries(lock.clips).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (entry.results.length > 0 && !byFingerprint.has(entry.fingerprint)) byFingerprint.set(entry.fingerprint, address);
    const flying = inFlightTasks(entry).reduce((n, t) => n + t.numberResults, 0);
    if (entry.results.length === 0 && flying > 0 && !inFlightBy.has(entry.fingerprint)) inFlightBy.set(entry.fingerprint, { address, results: flying });
  }
  const desired = new Set(clips.map((c) => c.address));
  const plannedFingerprints = new Map<string, { address: string; results: number }>();
  const reusedFrom = new Map<string, string>();
  const changes: Change[] = [];
  // Lifetime spend: every charge recorded, replaced and pruned takes included; an unknown charge at its estimate.
  const ledger = ledgerOf(lock, (model, d, request) => prices(model, d, request)?.usd);
  const spentOf = (address: string): Pick<Change, "spentUsd" | "spentUnknown"> => {
    const s = ledger.byClip.get(address);
    return { spentUsd: s?.usd ?? 0, ...(s && s.results > 0 ? { spentUnknown: { results: s.results, estimatedUsd: s.estimatedUsd, unpriced: s.unpriced } } : {}) };
  };
  const inFlightElsewhere = (address: string, fingerprint: string) => {
    const f = inFlightBy.get(fingerprint);
    return f && f.address !== address ? f : undefined;
  };

  const estimate = (clip: DesiredClip, generate: number): Estimate | null => {
    if (generate === 0) return { usd: 0, perResultUsd: 0, source: "documented", note: "nothing to generate" };
    const quoted = input.quotes?.(clip, generate);
    if (quoted) return { usd: roundUsd(quoted.usd), perResultUsd: roundUsd(quoted.usd / generate), source: "quoted", note: quoted.note };
    const q = prices(clip.generation.model, clip.generation.duration, clip.generation);
    if (!q) return null;
    return { usd: roundUsd(q.usd * generate), perResultUsd: q.usd, source: q.source, note: q.note };
  };

  // Recorded videos to fetch again: no file, or one missing or altered on disk (a pull brings records, not files).
  const fetch = (r: LockResult) => !r.file || (files.get(r.file) ?? "ok") !== "ok";
  const toFetch = (results: readonly LockResult[], skip?: number): number[] => results.flatMap((r, i) => (i !== skip && fetch(r) ? [i] : []));
  /** A change that generates (or copies) and also fetches the clip's existing files again says so, and carries them. */
  const alsoFetch = (indexes: readonly number[]): Partial<Change> => (indexes.length ? { downloads: [...indexes] } : {});
  const fetchNote = (results: readonly LockResult[], indexes: readonly number[]) =>
    indexes.length ? `; and download ${indexes.map((i) => results[i]!.file ?? `variant ${i + 1}`).join(", ")} (missing on this machine)` : "";

  /** A replace keeps what the clip uses now as a take: its files missing here are fetched first (free; a URL does not live forever). */
  const beforeReplace = (address: string, entry: LockEntry | undefined): [Partial<Change>, string] => {
    if (!entry) return [{}, ""];
    const idx = toFetch(entry.results);
    const its = new Set(entry.results.map((r) => r.videoUUID));
    const kept = entry.picked ? usedResults(lock, address).filter((r) => !its.has(r.videoUUID) && fetch(r)) : [];
    const names = [...idx.map((i) => entry.results[i]!.file ?? `variant ${i + 1}`), ...kept.map((r) => r.file ?? `picked take's video ${r.videoUUID.slice(0, 8)}`)];
    const note = names.length ? `; first download ${names.join(", ")} (missing on this machine), kept as a take` : "";
    return [{ ...alsoFetch(idx), ...(kept.length ? { keptDownloads: kept.map((r) => r.videoUUID) } : {}) }, note];
  };

  // Dependency order: a clip that takes another's frame is planned after it, knowing its change.
  const changeOf = new Map<string, Change>();
  const frames = clips.some((c) => c.links) ? recordedFrames(lock) : new Map<string, string>();
  for (const wanted of dependencyOrder(clips)) {
    if (!inScope(wanted.address)) continue;
    const linked = wanted.links ? resolveLinks(wanted, lock, changeOf, frames) : undefined;
    const clip = linked?.state === "ready" ? linked.clip : wanted;
    const entry = own(lock.clips, clip.address);
    const n = clip.numberResults;
    const g = clip.generation;
    const detail = clip.kind === "image" ? `image ${g.width}x${g.height} ×${n}` : `${g.duration}s${g.width ? ` ${g.width}x${g.height}` : ""} ×${n}`;
    const base = { ...(clip.kind === "image" ? { kind: "image" as const } : {}), address: clip.address, manifest: clip.manifest, model: g.model, detail, ...spentOf(clip.address) };
    // Tasks of the clip's earlier request still in flight (a kill, then an edit): collected first.
    let collect: string[] = [];
    const push = (action: Action, reason: string, generate: number, extra: Partial<Change> = {}) => {
      const collecting = collect.length ? { resumeTasks: collect } : {};
      const why = collect.length ? `${reason}; first collect ${collect.length === 1 ? "the task" : `the ${collect.length} tasks`} of the earlier request still in flight (polled, never paid twice; kept as a take)` : reason;
      const ch: Change = { ...base, action, reason: why, generate, estimate: estimate(clip, generate), ...extra, ...collecting };
      changes.push(ch);
      changeOf.set(ch.address, ch);
    };

    const inflight = inFlightTasks(entry);
    if (entry && inflight.length > 0 && entry.fingerprint === clip.fingerprint) {
      // A task recorded but never acknowledged (the crash came before the request left) is sent
      // once more, with its UUID, if the API does not know it: that may cost, so it is shown.
      const unacknowledged = inflight.filter((t) => !t.acceptedAt).reduce((n, t) => n + t.numberResults, 0);
      const maybe = unacknowledged
        ? `; ${unacknowledged === 1 ? "one result was" : `${unacknowledged} results were`} never acknowledged by the API: if it does not know the task, it is sent once more with the same UUID (at most the cost shown)`
        : "";
      push("resume", `submitted earlier and not finished: poll ${inflight.length === 1 ? "its task" : `its ${inflight.length} tasks`}, never pay for it twice${maybe}`, unacknowledged, {
        resumeTasks: inflight.map((t) => t.taskUUID),
      });
      continue;
    }
    // The clip changed since: its change is planned as usual, and collects those tasks first.
    collect = inflight.map((t) => t.taskUUID);

    if (linked?.state === "waiting") {
      // Its frame is not known until the clips it comes from exist: it is made after them.
      const [fetchFirst, note] = beforeReplace(clip.address, entry);
      push(entry ? "replace" : "create", `${linked.reason}${forced(clip.address) ? " (and forced with --replace)" : ""}${note}`, n, { waitsFor: linked.upstream, ...fetchFirst, ...(forced(clip.address) ? { forced: true as const } : {}) });
      continue;
    }

    const sameGeneration = entry && entry.fingerprint === clip.fingerprint && !forced(clip.address);
    if (!sameGeneration) {
      // A finished generation with the same fingerprint elsewhere, or one this plan creates first.
      const fromClip = byFingerprint.get(clip.fingerprint);
      const clipSource = fromClip !== undefined && fromClip !== clip.address ? own(lock.clips, fromClip) : undefined;
      // A take no clip uses now (a revert, an earlier name): paid before, so copied at $0.
      const take = clipSource ? undefined : reusableTake(lock, clip.fingerprint);
      const source = clipSource ? fromClip : take ? takeRef(clip.fingerprint) : undefined;
      const sourceEntry = clipSource ?? (take ? takeAsEntry(clip.fingerprint, take, clip.address) : undefined);
      // A generation this plan creates, or one still in flight, is copied once it exists; the variants it lacks are generated after the copy.
      const planned = plannedFingerprints.get(clip.fingerprint) ?? inFlightElsewhere(clip.address, clip.fingerprint);
      if (!forced(clip.address) && (sourceEntry || planned)) {
        const available = sourceEntry ? sourceEntry.results.length : planned!.results;
        const from = sourceEntry ? source! : planned!.address;
        const extra = Math.max(0, n - available);
        const why = take
          ? `paid before (a take of ${take.address} that no clip uses now): reuse it at $0${pickNote(take, clip.address)}`
          : sourceEntry
          ? desired.has(from)
            ? `identical to ${from}: copy its generation`
            : `identical to ${from}, which is no longer in any manifest (a rename): move its generation`
          : plannedFingerprints.has(clip.fingerprint)
            ? `identical to ${from}, created in this plan: copy it once generated`
            : `identical to ${from}, still generating (submitted earlier): copy it once it finishes`;
        // The copy's videos whose source file is not on this machine are downloaded to the clip's paths.
        const copied = sourceEntry ? sourceEntry.results.slice(0, n) : [];
        const missing = toFetch(copied);
        push("reuse", `${extra > 0 ? `${why}, and generate ${extra} more variant${extra === 1 ? "" : "s"}` : why}${fetchNote(copied, missing)}`, extra, { reuseFrom: from, ...alsoFetch(missing) });
        reusedFrom.set(from, clip.address);
        continue;
      }
      if (!entry) {
        push("create", "not in the lockfile", n, forced(clip.address) ? { forced: true } : {});
      } else if (forced(clip.address)) {
        const [fetchFirst, note] = beforeReplace(clip.address, entry);
        push("replace", `forced with --replace${note}`, n, { fields: [], ...fetchFirst, forced: true });
      } else {
        const fields = changedFields(entry.request, clip.generation);
        const [fetchFirst, note] = beforeReplace(clip.address, entry);
        push("replace", `${fields.map((f) => f.field).join(", ") || "the request"} changed (forces regeneration)${note}`, n, { fields, ...fetchFirst });
      }
      plannedFingerprints.set(clip.fingerprint, { address: clip.address, results: n });
      continue;
    }

    const have = entry.results.length;
    const lastTask = entry.tasks[entry.tasks.length - 1];
    const variant = rerolled(clip.address);
    if (variant !== undefined && !(variant >= 1 && variant <= Math.min(have, n))) {
      throw new ClipformError("USAGE", `--replace ${formatVariantRef({ address: clip.address, variant })}: ${clip.address} has ${Math.min(have, n)} variant${Math.min(have, n) === 1 ? "" : "s"} to reroll (1–${Math.min(have, n)}); nothing was planned`);
    }
    if (variant !== undefined && entry.picked && usedResults(lock, clip.address).some((r) => !entry.results.some((x) => x.videoUUID === r.videoUUID))) {
      throw new ClipformError("USAGE", `--replace ${clip.address}#${variant}: ${clip.address} uses its picked take ${entry.picked.slice(0, 8)}, not the take whose variants it holds: reroll the whole clip (--replace ${clip.address}), or pick the take it holds first (clipform pick ${clip.address}); nothing was planned`);
    }
    if (variant !== undefined) {
      const kept = entry.results.slice(0, n);
      const missing = toFetch(kept, variant - 1);
      push("replace", `variant ${variant} forced with --replace ${formatVariantRef({ address: clip.address, variant })}: reroll it alone (its take is kept, the other variants stay)${fetchNote(kept, missing)}`, 1, { fields: [], variant, ...alsoFetch(missing) });
      continue;
    }
    if (have < n) {
      const failed = lastTask && endedInFailure(lastTask);
      const missing = toFetch(entry.results);
      const note = fetchNote(entry.results, missing);
      if (failed) {
        const err = lastTask.error ? `: ${lastTask.error.code}: ${lastTask.error.message}` : "";
        push("retry", `failed earlier${err}${note}`, n - have, alsoFetch(missing));
      } else {
        push("add-variants", `numberResults ${have} → ${n}: generate ${n - have} more variant${n - have === 1 ? "" : "s"} only${note}`, n - have, alsoFetch(missing));
      }
      continue;
    }

    const fetchNow = toFetch(entry.results.slice(0, n));
    // The picked take's own files, when it is kept among the takes: what films and chains read.
    const its = new Set(entry.results.map((r) => r.videoUUID));
    const keptFetch = entry.picked ? usedResults(lock, clip.address).filter((r) => !its.has(r.videoUUID) && fetch(r)) : [];
    if (fetchNow.length > 0 || keptFetch.length > 0) {
      const missing = [...fetchNow.map((i) => entry.results[i]!.file ?? `variant ${i + 1}`), ...keptFetch.map((r) => r.file ?? `picked take's video ${r.videoUUID.slice(0, 8)}`)];
      push("download", `local file${missing.length === 1 ? "" : "s"} missing or altered: ${missing.join(", ")}`, 0, { downloads: fetchNow, ...(keptFetch.length ? { keptDownloads: keptFetch.map((r) => r.videoUUID) } : {}) });
      continue;
    }
    const kept = have > n ? ` (${have - n} more variant${have - n === 1 ? "" : "s"} kept in the lockfile)` : "";
    const lost = lostPick(lock, clip.address);
    const picked = lost
      ? `; its picked take ${lost.slice(0, 8)} holds no video any more (pruned): it uses its current variants; pick another with clipform pick ${clip.address}`
      : entry.picked
        ? `; uses picked take ${takeNumber(requestTasks(lock, entry), entry.picked)} (${entry.picked.slice(0, 8)})`
        : "";
    push("no-op", `up to date${kept}${picked}`, 0);
  }

  for (const [address, entry] of Object.entries(lock.clips)) {
    if (desired.has(address) || !inScope(address)) continue;
    if (input.inManifestScope && !input.inManifestScope(entry.manifest)) continue;
    const to = reusedFrom.get(address);
    // A task still in flight is collected first (polled, never paid twice), then the entry goes, kept as a take.
    const inflight = inFlightTasks(entry);
    const collect = inflight.length
      ? `; first collect ${inflight.length === 1 ? "its task" : `its ${inflight.length} tasks`} in flight (polled, never paid twice), kept as a take`
      : "";
    changes.push({
      ...(entry.request.taskType === "imageInference" ? { kind: "image" as const } : {}),
      address,
      action: "delete",
      reason: `${to ? `moved to ${to}` : "no longer in any manifest: drop it from the lockfile (local files are kept)"}${collect}`,
      ...(inflight.length ? { resumeTasks: inflight.map((t) => t.taskUUID) } : {}),
      manifest: entry.manifest,
      model: entry.model,
      generate: 0,
      estimate: { usd: 0, perResultUsd: 0, source: "documented", note: "nothing to generate" },
      ...spentOf(address),
    });
  }

  changes.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const sequences = input.sequences ? planSequences(input.sequences, lock, changes, files, { ...(targets ? { targets } : {}), outside: (members) => outsideChanges(input, members), partial: input.context !== undefined }) : [];
  return { ...summarize(changes, input, ledger), sequences };
}

/** Every take of an entry's request (its own tasks and those kept), each once: what `clipform pick` numbers. */
function requestTasks(lock: Lockfile, entry: LockEntry): LockTask[] {
  return [...new Map([...entry.tasks, ...(lock.takes?.[entry.fingerprint]?.tasks ?? [])].map((t) => [t.taskUUID, t])).values()];
}

/** A revert back on the take the clip had picked for that request says so. */
function pickNote(take: LockTake, address: string): string {
  const picked = restoredPick(take, address);
  return picked ? `, back on take ${takeNumber(take.tasks, picked)} (${picked.slice(0, 8)}), the one picked for this request` : "";
}

/** Sequence members this plan leaves out, planned on their own with the clips they take frames from: the change each needs. */
function outsideChanges(input: PlanInput, members: readonly string[]): Map<string, Change> {
  const clips = [...input.clips, ...(input.context ?? [])];
  const targets = withUpstream(clips, members);
  if (targets.length === 0) return new Map();
  const { lock, prices, files, replace, quotes } = input;
  const p = plan({ clips, lock, prices, targets, inManifestScope: () => false, ...(files ? { files } : {}), ...(replace ? { replace } : {}), ...(quotes ? { quotes } : {}) });
  return new Map(p.changes.map((c) => [c.address, c]));
}

/** True when applying the plan would change anything (for --detailed-exitcode): a film to cut is a change. */
export function hasChanges(p: Plan): boolean {
  return p.changes.some((c) => c.action !== "no-op") || p.sequences.some((s) => s.action === "cut");
}

export function overBudget(p: Plan): BudgetCheck[] {
  return p.budgets.filter((b) => !b.ok);
}
