/**
 * Takes: every generation paid for (or maybe paid for) is kept, by the fingerprint of its
 * request, until `clipform prune`. A clip's entry holds what it uses now; when it is replaced,
 * rerolled or deleted, what it held moves here (records and files), so reverting to any request
 * paid before is a copy at $0 and no paid video ever leaves the lockfile.
 */
import { basename, dirname, join } from "node:path";
import { TAKES_DIR } from "../core/layout.js";
import { nameProblem } from "../core/paths.js";
import { ClipformError } from "../errors.js";
import type { LockEntry, Lockfile, LockResult, LockTake, LockTask } from "./schema.js";
import { own } from "../util/own.js";

/** How the planner and the engine name a take as a reuse source (addresses never contain ':'). */
export const TAKE_REF = "take:";
export const takeRef = (fingerprint: string) => `${TAKE_REF}${fingerprint}`;
export const isTakeRef = (ref: string) => ref.startsWith(TAKE_REF);

/**
 * Short, stable folder name of a request's takes. The fingerprint comes from the lockfile, which a
 * pull request can change: what it gives is checked as a name, never joined as a path.
 */
export function takeDir(fingerprint: string): string {
  const name = (fingerprint.split(":").pop() ?? fingerprint).slice(0, 12);
  const problem = nameProblem(name);
  if (problem !== undefined) {
    throw new ClipformError("BAD_LOCKFILE", `the fingerprint ${JSON.stringify(fingerprint.slice(0, 80))} is not one clipform writes: its take folder name ${problem}. The file was left as it is; restore it from git.`);
  }
  return name;
}

/**
 * Where a kept take's file lives, predictable per take: beside the clip's files, under
 * takes/<request>/, named by its task and the clip's file name.
 */
export function takeFilePath(file: string, fingerprint: string, taskUUID: string): string {
  return join(dirname(file), TAKES_DIR, takeDir(fingerprint), `${taskUUID.slice(0, 8)}-${basename(file)}`).split("\\").join("/");
}

/** Whether an entry holds anything worth keeping (a task or a result). */
export function holdsRecords(e: Readonly<LockEntry> | undefined): e is LockEntry {
  return !!e && (e.tasks.length > 0 || e.results.length > 0);
}

/**
 * Keeps what `entry` (at `address`) holds among the takes of its request: tasks by UUID, results
 * by video UUID, the ones archived last first (a revert copies the most recently used), and the
 * pick the clip had for the request (none: forgotten), so a revert uses that take again.
 * `relocate` gives each result's new file (or undefined when it has none any more). Mutates
 * `lock.takes`.
 */
export function archiveEntry(lock: Lockfile, address: string, entry: Readonly<LockEntry>, relocate: (r: LockResult) => string | undefined = (r) => r.file): void {
  if (!holdsRecords(entry)) return;
  const takes = (lock.takes ??= {});
  const prev: LockTake = takes[entry.fingerprint] ?? { address, manifest: entry.manifest, model: entry.model, request: entry.request, tasks: [], results: [] };
  const tasks = new Set(prev.tasks.map((t) => t.taskUUID));
  const videos = new Set(prev.results.map((r) => r.videoUUID));
  const moved: LockResult[] = entry.results
    .filter((r) => !videos.has(r.videoUUID))
    .map((r) => {
      const copy: LockResult = { ...r };
      const file = relocate(r);
      if (file) copy.file = file;
      else delete copy.file;
      return copy;
    });
  const { [address]: _forgotten, ...picks } = prev.picks ?? {};
  if (entry.picked) picks[address] = entry.picked;
  const { picks: _old, ...rest } = prev;
  takes[entry.fingerprint] = {
    ...rest,
    tasks: [...prev.tasks, ...entry.tasks.filter((t) => !tasks.has(t.taskUUID)).map((t) => ({ ...t }))],
    results: [...moved, ...prev.results],
    ...(Object.keys(picks).length ? { picks: sortedPicks(picks) } : {}),
  };
}

/**
 * A variant reroll: the result at `from` takes the place of variant `index`, whose old video joins
 * the takes of the request. Its task goes with it when the entry holds no other result of it, so a
 * take is whole (its task and its video) and prune drops or keeps both together. Mutates `lock`
 * and `entry`.
 */
export function replaceVariantIn(lock: Lockfile, address: string, entry: LockEntry, index: number, from: number, relocate: (r: LockResult) => string | undefined): void {
  const old = entry.results[index];
  const fresh = entry.results[from];
  if (!old || !fresh || from === index) return;
  const alone = !entry.results.some((r, i) => i !== index && r.taskUUID === old.taskUUID);
  const tasks = alone ? entry.tasks.filter((t) => t.taskUUID === old.taskUUID) : [];
  archiveEntry(lock, address, { ...entry, tasks, results: [old] }, relocate);
  if (alone) entry.tasks = entry.tasks.filter((t) => t.taskUUID !== old.taskUUID);
  entry.results.splice(from, 1);
  entry.results[index] = fresh;
  delete entry.picked; // the clip uses the variants it holds now
}

const sortedPicks = (picks: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(picks).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Takes oldest first, as `clipform pick` numbers them. */
export function byTime<T extends { submittedAt: string }>(tasks: readonly T[]): T[] {
  return [...tasks].sort((a, b) => (a.submittedAt < b.submittedAt ? -1 : a.submittedAt > b.submittedAt ? 1 : 0));
}

/** The number `clipform pick` gives the task `taskUUID` among `tasks` (1-based; 0 when absent). */
export function takeNumber(tasks: readonly LockTask[], taskUUID: string): number {
  return byTime(tasks).findIndex((t) => t.taskUUID === taskUUID) + 1;
}

/** The take of a request, if it holds results to reuse. */
export function reusableTake(lock: Lockfile, fingerprint: string): LockTake | undefined {
  const t = own(lock.takes, fingerprint);
  return t && t.results.length > 0 ? t : undefined;
}

/**
 * A take seen as a clip entry, so the reuse path copies from it like from any address. For the
 * clip at `address`, the take it had picked for this request comes first and stays picked.
 */
export function takeAsEntry(fingerprint: string, t: LockTake, address?: string): LockEntry {
  const picked = restoredPick(t, address);
  const results = picked ? [...t.results.filter((r) => r.taskUUID === picked), ...t.results.filter((r) => r.taskUUID !== picked)] : t.results;
  return { fingerprint, manifest: t.manifest, model: t.model, request: t.request, numberResults: Math.max(1, t.results.length), tasks: t.tasks, results, ...(picked ? { picked } : {}) };
}

/** The take `address` had picked for this request, when the take still holds its videos. */
export function restoredPick(t: Readonly<LockTake>, address: string | undefined): string | undefined {
  const picked = address === undefined ? undefined : t.picks?.[address];
  return picked && t.results.some((r) => r.taskUUID === picked) ? picked : undefined;
}
