/**
 * Two applies at once (after `unlock --force`, or a second CI job) must never both pay for one
 * request: the README promises it, and two forced applies made 14 submits for 8 clips. Right
 * before a submit round writes its new tasks ahead, each request is
 * - claimed: a file named by its fingerprint under .clipform/claims/, created exclusively and
 *   holding this process's pid. A claim held by another live process means that process is
 *   about to send (or sent) this request: it is not sent here. A claim whose holder is gone is
 *   stale and taken over (what that process sent is in its journal, checked next);
 * - looked up in what the other applies recorded since this run planned: the lockfile as it is
 *   now (a foreign write, merged by the store) and every other journal beside it. A task there
 *   for the same address and fingerprint, unknown to this run, was sent by the other apply.
 * Claims are removed when the run ends; a killed run's claims are stale by their pid.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { foldJournals, journalWriter, pendingJournals } from "../lockfile/journal.js";
import type { LockStore } from "../lockfile/store.js";
import type { Lockfile } from "../lockfile/schema.js";
import { ClipformError } from "../errors.js";
import { isAlive } from "../lockfile/statelock.js";
import { STATE_DIR } from "../core/layout.js";
import type { GenJob } from "./types.js";
import { pulledByOthers } from "./work.js";

export const claimsDir = (lockPath: string) => join(dirname(lockPath), STATE_DIR, "claims");

export class Claims {
  readonly #dir: string;
  readonly #held = new Set<string>();
  /** "pid run": two runs in one process (watch, tests) are told apart too. */
  readonly #me = `${process.pid} ${randomUUID()}`;

  constructor(lockPath: string) {
    this.#dir = claimsDir(lockPath);
  }

  /** Claims `fingerprint` for this process: undefined when it is ours now, else the pid of the live apply that holds it. */
  take(fingerprint: string): number | undefined {
    const path = join(this.#dir, createHash("sha256").update(fingerprint).digest("hex").slice(0, 40));
    if (this.#held.has(path)) return undefined;
    mkdirSync(this.#dir, { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(path, `${this.#me}\n`, { flag: "wx" });
        this.#held.add(path);
        return undefined;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      let text: string;
      try {
        text = readFileSync(path, "utf8").trim();
      } catch {
        continue; // released meanwhile: try again
      }
      if (text === this.#me) return undefined;
      const holder = Number(text.split(" ")[0]);
      if (Number.isSafeInteger(holder) && holder > 0 && isAlive(holder)) return holder;
      try {
        unlinkSync(path); // stale: its holder is gone
      } catch {
        /* someone else took it over first */
      }
    }
    return undefined;
  }

  /** The run is over: its claims go (the requests are in its record now). */
  releaseAll(): void {
    for (const path of this.#held) {
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    }
    this.#held.clear();
  }
}

/** A task for `job`'s request at its address that this run did not send and did not know of. */
const sentElsewhere = (lock: Lockfile, job: GenJob, known: ReadonlySet<string>) => pulledByOthers(lock.clips[job.address], job, known);

/** The other applies' journals folded over `lock`; undefined when one cannot be read (the claims still hold). */
function othersFolded(lock: Lockfile, journals: readonly string[]): Lockfile | undefined {
  try {
    return foldJournals(lock, journals);
  } catch (e) {
    if (e instanceof ClipformError) return undefined;
    throw e;
  }
}

/**
 * Removes (in place) the jobs another apply claimed or recorded, calling `skip` for each; claims
 * the rest for this run.
 */
export function dropClaimedElsewhere<T extends { job: GenJob }>(
  items: T[],
  o: { claims: Claims; store: LockStore; known: ReadonlySet<string>; skip: (address: string, reason: string) => void },
): void {
  if (items.length === 0) return;
  o.store.sync();
  const others = pendingJournals(o.store.path).filter((p) => journalWriter(p) !== process.pid);
  let folded: Lockfile | undefined | null = others.length > 0 ? undefined : null;
  for (let i = items.length - 1; i >= 0; i--) {
    const { job } = items[i]!;
    const holder = o.claims.take(job.clip.fingerprint);
    let why: string | undefined;
    if (holder !== undefined) why = `not sent: another apply (pid ${holder}) is sending this very request; nothing is paid twice (the next plan shows it)`;
    // Worded as the engine's own check of foreign writes (engine.ts), which this one backs up.
    else if (sentElsewhere(o.store.lock, job, o.known)) why = "not sent: the lockfile gained a task for this very request during this run (a git pull, another machine); the next plan shows it";
    else if (folded !== null && (folded ??= othersFolded(o.store.lock, others) ?? null) && sentElsewhere(folded, job, o.known)) why = "not sent: another apply journaled this very request; nothing is paid twice (the next plan shows it)";
    if (!why) continue;
    items.splice(i, 1);
    o.skip(job.address, why);
  }
}
