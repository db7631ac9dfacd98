/**
 * Live takes, defined once: the takes that must never be dropped. Pure: no I/O.
 *
 * A take (one task and its variants) is live when
 * - `current`: a clip uses it now, with no pick: its entry holds the take's videos (its own
 *   results, or copies of a kept take's after a revert);
 * - `picked`: it is the take picked (`clipform pick`) for the request a clip has now;
 * - `chained`: a live take's request was made from a frame of it (`image: {from: …}`): by the
 *   video recorded beside the frame, or by the frame's content hash (`results[].frames`);
 * - `film`: a sequence's film was cut from one of its videos (`.clipform/sequences.json`);
 * - `in-flight`: one of its tasks was sent and has not finished (it may be paid for already).
 *
 * `prune` drops only what is not live; `plan`, `status`, `report` and `watch` show the video a
 * clip uses through usedResults(), the same choice.
 */
import { inFlight } from "../core/states.js";
import { own } from "../util/own.js";
import type { LockEntry, Lockfile, LockResult, LockTake } from "./schema.js";

export const LIVE_REASONS = ["current", "picked", "chained", "film", "in-flight"] as const;
export type LiveReason = (typeof LIVE_REASONS)[number];

/** How each reason reads in a sentence ("kept: picked"). */
export const LIVE_WORDS: Record<LiveReason, string> = {
  current: "used by a clip",
  picked: "picked",
  chained: "a chained clip was made from its frame",
  film: "a film was cut from it",
  "in-flight": "in flight",
};

/**
 * The results `address` uses, in variant order: those of its picked take, else its entry's
 * current variants. Variants the clip gained after the pick (numberResults grew) follow the
 * picked take's own. A pick whose take holds no video any more (pruned by a clipform that did
 * not keep picked takes) is not followed: see lostPick.
 */
export function usedResults(lock: Lockfile, address: string): LockResult[] {
  const entry = own(lock.clips, address);
  if (!entry) return [];
  const picked = entry.picked ? resultsOfTask(entry, own(lock.takes, entry.fingerprint), entry.picked) : [];
  if (picked.length === 0) return entry.results;
  return [...picked, ...entry.results.slice(picked.length).filter((r) => r.taskUUID !== entry.picked)];
}

/** The clip's pick, when its take holds no video any more: the clip uses its current variants instead. */
export function lostPick(lock: Lockfile, address: string): string | undefined {
  const entry = own(lock.clips, address);
  return entry?.picked && resultsOfTask(entry, own(lock.takes, entry.fingerprint), entry.picked).length === 0 ? entry.picked : undefined;
}

/** The results of one task of an entry's request: the entry's own, then those kept among its takes, each video once. */
export function resultsOfTask(entry: Readonly<LockEntry>, kept: Readonly<LockTake> | undefined, taskUUID: string): LockResult[] {
  const seen = new Set<string>();
  return [...entry.results, ...(kept?.results ?? [])].filter((r) => r.taskUUID === taskUUID && !seen.has(r.videoUUID) && seen.add(r.videoUUID));
}

/**
 * The takes (task UUIDs) `address` uses: its picked take; else the tasks its current variants
 * came from; else, before any result, its latest task that did not fail.
 */
export function usedTasks(lock: Lockfile, address: string): Set<string> {
  const entry = own(lock.clips, address);
  if (!entry) return new Set();
  if (entry.picked && !lostPick(lock, address)) return new Set([entry.picked]);
  if (entry.results.length > 0) return new Set(entry.results.map((r) => r.taskUUID));
  const latest = [...entry.tasks].reverse().find((t) => t.status !== "failed");
  return new Set(latest ? [latest.taskUUID] : []);
}

export interface LiveTakes {
  /** Why each live video must be kept, by video UUID. */
  videos: ReadonlyMap<string, ReadonlySet<LiveReason>>;
  /** Why each live task must be kept, by task UUID. */
  tasks: ReadonlyMap<string, ReadonlySet<LiveReason>>;
}

