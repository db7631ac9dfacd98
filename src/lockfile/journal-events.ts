/**
 * The events of the write-ahead journal, and how each one is applied to a lockfile. Pure: no I/O.
 *
 * Replay must be idempotent: a crash between writing the lockfile and removing the journal that
 * it folded in leaves both, and the next start applies the journal again. So every event is keyed
 * by the task or video UUID it records and is skipped when the lockfile already holds it, and an
 * event that takes an entry's place never drops records it does not know: they join the takes.
 */
import type { LockEntry, Lockfile, LockResult, LockTask } from "./schema.js";
import { archiveEntry, holdsRecords, replaceVariantIn } from "./takes.js";
import { own } from "../util/own.js";

export type JournalEvent =
  /**
   * A task recorded before its request is sent. `entry` is what it was added to (a fresh entry
   * when `fresh`), so replay can rebuild it even when the lockfile no longer holds it.
   */
  | { e: "task"; address: string; task: LockTask; entry: LockEntry; fresh?: true; patch?: Partial<LockEntry> }
  /** A recorded task changed: acknowledged, finished, failed. */
  | { e: "task-update"; address: string; taskUUID: string; patch: Partial<LockTask> }
  | { e: "results"; address: string; results: LockResult[] }
  /** A result changed: its file downloaded. */
  | { e: "result-update"; address: string; videoUUID: string; patch: Partial<LockResult> }
  /** A result kept among the takes of request `fingerprint` changed: a picked take's file downloaded again. */
  | { e: "take-result-update"; address: string; fingerprint: string; videoUUID: string; patch: Partial<LockResult> }
  /** The result `videoUUID` took the place of variant `index`; the old one joined the takes, its file at `file`. */
  | { e: "variant"; address: string; index: number; videoUUID: string; file?: string }
  /** The entry holding these records joined the takes; `files` maps each video to its file there (null: none). */
  | { e: "retire"; address: string; tasks: string[]; videos: string[]; files: Record<string, string | null> }
  /** An entry written whole (a copy of an earlier generation). */
  | { e: "set"; address: string; entry: LockEntry }
  | { e: "delete"; address: string };

/** The first line of a journal: which lockfile it belongs to. */
export interface JournalHeader {
  journal: 1;
  lineage: string;
  simulated?: true;
}

/** Task UUIDs anywhere in the lockfile (entries and takes): a task recorded once is never added again. */
export function knownTasks(lock: Lockfile): Set<string> {
  const out = new Set<string>();
  for (const e of Object.values(lock.clips)) for (const t of e.tasks) out.add(t.taskUUID);
  for (const t of Object.values(lock.takes ?? {})) for (const x of t.tasks) out.add(x.taskUUID);
  return out;
}

/** Whether `entry` holds every task and result of `other`. */
export function covers(entry: Readonly<LockEntry> | undefined, other: Readonly<LockEntry>): boolean {
  if (!entry) return !holdsRecords(other);
  const tasks = new Set(entry.tasks.map((t) => t.taskUUID));
  const videos = new Set(entry.results.map((r) => r.videoUUID));
  return other.tasks.every((t) => tasks.has(t.taskUUID)) && other.results.every((r) => videos.has(r.videoUUID));
}

/** Removes the entry at `address`, keeping among the takes whatever it holds that `next` does not. */
function displace(lock: Lockfile, address: string, next?: LockEntry): void {
  const old = own(lock.clips, address);
  if (old && !covers(next, old)) archiveEntry(lock, address, old);
  delete lock.clips[address];
}

/** Applies one event to `lock` (mutated). `known` is knownTasks(lock), kept up to date. */
export function applyEvent(lock: Lockfile, ev: JournalEvent, known: Set<string>): void {
  const entry = own(lock.clips, ev.address);
  switch (ev.e) {
    case "task": {
      if (known.has(ev.task.taskUUID)) return;
      known.add(ev.task.taskUUID);
      if (ev.fresh || !entry) {
        displace(lock, ev.address, ev.entry);
        const base = structuredClone(ev.entry);
        lock.clips[ev.address] = { ...base, tasks: [...base.tasks, { ...ev.task }] };
        for (const t of base.tasks) known.add(t.taskUUID);
      } else {
        lock.clips[ev.address] = { ...entry, ...ev.patch, tasks: [...entry.tasks, { ...ev.task }] };
      }
      return;
    }
    case "task-update": {
      const t = entry?.tasks.find((x) => x.taskUUID === ev.taskUUID);
      if (t) Object.assign(t, ev.patch);
      return;
    }
    case "results": {
      if (!entry) return;
      const tasks = new Set(entry.tasks.map((t) => t.taskUUID));
      const videos = new Set(entry.results.map((r) => r.videoUUID));
      // A result belongs to the entry that holds its task: one already retired is not added again.
      for (const r of ev.results) if (tasks.has(r.taskUUID) && !videos.has(r.videoUUID)) entry.results.push({ ...r });
      return;
    }
    case "result-update": {
      const r = entry?.results.find((x) => x.videoUUID === ev.videoUUID);
      if (r) Object.assign(r, ev.patch);
      return;
    }
    case "take-result-update": {
      const r = lock.takes?.[ev.fingerprint]?.results.find((x) => x.videoUUID === ev.videoUUID);
      if (r) Object.assign(r, ev.patch);
      return;
    }
    case "variant": {
      if (!entry) return;
      const from = entry.results.findIndex((r) => r.videoUUID === ev.videoUUID);
      const old = entry.results[ev.index];
      if (from < 0 || from === ev.index || !old) return;
      replaceVariantIn(lock, ev.address, entry, ev.index, from, () => ev.file); // as store.replaceVariant did
      return;
    }
    case "retire": {
      if (!entry) return;
      const tasks = new Set(ev.tasks);
      const videos = new Set(ev.videos);
      if (!entry.tasks.some((t) => tasks.has(t.taskUUID)) && !entry.results.some((r) => videos.has(r.videoUUID))) return;
      archiveEntry(lock, ev.address, entry, (r) => (r.videoUUID in ev.files ? (ev.files[r.videoUUID] ?? undefined) : r.file));
      delete lock.clips[ev.address];
      return;
    }
    case "set": {
      // Already there (and perhaps grown since): nothing to do.
      if (entry && entry.fingerprint === ev.entry.fingerprint && covers(entry, ev.entry)) return;
      displace(lock, ev.address, ev.entry);
      lock.clips[ev.address] = structuredClone(ev.entry);
      for (const t of ev.entry.tasks) known.add(t.taskUUID);
      return;
    }
    case "delete":
      displace(lock, ev.address);
      return;
  }
}
