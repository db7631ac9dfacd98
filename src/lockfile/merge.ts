/**
 * Three-way merge of lockfiles, clip by clip: what `clipform lock merge` (the git merge driver)
 * computes. Pure: no I/O, no clock.
 *
 * Money is in these entries, so the rules are built so that no paid result (video UUID) and no
 * in-flight task UUID is ever dropped by the merge itself. Only drops that one side made on
 * purpose (the planner's `replace` and `delete`, which never happen while a task is in flight)
 * carry over. When an entry cannot be combined without losing such a record, the address is
 * reported as a conflict instead.
 *
 * Per address (base B, ours O, theirs T):
 * - O equals T: keep it (includes "both deleted").
 * - Changed on one side only: take that side. A deletion wins over an unchanged entry, except
 *   when that entry still has a task in flight: it is kept, so the next apply polls the task.
 * - Deleted on one side, changed on the other: keep the changed one.
 * - Changed on both sides, same fingerprint (the same request): union of tasks by taskUUID (the
 *   most advanced status wins) and results by videoUUID. Tasks and results that were in B and
 *   that one side dropped (a forced replace) stay dropped, except tasks still in flight. The
 *   pick merges like the descriptive fields: the side that changed it (ours when both did).
 * - Changed on both sides, different fingerprints: the side whose latest task is newer wins;
 *   if the other side holds results or in-flight tasks the winner never knew (not from B), that
 *   cannot be represented in one entry, so it is a conflict.
 */
import { costOrZero } from "../util/money-guard.js";
import { ClipformError } from "../errors.js";
import { canonicalJson } from "../util/canonical.js";
import { inFlight } from "../core/states.js";
import { inFlightTasks } from "./entries.js";
import { LOCKFILE_FORMAT } from "./format.js";
import type { LockEntry, Lockfile, LockPruned, LockResult, LockTake, LockTask } from "./schema.js";
import { archiveEntry } from "./takes.js";
import { usd } from "../util/usd.js";
import { own } from "../util/own.js";

export type Side = "ours" | "theirs";

export interface MergeConflict {
  address: string;
  reason: string;
  ours: LockEntry;
  theirs: LockEntry;
}

/** How each address was resolved. */
export type Resolution = "unchanged" | "ours" | "theirs" | "deleted" | "kept" | "combined" | "conflict";

export interface MergeResult {
  /** The merged lockfile. For a conflicted address it holds ours' entry (see `conflicts`). */
  merged: Lockfile;
  conflicts: MergeConflict[];
  /** Decisions worth telling the user about (combined entries, kept in-flight tasks…). */
  notes: string[];
  resolutions: Record<string, Resolution>;
}

const same = (a: unknown, b: unknown) => (a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b));

const STATUS_RANK: Record<LockTask["status"], number> = { submitted: 0, failed: 1, partial: 2, succeeded: 3 };

function time(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? -Infinity : t;
}