export interface LiveInput {
  /** The video UUIDs the project's films were last cut from (every sequence record, real and simulated as relevant). */
  films?: Iterable<string>;
}

const mark = (m: Map<string, Set<LiveReason>>, id: string, why: LiveReason): void => {
  const s = m.get(id);
  if (s) s.add(why);
  else m.set(id, new Set([why]));
};

/** Frames a request was made from: videos named beside a frame, and frame content hashes. */
function frameSources(request: Record<string, unknown>): { videos: string[]; frames: string[] } {
  const videos: string[] = [];
  const frames: string[] = [];
  const image = (v: unknown) => {
    if (typeof v === "string" && v.startsWith("frame:")) frames.push(v);
  };
  if (Array.isArray(request.frameImages)) {
    // Lockfile data: an item may be anything, null included.
    for (const f of request.frameImages as ({ video?: unknown; image?: unknown } | null)[]) {
      if (typeof f?.video === "string") videos.push(f.video);
      image(f?.image);
    }
  }
  const refs = (request.otherInputs as { referenceImages?: unknown } | undefined)?.referenceImages;
  if (Array.isArray(refs)) for (const r of refs) image(r);
  return { videos, frames };
}

export function liveTakes(lock: Lockfile, input: LiveInput = {}): LiveTakes {
  const videos = new Map<string, Set<LiveReason>>();
  const tasks = new Map<string, Set<LiveReason>>();
  const kept = Object.values(lock.takes ?? {});
  for (const [address, e] of Object.entries(lock.clips)) {
    for (const t of e.tasks) if (inFlight(t)) mark(tasks, t.taskUUID, "in-flight");
    if (e.picked && !lostPick(lock, address)) {
      mark(tasks, e.picked, "picked");
      for (const r of usedResults(lock, address)) mark(videos, r.videoUUID, "picked");
    } else {
      for (const r of e.results) mark(videos, r.videoUUID, "current");
    }
  }
  for (const t of kept) for (const x of t.tasks) if (inFlight(x)) mark(tasks, x.taskUUID, "in-flight");
  for (const v of input.films ?? []) mark(videos, v, "film");

  // Chains: the frames live requests were made from keep their videos; a take kept for that
  // reason is live too, and so are the frames its own request was made from.
  const byFrame = new Map<string, string[]>();
  const all = [...Object.values(lock.clips).flatMap((e) => e.results), ...kept.flatMap((t) => t.results)];
  for (const r of all) {
    for (const f of [r.frames?.first, r.frames?.last]) {
      if (!f) continue;
      const list = byFrame.get(f);
      if (list) list.push(r.videoUUID);
      else byFrame.set(f, [r.videoUUID]);
    }
  }
  const requests: Record<string, unknown>[] = Object.values(lock.clips).map((e) => e.request);
  const scanned = new Set<LockTake>();
  const isLive = (t: LockTake) => t.results.some((r) => videos.has(r.videoUUID)) || t.tasks.some((x) => tasks.has(x.taskUUID));
  for (;;) {
    for (const t of kept) {
      if (scanned.has(t) || !isLive(t)) continue;
      scanned.add(t);
      requests.push(t.request);
    }
    if (requests.length === 0) return { videos, tasks };
    for (const req of requests.splice(0)) {
      const src = frameSources(req);
      for (const v of [...src.videos, ...src.frames.flatMap((f) => byFrame.get(f) ?? [])]) mark(videos, v, "chained");
    }
  }
}

/** Why the kept takes of one request must stay (every reason of its tasks and videos, in LIVE_REASONS order); empty when prune may drop them. */
export function whyKept(live: LiveTakes, take: Readonly<LockTake>): LiveReason[] {
  const why = new Set<LiveReason>();
  for (const t of take.tasks) for (const r of live.tasks.get(t.taskUUID) ?? []) why.add(r);
  for (const x of take.results) for (const r of live.videos.get(x.videoUUID) ?? []) why.add(r);
  return LIVE_REASONS.filter((r) => why.has(r));
}
