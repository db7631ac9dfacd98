/**
 * Recording: every fact about a task goes to the store through its API (looked up by address and
 * task UUID), so a paid result is written even when its entry went missing meanwhile.
 */
import type { DesiredClip } from "../manifest/index.js";
import { newEntry } from "../lockfile/entries.js";
import type { LockResult } from "../lockfile/schema.js";
import type { LockStore } from "../lockfile/store.js";
import { roundUsd } from "../money/usd.js";
import type { PollResult } from "../runware/poll-result.js";
import { errorInfo } from "./error-info.js";
import type { ApplyEvent, ErrorInfo, GenJob, InFlight } from "./types.js";
import { describeAnomaly } from "../runware/cost.js";

export interface Recorded {
  /** Index of the first new result in the entry. */
  first: number;
  results: LockResult[];
  costUsd: number;
  /** Results sent inline (data: URIs, kept out of the lockfile), by videoUUID: for the download. */
  inline: Map<string, string>;
  /** undefined when the task succeeded. */
  error: ErrorInfo | undefined;
  manifest: string;
  model: string;
  duration: unknown;
  /** Results beyond the task's numberResults, refused (see PollResult.refused). */
  refused: number;
  numberResults: number;
}

export class Recorder {
  constructor(
    private readonly store: LockStore,
    private readonly clips: ReadonlyMap<string, DesiredClip>,
    private readonly now: () => Date,
  ) {}

  /** Written ahead, before the request that spends money leaves. */
  writeAhead(job: GenJob, taskUUID: string): void {
    const c = job.clip;
    this.store.addTask(
      job.address,
      { taskUUID, numberResults: job.count, status: "submitted", submittedAt: this.now().toISOString() },
      () => newEntry(c),
      { fresh: job.fresh, patch: { manifest: c.manifest, numberResults: c.numberResults } },
    );
  }

  /** The API has the task: from now on it is only ever polled. */
  acknowledged(flight: InFlight): void {
    const task = this.store.task(flight.address, flight.taskUUID);
    if (task && !task.acceptedAt) this.store.updateTask(flight.address, flight.taskUUID, { acceptedAt: this.now().toISOString() });
  }

  failed(address: string, taskUUID: string | undefined, info: ErrorInfo): void {
    if (taskUUID) this.store.updateTask(address, taskUUID, { status: "failed", finishedAt: this.now().toISOString(), error: info });
  }

  /** A finished task's results; undefined only when nothing is known of its clip. */
  finished(flight: InFlight, a: PollResult): Recorded | undefined {
    const { store } = this;
    if (!store.task(flight.address, flight.taskUUID)) {
      // The entry or its task went missing from under this run (the lockfile was edited): what
      // this task produced was paid for, so it is recorded all the same.
      const clip = flight.job?.clip ?? this.clips.get(flight.address);
      if (!clip && !store.entry(flight.address)) return undefined;
      const task = { taskUUID: flight.taskUUID, numberResults: Math.max(1, a.items.length), status: "submitted" as const, submittedAt: new Date(flight.since).toISOString() };
      store.addTask(flight.address, task, () => newEntry(clip!));
    }
    const results: LockResult[] = a.items.map((it) => ({
      taskUUID: flight.taskUUID,
      videoUUID: it.videoUUID,
      ...(it.seed !== undefined ? { seed: it.seed } : {}),
      ...(it.cost !== undefined ? { costUsd: it.cost } : {}),
      ...(it.costAnomaly ? { costAnomaly: { raw: it.costAnomaly.raw.slice(0, 200), reason: it.costAnomaly.reason } } : {}),
      // Inline video data is the video itself: it goes to disk, never into the lockfile.
      ...(isInline(it.videoURL) ? {} : { videoURL: it.videoURL }),
      ...(it.NSFWContent !== undefined ? { NSFWContent: it.NSFWContent } : {}),
    }));
    let first = store.addResults(flight.address, results);
    if (flight.variant && results.length === 1 && first >= flight.variant) {
      // A reroll of one variant: the new video takes its place; the old one is kept as a take.
      store.replaceVariant(flight.address, flight.variant - 1, first);
      first = flight.variant - 1;
    }
    const ok = a.status === "success" && !a.error;
    const error = ok ? undefined : errorInfo(a.error);
    store.updateTask(flight.address, flight.taskUUID, {
      finishedAt: this.now().toISOString(),
      status: ok ? "succeeded" : results.length > 0 ? "partial" : "failed",
      ...(error ? { error: { code: error.code, message: error.message } } : {}),
      ...(a.refused ? { refusedResults: a.refused } : {}),
    });
    const entry = store.entry(flight.address)!;
    return {
      first,
      results,
      inline: new Map(a.items.filter((it) => isInline(it.videoURL)).map((it) => [it.videoUUID, it.videoURL])),
      costUsd: roundUsd(results.reduce((s, r) => s + (r.costUsd ?? 0), 0)),
      error,
      manifest: this.clips.get(flight.address)?.manifest ?? entry.manifest,
      model: entry.model,
      duration: entry.request.duration,
      refused: a.refused ?? 0,
      numberResults: store.task(flight.address, flight.taskUUID)?.numberResults ?? results.length,
    };
  }
}

const isInline = (url: string) => url.startsWith("data:");

/** What a finished task's record says, told: its cost anomalies, then success or failure, counted. */
export function reportFinished(flight: InFlight, r: Recorded, tally: { succeeded: number; failed: number }, emit: (e: ApplyEvent) => void, countedUsd = r.costUsd): void {
  const { address, taskUUID } = flight;
  if (r.refused > 0) emit({ type: "results-refused", address, taskUUID, refused: r.refused, numberResults: r.numberResults });
  for (const x of r.results) {
    if (!x.costAnomaly) continue;
    emit({ type: "cost-anomaly", address, taskUUID, videoUUID: x.videoUUID, raw: x.costAnomaly.raw, reason: x.costAnomaly.reason, message: describeAnomaly(x.costAnomaly) });
  }
  if (!r.error) {
    tally.succeeded++;
    emit({ type: "succeeded", address, taskUUID, results: r.results.length, costUsd: r.costUsd, countedUsd });
  } else {
    tally.failed++;
    emit({ type: "failed", address, taskUUID, code: r.error.code, message: r.error.message, ...(r.costUsd ? { costUsd: r.costUsd } : {}), ...(countedUsd ? { countedUsd } : {}) });
  }
}