/** When the entry's latest task was recorded; -Infinity for an entry without tasks (a reuse copy). */
function latestTask(e: LockEntry): number {
  return e.tasks.reduce((m, t) => Math.max(m, time(t.submittedAt)), -Infinity);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * The same task recorded on both sides: the most advanced status wins (ties: ours), and an
 * acknowledgement seen on either side is kept (an acknowledged task is never sent again).
 */
function mergeTask(o: LockTask, t: LockTask): LockTask {
  const winner = STATUS_RANK[t.status] > STATUS_RANK[o.status] ? t : o;
  const acceptedAt = o.acceptedAt ?? t.acceptedAt;
  return acceptedAt && !winner.acceptedAt ? { ...winner, acceptedAt } : winner;
}

const FILE_FIELDS = ["file", "sha256", "bytes"] as const;

function withoutFile(r: LockResult): LockResult {
  const out = { ...r };
  for (const f of FILE_FIELDS) delete out[f];
  return out;
}

/** The same video recorded on both sides: ours' fields, completed by theirs; the local file fields go together. */
function mergeResult(o: LockResult, t: LockResult): LockResult {
  const out: LockResult = withoutFile({ ...t, ...o });
  const src = o.file ? o : t.file ? t : o;
  if (src.file !== undefined) out.file = src.file;
  if (src.sha256 !== undefined) out.sha256 = src.sha256;
  if (src.bytes !== undefined) out.bytes = src.bytes;
  return out;
}

/**
 * Variant i is saved as `<address>.v<i+1>.<ext>`. After a union, a result whose recorded file
 * belongs to another index (or is claimed by an earlier result) forgets its file: the planner then
 * downloads it again under the right name, instead of trusting a file that holds another video.
 */
function fixFiles(address: string, results: LockResult[], notes: string[]): LockResult[] {
  const seen = new Set<string>();
  return results.map((r, i) => {
    if (!r.file) return r;
    const m = /\.v(\d+)\.[^./]+$/.exec(r.file);
    if (seen.has(r.file) || (m && Number(m[1]) !== i + 1)) {
      notes.push(`${address}: variant ${i + 1} (video ${r.videoUUID}) was saved as ${r.file} on its branch, which now belongs to another variant; it will be downloaded again`);
      return withoutFile(r);
    }
    seen.add(r.file);
    return r;
  });
}

/** Both sides changed an entry for the same request: union of what both recorded. */
function union(address: string, b: LockEntry | undefined, o: LockEntry, t: LockEntry, notes: string[]): LockEntry {
  const baseTasks = new Set(b?.tasks.map((x) => x.taskUUID) ?? []);
  const baseResults = new Set(b?.results.map((x) => x.videoUUID) ?? []);

  const oTasks = new Map(o.tasks.map((x) => [x.taskUUID, x]));
  const tTasks = new Map(t.tasks.map((x) => [x.taskUUID, x]));
  const tasks: LockTask[] = [];
  for (const id of new Set([...oTasks.keys(), ...tTasks.keys()])) {
    const ot = oTasks.get(id);
    const tt = tTasks.get(id);
    if (ot && tt) tasks.push(mergeTask(ot, tt));
    else {
      const only = (ot ?? tt)!;
      if (!baseTasks.has(id)) tasks.push(only);
      else if (inFlight(only)) {
        tasks.push(only);
        notes.push(`${address}: kept task ${id}, still in flight on ${ot ? "ours" : "theirs"} (the other side dropped it): the next apply polls it`);
      }
      // else: in the base and dropped on purpose by the other side (a forced replace).
    }
  }
  // Oldest first, so the last task is the newest (the planner reads it for retry vs add-variants).
  const order = new Map(tasks.map((x, i) => [x.taskUUID, i]));
  tasks.sort((x, y) => time(x.submittedAt) - time(y.submittedAt) || order.get(x.taskUUID)! - order.get(y.taskUUID)!);

  const oResults = new Map(o.results.map((x) => [x.videoUUID, x]));
  const tResults = new Map(t.results.map((x) => [x.videoUUID, x]));
  const results: LockResult[] = [];
  for (const id of new Set([...oResults.keys(), ...tResults.keys()])) {
    const or = oResults.get(id);
    const tr = tResults.get(id);
    if (or && tr) results.push(mergeResult(or, tr));
    else if (!baseResults.has(id)) results.push((or ?? tr)!);
    // else: in the base and dropped on purpose by the other side (a forced replace).
  }

  // Descriptive fields: three-way, field by field (ours wins when both changed them).
  const pick = <K extends keyof LockEntry>(k: K): LockEntry[K] => (b && same(o[k], b[k]) ? t[k] : o[k]);
  const added = results.length - o.results.length;
  notes.push(
    `${address}: combined ours and theirs (same request): ${plural(tasks.length, "task")}, ${plural(results.length, "result")}${added > 0 ? ` (${added} only on theirs)` : ""}`,
  );
  // The pick (of this request's takes, held here or kept among the takes), like the descriptive fields.
  const picked = pick("picked");
  return {
    fingerprint: o.fingerprint,
    manifest: pick("manifest"),
    model: pick("model"),
    request: pick("request"),
    numberResults: pick("numberResults"),
    tasks,
    results: fixFiles(address, results, notes),
    ...(picked !== undefined ? { picked } : {}),
  };
}

/** `keep`: the loser's records join the takes; `remember`: the loser's pick is remembered for its request. */
type EntryOutcome = { entry: LockEntry | undefined; resolution: Resolution; conflict?: string; keep?: LockEntry; remember?: LockEntry };

/** Both sides changed the entry to different requests: the newer wins, if nothing paid is lost. */
function pickNewer(address: string, b: LockEntry | undefined, o: LockEntry, t: LockEntry, notes: string[]): EntryOutcome {
  const theirsNewer = latestTask(t) > latestTask(o);
  const [winner, loser, loserName, winnerName] = theirsNewer ? [t, o, "ours", "theirs"] : [o, t, "theirs", "ours"];
  // Anything recorded in the base was known to the winner: the planner replaces an entry only
  // after its in-flight tasks have finished, so what the winner dropped, it dropped on purpose.
  const known = new Set([...winner.tasks.map((x) => x.taskUUID), ...(b?.tasks.map((x) => x.taskUUID) ?? [])]);
  const knownVideos = new Set([...winner.results.map((x) => x.videoUUID), ...(b?.results.map((x) => x.videoUUID) ?? [])]);
  const lostTasks = loser.tasks.filter((x) => inFlight(x) && !known.has(x.taskUUID));
  const lostResults = loser.results.filter((x) => !knownVideos.has(x.videoUUID) && !known.has(x.taskUUID));
  if (lostTasks.length === 0 && lostResults.length > 0) {
    // Format 2 keeps every take: the loser's paid results join the takes of its request.
    notes.push(`${address}: both sides changed the request; took ${winnerName}'s (newer) and kept ${loserName}'s ${plural(lostResults.length, "paid result")} among the takes`);
    return { entry: winner, resolution: theirsNewer ? "theirs" : "ours", keep: loser };
  }
  if (lostTasks.length > 0) {
    const what: string[] = [];
    if (lostResults.length) {
      const cost = lostResults.reduce((s, r) => s + (costOrZero(r.costUsd)), 0);
      what.push(`${plural(lostResults.length, "paid result")} (${usd(cost)}: ${lostResults.map((r) => r.videoUUID).join(", ")})`);
    }
    if (lostTasks.length) what.push(`${plural(lostTasks.length, "task")} still in flight (${lostTasks.map((x) => x.taskUUID).join(", ")})`);
    return {
      entry: o,
      resolution: "conflict",
      conflict:
        `ours and theirs generated different requests for this clip (fingerprints differ); ${winnerName} is newer, ` +
        `but ${loserName} holds ${what.join(" and ")} that ${winnerName} does not. One entry cannot hold both requests. ` +
        `Keep the entry you want; if it is ${winnerName}'s, ${loserName}'s records are lost (settle in-flight tasks on that branch with \`clipform apply\` first).`,
    };
  }
  notes.push(`${address}: both sides changed the request; took ${winnerName}'s (its latest task is ${theirsNewer ? "newer" : "newer or as new"}), nothing paid is lost`);
  return { entry: winner, resolution: theirsNewer ? "theirs" : "ours", ...(loser.picked ? { remember: loser } : {}) };
}

function mergeEntry(address: string, b: LockEntry | undefined, o: LockEntry | undefined, t: LockEntry | undefined, notes: string[]): EntryOutcome {
  if (same(o, t)) return { entry: o, resolution: o ? "unchanged" : "deleted" };
  if (same(o, b) || same(t, b)) {
    // Changed on one side only.
    const [changed, unchanged, changedName] = same(o, b) ? [t, o, "theirs"] : [o, t, "ours"];
    if (changed) return { entry: changed, resolution: changedName as Side };
    const flying = inFlightTasks(unchanged);
    if (flying.length > 0) {
      notes.push(`${address}: ${changedName} deleted it, but ${plural(flying.length, "task")} of it ${flying.length === 1 ? "is" : "are"} still in flight on the other side: kept, so the next apply polls ${flying.length === 1 ? "it" : "them"} (then deletes the entry)`);
      return { entry: unchanged, resolution: "kept" };
    }
    return { entry: undefined, resolution: "deleted" };
  }
  // Changed on both sides.
  if (!o || !t) {
    const kept = (o ?? t)!;
    notes.push(`${address}: deleted on ${o ? "theirs" : "ours"} but changed on ${o ? "ours" : "theirs"}: kept the changed entry`);
    return { entry: kept, resolution: o ? "ours" : "theirs" };
  }
  if (o.fingerprint === t.fingerprint) return { entry: union(address, b, o, t, notes), resolution: "combined" };
  return pickNewer(address, b, o, t, notes);
}

/**
 * Merges two lockfiles that descend from `base` (undefined when the file did not exist in the
 * merge base). Throws when their lineages differ: they are different projects' states.
 */
export function mergeLockfiles(base: Lockfile | undefined, ours: Lockfile, theirs: Lockfile): MergeResult {
  if (ours.lineage !== theirs.lineage) {
    throw new ClipformError(
      "BAD_LOCKFILE",
      `the two lockfiles have different lineages (ours ${ours.lineage}, theirs ${theirs.lineage}): they were created separately and are not versions of the same state, so they cannot be merged clip by clip. Keep one (git checkout --ours/--theirs) and run \`clipform plan\`. Nothing was changed.`,
    );
  }
  const notes: string[] = [];
  let baseClips: Record<string, LockEntry> = base?.clips ?? {};
  if (base && base.lineage !== ours.lineage) {
    notes.push(`the merge base has another lineage (${base.lineage}); merged as if both sides had added every entry`);
    baseClips = {};
  }
  const addresses = [...new Set([...Object.keys(baseClips), ...Object.keys(ours.clips), ...Object.keys(theirs.clips)])].sort();
  const clips: Record<string, LockEntry> = {};
  const merged: Lockfile = {
    format_version: LOCKFILE_FORMAT,
    lineage: ours.lineage,
    serial: Math.max(ours.serial, theirs.serial) + 1,
    // Simulated videos stay marked as such if either side had them (a real apply then refuses).
    ...(ours.simulated || theirs.simulated ? { simulated: true as const } : {}),
    clips,
    ...mergeTakes(base?.lineage === ours.lineage ? base : undefined, ours, theirs),
  };
  const conflicts: MergeConflict[] = [];
  const resolutions: Record<string, Resolution> = {};
  for (const address of addresses) {
    const o = own(ours.clips, address);
    const t = own(theirs.clips, address);
    const r = mergeEntry(address, own(baseClips, address), o, t, notes);
    resolutions[address] = r.resolution;
    if (r.entry) clips[address] = r.entry;
    if (r.conflict) conflicts.push({ address, reason: r.conflict, ours: o!, theirs: t! });
    if (r.keep) archiveEntry(merged, address, r.keep, () => undefined); // its files are the winner's names now
    const kept = r.remember && merged.takes?.[r.remember.fingerprint];
    if (kept) kept.picks = Object.fromEntries(Object.entries({ ...kept.picks, [address]: r.remember!.picked! }).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  return {
    merged,
    conflicts,
    notes,
    resolutions,
  };
}

/**
 * The picks remembered for one request, clip by clip, three-way: the side that changed a clip's
 * pick (set, changed or forgot it) wins; ours when both did.
 */
function mergePicks(b: Record<string, string> | undefined, o: Record<string, string> | undefined, t: Record<string, string> | undefined): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const address of [...new Set([...Object.keys(o ?? {}), ...Object.keys(t ?? {})])].sort()) {
    const v = o?.[address] === b?.[address] ? t?.[address] : o?.[address];
    if (v !== undefined) out[address] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Takes merge by request (their remembered picks clip by clip, see mergePicks): tasks by UUID, results by video UUID, nothing dropped, except a take
 * one side pruned on purpose (its ledger record is new) when the other side added nothing to it.
 * Pruned records are a union: their cost stays in the ledger.
 */
function mergeTakes(base: Lockfile | undefined, ours: Lockfile, theirs: Lockfile): { takes?: Record<string, LockTake>; pruned?: Record<string, LockPruned> } {
  const pruned: Record<string, LockPruned> = { ...theirs.pruned, ...ours.pruned };
  const newlyPruned = new Set(Object.entries(pruned).filter(([k]) => !base?.pruned?.[k]).map(([, p]) => p.fingerprint));
  const takes: Record<string, LockTake> = {};
  const fps = new Set([...Object.keys(ours.takes ?? {}), ...Object.keys(theirs.takes ?? {})]);
  for (const fp of [...fps].sort()) {
    const o = own(ours.takes, fp);
    const t = own(theirs.takes, fp);
    const b = own(base?.takes, fp);
    if (newlyPruned.has(fp) && (!o || !t)) {
      const other = (o ?? t)!;
      const known = new Set(b?.tasks.map((x) => x.taskUUID));
      const videos = new Set(b?.results.map((r) => r.videoUUID));
      if (other.tasks.every((x) => known.has(x.taskUUID)) && other.results.every((r) => videos.has(r.videoUUID))) continue; // pruned on one side, untouched on the other
    }
    if (!o || !t) {
      takes[fp] = (o ?? t)!;
      continue;
    }
    const tasks = new Map(t.tasks.map((x) => [x.taskUUID, x]));
    for (const x of o.tasks) tasks.set(x.taskUUID, tasks.has(x.taskUUID) ? mergeTask(x, tasks.get(x.taskUUID)!) : x);
    const videos = new Set(o.results.map((r) => r.videoUUID));
    const { picks: _ours, ...rest } = o;
    const picks = mergePicks(b?.picks, o.picks, t.picks);
    takes[fp] = { ...rest, tasks: [...tasks.values()].sort((a, b) => time(a.submittedAt) - time(b.submittedAt)), results: [...o.results, ...t.results.filter((r) => !videos.has(r.videoUUID))], ...(picks ? { picks } : {}) };
  }
  return { ...(Object.keys(takes).length ? { takes } : {}), ...(Object.keys(pruned).length ? { pruned } : {}) };
}
