/** The project's record as the next plan reads it (lockfile, journals and rescues folded), and its money. */
import { join } from "node:path";
import { readCurrentRecord } from "../../src/lockfile/current.js";
import { serializeLockfile } from "../../src/lockfile/io.js";
import type { Lockfile, LockResult, LockTask } from "../../src/lockfile/schema.js";

export interface Record {
  lock: Lockfile;
  /** The record serialized, or undefined when there is none yet. */
  raw: string | undefined;
  /** Every recorded charge, once per video: entries, takes and pruned records. */
  spentUsd: number;
  /** Tasks still in flight (status submitted). */
  inFlight: number;
}

export interface TaskInfo {
  task: LockTask;
  fingerprint: string;
  address: string;
  manifest: string;
  /** Results of this task recorded here (one per video). */
  results: LockResult[];
  where: "entry" | "take";
}

export function readRecord(dir: string): Record {
  const cur = readCurrentRecord(join(dir, "clipform.lock.json"));
  const present = cur.exists || cur.journals.length > 0 || cur.rescues.length > 0;
  const tasks = tasksOf(cur.lock);
  const seen = new Set<string>();
  let spentUsd = 0;
  for (const t of tasks.values()) for (const r of t.results) if (!seen.has(r.videoUUID)) (seen.add(r.videoUUID), (spentUsd += r.costUsd ?? 0));
  for (const p of Object.values(cur.lock.pruned ?? {})) spentUsd += p.costUsd;
  const inFlight = [...tasks.values()].filter((t) => t.task.status === "submitted").length;
  return { lock: cur.lock, raw: present ? serializeLockfile(cur.lock) : undefined, spentUsd, inFlight };
}

/**
 * Every task the record holds, by task UUID, with every result of it recorded anywhere: a variant
 * reroll keeps the task in the entry and moves its replaced video to the takes; a `reuse` copy
 * appears once.
 */
export function tasksOf(lock: Lockfile): Map<string, TaskInfo> {
  const out = new Map<string, TaskInfo>();
  const holders = [
    ...Object.entries(lock.clips).map(([address, e]) => ({ fingerprint: e.fingerprint, address, manifest: e.manifest, tasks: e.tasks, results: e.results, where: "entry" as const })),
    ...Object.entries(lock.takes ?? {}).map(([fingerprint, t]) => ({ fingerprint, address: t.address, manifest: t.manifest, tasks: t.tasks, results: t.results, where: "take" as const })),
  ];
  for (const h of holders) for (const task of h.tasks) if (!out.has(task.taskUUID)) out.set(task.taskUUID, { task, fingerprint: h.fingerprint, address: h.address, manifest: h.manifest, results: [], where: h.where });
  for (const h of holders) {
    for (const r of h.results) {
      const info = out.get(r.taskUUID);
      if (info && !info.results.some((k) => k.videoUUID === r.videoUUID)) info.results.push(r);
    }
  }
  return out;
}
