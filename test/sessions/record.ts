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

/** Every task the record holds, by task UUID (a task copied by `reuse` appears once, with every result it has anywhere). */
export function tasksOf(lock: Lockfile): Map<string, TaskInfo> {
  const out = new Map<string, TaskInfo>();
  const add = (task: LockTask, fingerprint: string, address: string, manifest: string, results: LockResult[], where: TaskInfo["where"]) => {
    const mine = results.filter((r) => r.taskUUID === task.taskUUID);
    const known = out.get(task.taskUUID);
    if (!known) out.set(task.taskUUID, { task, fingerprint, address, manifest, results: mine, where });
    else for (const r of mine) if (!known.results.some((k) => k.videoUUID === r.videoUUID)) known.results.push(r);
  };
  for (const [address, e] of Object.entries(lock.clips)) for (const t of e.tasks) add(t, e.fingerprint, address, e.manifest, e.results, "entry");
  for (const [fp, take] of Object.entries(lock.takes ?? {})) for (const t of take.tasks) add(t, fp, take.address, take.manifest, take.results, "take");
  return out;
}
