/**
 * Dry runs are written ahead like any generation. A server or proxy that ignores the dry-run
 * header turns a quote into a real, charged generation (`plan --quote` made 5, never recorded).
 * So before a quote request leaves, each dry-run task (its UUID, clip, request fingerprint and
 * count) is written durably to `.clipform/dry-runs/`. A quote answered with a price removes its
 * task from there; one answered like a real task (acknowledged with no price) stays, marked
 * `ran`: it is probably paid and in flight, said at once, and kept for the user and the next
 * apply to collect (poll its task UUID) instead of being lost.
 */
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { join, relative } from "node:path";
import { writeFileAtomic } from "../lockfile/io.js";
import { assertRealFolder } from "../util/safe-fs.js";
import { STATE_DIR } from "../core/layout.js";
import { newEntry } from "../lockfile/entries.js";
import { Journal, journalDir } from "../lockfile/journal.js";
import type { Lockfile, LockTask } from "../lockfile/schema.js";
import type { DesiredClip } from "../manifest/index.js";

export interface DryRunTask {
  taskUUID: string;
  address: string;
  fingerprint: string;
  numberResults: number;
  model: string;
  endpoint: string;
  sentAt: string;
  /** Answered like a real task: probably generated and charged. */
  ran?: true;
}

export const dryRunDir = (root: string) => join(root, STATE_DIR, "dry-runs");

/** One batch of dry runs, recorded before it is sent. */
export class DryRunLog {
  readonly path: string;
  #tasks: DryRunTask[] = [];

  constructor(root: string) {
    const dir = dryRunDir(root);
    // .clipform (or anything on the way) planted as a link is refused: nothing is written through one.
    assertRealFolder(root, relative(root, dir), "the state folder");
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${new Date().toISOString().replace(/[-:.]/g, "")}-${process.pid}-${randomUUID().slice(0, 8)}.json`);
  }

  /** Written and fsynced: after this, the requests may leave. */
  writeAhead(tasks: DryRunTask[]): void {
    this.#tasks = tasks;
    this.#save();
  }

  /** The answers are in: honoured dry runs go, those answered like real tasks stay, marked `ran`. */
  settle(ran: ReadonlySet<string>): DryRunTask[] {
    this.#tasks = this.#tasks.filter((t) => ran.has(t.taskUUID)).map((t) => ({ ...t, ran: true as const }));
    if (this.#tasks.length > 0) this.#save();
    else {
      try {
        unlinkSync(this.path);
      } catch {
        /* never written */
      }
    }
    return this.#tasks;
  }

  #save(): void {
    writeFileAtomic(this.path, `${JSON.stringify({ format_version: 1, dryRuns: this.#tasks }, null, 2)}\n`);
  }
}

/** Dry runs recorded under `root` that were sent and not settled as honoured (a crash, or `ran`). */
export function pendingDryRuns(root: string): DryRunTask[] {
  let names: string[];
  try {
    names = readdirSync(dryRunDir(root)).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  const out: DryRunTask[] = [];
  for (const n of names) {
    try {
      out.push(...(JSON.parse(readFileSync(join(dryRunDir(root), n), "utf8")) as { dryRuns: DryRunTask[] }).dryRuns);
    } catch {
      /* a torn file: its tasks were never sent (written atomically before sending) */
    }
  }
  return out;
}

/**
 * Records dry runs answered like real tasks in a journal beside the lockfile, as tasks sent and
 * acknowledged: every later plan shows their clips as in flight (resume), and the next apply
 * polls them and records what they made and cost. Nothing paid is left out of the record.
 */
export function journalRanDryRuns(o: { lockPath: string; lock: Lockfile; clips: ReadonlyMap<string, DesiredClip>; ran: readonly DryRunTask[] }): string | undefined {
  const journal = new Journal(journalDir(o.lockPath), () => ({ journal: 1, lineage: o.lock.lineage, ...(o.lock.simulated ? { simulated: true as const } : {}) }));
  for (const t of o.ran) {
    const clip = o.clips.get(t.address);
    if (!clip || clip.fingerprint !== t.fingerprint) continue;
    const existing = o.lock.clips[t.address];
    const fresh = !existing || existing.fingerprint !== t.fingerprint;
    const task: LockTask = { taskUUID: t.taskUUID, numberResults: t.numberResults, status: "submitted", submittedAt: t.sentAt, acceptedAt: t.sentAt };
    journal.append({ e: "task", address: t.address, task, entry: fresh ? newEntry(clip) : existing, ...(fresh ? { fresh: true as const } : {}) });
  }
  const path = journal.path;
  journal.sync();
  journal.close();
  return path;
}
