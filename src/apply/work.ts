/**
 * Plan → work, pure: which changes are local (reuse copies, deletions), which generations to
 * queue, which recorded tasks to resume and which files to fetch again, in plan order.
 */
import { failedTask } from "../core/states.js";
import type { DesiredClip } from "../manifest/index.js";
import { APPENDING_GENERATION, FRESH_GENERATION } from "../plan/actions.js";
import type { Change, Plan } from "../plan/plan.js";
import type { GenJob } from "./types.js";
import type { LockEntry } from "../lockfile/schema.js";

export interface Work {
  jobs: GenJob[];
  resumes: Change[];
  /** Files to fetch again: the entry's variants by index, and videos of its picked take kept among the takes. */
  downloads: { address: string; indexes: number[]; kept: string[] }[];
}


/** The changes to carry out before anything is sent: reuses first, then deletions. */
export function localWork(plan: Plan): { reuses: Change[]; deletes: string[] } {
  return {
    reuses: plan.changes.filter((c) => c.action === "reuse"),
    // A clip with tasks to collect first is deleted at the end of the run (engine.ts).
    deletes: plan.changes.filter((c) => c.action === "delete" && !c.resumeTasks?.length).map((c) => c.address),
  };
}

/**
 * The network work of a plan, once its local work is done. `hasEntry` tells whether an address
 * is recorded now: a reuse that must also generate more variants appends to the copy it made.
 */
export function networkWork(plan: Plan, clips: ReadonlyMap<string, DesiredClip>, hasEntry: (address: string) => boolean): Work {
  const work: Work = { jobs: [], resumes: [], downloads: [] };
  const job = (ch: Change, fresh: boolean) => {
    if (ch.generate > 0) work.jobs.push(jobOf(ch, clips, fresh));
  };
  for (const ch of plan.changes) {
    if (ch.action === "replace" && ch.variant) job(ch, false); // one variant rerolled: the entry stays
    else if (FRESH_GENERATION.has(ch.action)) job(ch, true);
    else if (APPENDING_GENERATION.has(ch.action)) job(ch, false);
    // (Not while collecting its earlier request: the copy is made at the end, and the next plan adds the variants to it.)
    else if (ch.action === "reuse" && ch.generate > 0 && hasEntry(ch.address) && !ch.resumeTasks?.length) job(ch, false);
    else if (ch.action === "resume") work.resumes.push(ch);
    else if (ch.action === "download") work.downloads.push({ address: ch.address, indexes: ch.downloads ?? [], kept: ch.keptDownloads ?? [] });
    // A change to a clip whose earlier request is still in flight collects those tasks first (engine.ts holds its own work until then).
    if (ch.action !== "resume" && ch.resumeTasks?.length) work.resumes.push(ch);
    // A change that appends to the entry also fetches its existing files the plan found missing (a reuse: at its copy, engine.ts).
    if (ch.action !== "download" && ch.action !== "reuse" && (ch.downloads?.length || ch.keptDownloads?.length)) work.downloads.push({ address: ch.address, indexes: ch.downloads ?? [], kept: ch.keptDownloads ?? [] });
  }
  return work;
}

/** The generation a change pays for, as a job. */
export function jobOf(ch: Change, clips: ReadonlyMap<string, DesiredClip>, fresh: boolean): GenJob {
  const clip = clips.get(ch.address);
  if (!clip) throw new Error(`internal: no desired clip for ${ch.address}`);
  return { address: ch.address, clip, count: ch.generate, fresh, estimateUsd: ch.estimate?.usd, ...(ch.estimate ? { priceSource: ch.estimate.source } : {}), ...(ch.variant ? { variant: ch.variant } : {}), ...(ch.forced ? { forced: true as const } : {}) };
}

/** Removes (in place) the items `drop` says, keeping the others' order; returns them, last first. */
export function takeOut<T>(items: T[], drop: (item: T) => boolean): T[] {
  const out: T[] = [];
  for (let i = items.length - 1; i >= 0; i--) if (drop(items[i]!)) out.push(...items.splice(i, 1));
  return out;
}

/** Whether `entry` holds a live task for `job`'s very request that this run did not record (`known`). */
export function pulledByOthers(entry: Readonly<LockEntry> | undefined, job: GenJob, known: ReadonlySet<string>): boolean {
  return !!entry && entry.fingerprint === job.clip.fingerprint && entry.tasks.some((t) => !known.has(t.taskUUID) && !failedTask(t));
}
