/**
 * The apply engine: turns a plan into paid generations, files on disk and lockfile entries.
 *
 * Never pay twice: each task's UUID is written to the lockfile (atomically, durably) before the
 * request that spends money leaves; a recorded task is only ever polled again, and a retried
 * submit reuses its UUID. Never pay by surprise: only the plan's changes are executed, and
 * submission stops before the actual spend could cross a budget.
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import pLimit from "p-limit";
import type { DesiredClip } from "../manifest/index.js";
import type { LockEntry, LockResult, LockTask } from "../lockfile/schema.js";
import type { LockStore } from "../lockfile/store.js";
import type { Change, Plan } from "../plan/plan.js";
import { priceKey, roundUsd, type PriceBook } from "../plan/prices.js";
import { newEntry } from "../lockfile/entries.js";
import { ImageUploader } from "../runware/upload.js";
import type { PollResult } from "../runware/poll-result.js";
import type { SubmitResult } from "../runware/client.js";
import type { RunwareError } from "../runware/errors.js";
import { ClipformError } from "../errors.js";
import { outputPath, recordedPath } from "./outputs.js";
import { STATE_DIR } from "./statelock.js";
import { buildTask, type VideoTask } from "./request.js";

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_POLL_INTERVAL_MS = 2_000;
export const MAX_POLL_INTERVAL_MS = 10_000;
export const POLL_BACKOFF = 1.5;
/** Once generation times are known, a task is polled from this fraction of the typical time on. */
export const DUE_FRACTION = 0.9;
export const DOWNLOAD_CONCURRENCY = 8;
/** Tasks sent per submit request (the client splits further if its own bound is lower). */
export const SUBMIT_BATCH = 50;
/**
 * A recorded task the API does not know is resubmitted (same UUID) only this soon after it was
 * recorded: it was written ahead and never sent. Older unknown tasks may have expired after
 * being paid for, so they are marked failed and the user decides (the next plan shows retry).
 */
export const RESUBMIT_WINDOW_MS = 60 * 60 * 1000;

export interface ApiClient {
  submitVideo(tasks: VideoTask[]): Promise<SubmitResult[]>;
  poll(taskUUIDs: string[]): Promise<Map<string, PollResult>>;
  uploadImage(image: string): Promise<string>;
  download(url: string, dest: string, opts?: { expectedSha256?: string; partKey?: string }): Promise<{ sha256: string; bytes: number }>;
}

export type ApplyEvent =
  | { type: "reused"; address: string; from: string; results: number }
  | { type: "deleted"; address: string }
  | { type: "submitted"; address: string; taskUUID: string; numberResults: number; estimateUsd: number }
  | { type: "resumed"; address: string; taskUUIDs: string[] }
  | { type: "progress"; address: string; progress: number }
  /** The submit's outcome is unknown: the task stays recorded and is polled, never resent blindly. */
  | { type: "unconfirmed"; address: string; taskUUID: string; message: string }
  | { type: "succeeded"; address: string; taskUUID: string; results: number; costUsd: number }
  | { type: "failed"; address: string; taskUUID?: string; code: string; message: string; costUsd?: number }
  | { type: "downloaded"; address: string; file: string; bytes: number }
  | { type: "download-failed"; address: string; file: string; message: string }
  | { type: "skipped"; address: string; reason: string }
  | { type: "budget-stop"; scope: string; limitUsd: number; committedUsd: number }
  | { type: "concurrency"; limit: number; reason: string }
  /** One polling round: how many tasks it asked about. */
  | { type: "polled"; tasks: number }
  | { type: "stopping" }
  | { type: "note"; message: string };

export interface BudgetLimit {
  scope: string;
  limitUsd: number;
  /** Which clips count against it (all when undefined). */
  manifest?: string;
}

export interface EngineOptions {
  root: string;
  outDir: string;
  plan: Plan;
  clips: ReadonlyMap<string, DesiredClip>;
  store: LockStore;
  client: ApiClient;
  concurrency: number;
  pollIntervalMs: number;
  budgets: BudgetLimit[];
  /** Prices for work the plan did not price (a resumed task that must be sent again). */
  prices: PriceBook;
  now: () => Date;
  uuid: () => string;
  sleep: (ms: number) => Promise<void>;
  emit: (e: ApplyEvent) => void;
}

export interface ApplySummary {
  succeeded: number;
  failed: number;
  resumed: number;
  reused: number;
  downloaded: number;
  downloadFailed: number;
  deleted: number;
  skipped: number;
  spentUsd: number;
  estimatedUsd: number;
  submitted: number;
  stoppedEarly: boolean;
}

/** A reuse source: its entry and where each result's file can be read. */
interface Snapshot {
  entry: LockEntry;
  file(r: LockResult): string | undefined;
  cleanup(): void;
}

interface GenJob {
  address: string;
  clip: DesiredClip;
  count: number;
  /** replace/create start the entry afresh; add-variants/retry append. */
  fresh: boolean;
  estimateUsd: number;
}

interface InFlight {
  address: string;
  taskUUID: string;
  estimateUsd: number;
  /** To resubmit a write-ahead task the API never received. */
  job?: GenJob;
  /** When it was sent (or resumed), in ms since the epoch. */
  since: number;
}

export function emptySummary(estimatedUsd = 0): ApplySummary {
  return { succeeded: 0, failed: 0, resumed: 0, reused: 0, downloaded: 0, downloadFailed: 0, deleted: 0, skipped: 0, spentUsd: 0, estimatedUsd, submitted: 0, stoppedEarly: false };
}

export class ApplyEngine {
  readonly #o: EngineOptions;
  readonly #pending: GenJob[] = [];
  readonly #inflight = new Map<string, InFlight>();
  readonly #downloads = new Set<Promise<void>>();
  readonly #downloadLimit = pLimit(DOWNLOAD_CONCURRENCY);
  /** Each distinct local image is uploaded once per run. */
  readonly #images: ImageUploader;
  readonly #s: ApplySummary;
  #limit: number;
  #stopping = false;
  /** Set by a 429; a submit round without one lets the limit grow back by one. */
  #rateLimitedRecently = false;
  #budgetStopped = false;
  /** Money charged in this run, per manifest (for manifest budgets). */
  readonly #spentBy = new Map<string, number>();
  /** The latest save's verdict on queued work (watch): see cancelQueued. */
  #obsolete: ((address: string, fingerprint: string) => boolean) | undefined;
  /** Task UUIDs sent again after the API said it did not know them (at most once each). */
  readonly #resent = new Set<string>();
  /** The most this run was charged per result, by model and duration. */
  readonly #chargedPerResult = new Map<string, number>();
  /** How long this run's generations took, from send to the poll that saw them finish. */
  readonly #durations: number[] = [];

  constructor(options: EngineOptions) {
    this.#o = options;
    this.#limit = Math.max(1, options.concurrency);
    this.#images = new ImageUploader(options.client);
    this.#s = emptySummary(options.plan.summary.estimated_cost_usd);
  }

  /** First Ctrl-C: submit nothing more, keep polling what is in flight and record it. */
  stopSubmitting(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#s.stoppedEarly = true;
    this.#o.emit({ type: "stopping" });
  }

  /**
   * Drops queued (not yet submitted) work for which `obsolete` says true, e.g. after a newer save
   * changed the clip. Work already submitted is never cancelled: it is paid for and recorded.
   */
  cancelQueued(obsolete: (address: string, fingerprint: string) => boolean): string[] {
    this.#obsolete = obsolete; // also checked once more just before a batch is written ahead
    return this.#dropObsolete(this.#pending, (job) => job).map((job) => job.address);
  }

  /** Removes (in place) the items whose job the latest save made obsolete; returns them. */
  #dropObsolete<T>(items: T[], jobOf: (item: T) => GenJob): T[] {
    const dropped: T[] = [];
    for (let i = items.length - 1; i >= 0; i--) {
      const job = jobOf(items[i]!);
      if (!this.#obsolete?.(job.address, job.clip.fingerprint)) continue;
      dropped.push(...items.splice(i, 1));
      this.#skip(job.address, "cancelled before submission: a newer save made it obsolete");
    }
    return dropped;
  }

  /** The API said slow down: halve the generations in flight (grows back one by one). */
  onRateLimited(): void {
    this.#rateLimitedRecently = true;
    const next = Math.max(1, Math.floor(this.#limit / 2));
    if (next !== this.#limit) {
      this.#limit = next;
      this.#o.emit({ type: "concurrency", limit: next, reason: "rate limited (429): halved" });
    }
  }

  async run(): Promise<ApplySummary> {
    const { plan, store } = this.#o;
    const later: Change[] = [];
    // Local work first: copies of existing generations (before their old address is dropped), then deletions.
    // A source is read as it was before this apply changed anything (two clips swapping names
    // must not copy from an entry already overwritten), and only if it holds the very generation
    // the clip wants; a source regenerated by this apply is copied once that is done.
    const now: { ch: Change; source: Snapshot }[] = [];
    for (const ch of plan.changes) {
      if (ch.action !== "reuse") continue;
      const source = this.#reusable(ch);
      if (source) now.push({ ch, source: this.#snapshot(source) });
      else later.push(ch);
    }
    try {
      for (const { ch, source } of now) this.#reuse(ch, source);
    } finally {
      for (const { source } of now) source.cleanup();
    }
    for (const ch of plan.changes) if (ch.action === "delete") this.#delete(ch.address);
    store.flush();

    for (const ch of plan.changes) {
      switch (ch.action) {
        case "create":
        case "replace":
          this.#queue(ch, ch.generate, true);
          break;
        case "add-variants":
        case "retry":
          this.#queue(ch, ch.generate, false);
          break;
        case "reuse":
          if (ch.generate > 0 && store.entry(ch.address)) this.#queue(ch, ch.generate, false);
          break;
        case "resume":
          this.#resume(ch);
          break;
        case "download":
          this.#download(ch.address, ch.downloads ?? []);
          break;
        default:
          break;
      }
    }
    await this.#loop();
    await this.#drainDownloads();
    // Copies of generations this apply created, now that they exist.
    for (const ch of later) {
      const source = this.#reusable(ch);
      if (source) this.#reuse(ch, { entry: source, file: (r) => (r.file ? resolve(this.#o.root, r.file) : undefined), cleanup: () => {} });
      else this.#skip(ch.address, `${ch.reuseFrom} did not finish; the next plan will create it`);
    }
    await this.#drainDownloads();
    store.flush();
    this.#s.spentUsd = roundUsd(this.#s.spentUsd);
    return this.#s;
  }

  #clip(address: string): DesiredClip {
    const clip = this.#o.clips.get(address);
    if (!clip) throw new Error(`internal: no desired clip for ${address}`);
    return clip;
  }

  #queue(ch: Change, count: number, fresh: boolean): void {
    if (count <= 0) return;
    this.#pending.push({ address: ch.address, clip: this.#clip(ch.address), count, fresh, estimateUsd: ch.estimate?.usd ?? 0 });
  }

  #skip(address: string, reason: string): void {
    this.#s.skipped++;
    this.#o.emit({ type: "skipped", address, reason });
  }

  #delete(address: string): void {
    this.#o.store.delete(address);
    this.#s.deleted++;
    this.#o.emit({ type: "deleted", address });
  }

  /** The source entry of a reuse, if it now holds the generation the clip wants. */
  #reusable(ch: Change): LockEntry | undefined {
    const source = ch.reuseFrom ? this.#o.store.entry(ch.reuseFrom) : undefined;
    const clip = this.#o.clips.get(ch.address);
    return source && clip && source.fingerprint === clip.fingerprint && source.results.length > 0 ? source : undefined;
  }

  /** A copy of a source entry and its files, taken before any reuse writes anything. */
  #snapshot(entry: LockEntry): Snapshot {
    const dir = join(this.#o.root, STATE_DIR, "tmp", this.#o.uuid());
    const files = new Map<LockResult, string>();
    const copy = structuredClone(entry);
    copy.results.forEach((r, i) => {
      if (!r.file) return;
      const tmp = join(dir, String(i));
      try {
        mkdirSync(dir, { recursive: true });
        copyFileSync(resolve(this.#o.root, r.file), tmp);
        files.set(r, tmp);
      } catch {
        /* the source file is missing: the copy gets none, and the next plan downloads it */
      }
    });
    return { entry: copy, file: (r) => files.get(r), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }

  #reuse(ch: Change, source: Snapshot): void {
    const { store, root, outDir } = this.#o;
    const clip = this.#clip(ch.address);
    const results: LockResult[] = source.entry.results.slice(0, clip.numberResults).map((r, i) => {
      const copy: LockResult = { ...r };
      delete copy.file;
      const from = source.file(r);
      if (from) {
        const dest = outputPath(root, outDir, ch.address, i, clip.generation.outputFormat);
        try {
          mkdirSync(dirname(dest), { recursive: true });
          copyFileSync(from, dest);
          copy.file = recordedPath(root, dest);
        } catch {
          /* the source file is missing: the next plan downloads it again while its URL lives */
        }
      }
      return copy;
    });
    store.set(ch.address, { ...newEntry(clip), results });
    this.#s.reused++;
    this.#o.emit({ type: "reused", address: ch.address, from: ch.reuseFrom!, results: results.length });
  }

  #resume(ch: Change): void {
    const entry = this.#o.store.entry(ch.address);
    if (!entry) return;
    const tasks = ch.resumeTasks ?? [];
    const clip = this.#o.clips.get(ch.address);
    for (const t of tasks) {
      const task = entry.tasks.find((x) => x.taskUUID === t);
      // Only a task the API never acknowledged may be sent again (same UUID), if the API says it
      // does not know it: it was written ahead and the crash came before the request left.
      const resendable = task && !task.acceptedAt && clip && clip.fingerprint === entry.fingerprint;
      const job: GenJob | undefined = resendable
        ? { address: ch.address, clip, count: task.numberResults, fresh: false, estimateUsd: (this.#o.prices(clip.generation.model, clip.generation.duration)?.usd ?? 0) * task.numberResults }
        : undefined;
      this.#inflight.set(t, { address: ch.address, taskUUID: t, estimateUsd: 0, since: this.#o.now().getTime(), ...(job ? { job } : {}) });
    }
    this.#s.resumed++;
    this.#o.emit({ type: "resumed", address: ch.address, taskUUIDs: tasks });
  }

  /** Money already spent in this run plus what is committed in flight, per budget scope. */
  #committed(limit: BudgetLimit): number {
    let sum = 0;
    for (const f of this.#inflight.values()) if (!limit.manifest || this.#o.clips.get(f.address)?.manifest === limit.manifest) sum += f.estimateUsd;
    return sum + (limit.manifest ? (this.#spentBy.get(limit.manifest) ?? 0) : this.#s.spentUsd);
  }

  /**
   * What a job is expected to cost: the plan's estimate, or more when this run has already been
   * charged more per result for the same model and duration (estimates can be wrong; charges are not).
   */
  #expected(job: GenJob): number {
    const seen = this.#chargedPerResult.get(priceKey(job.clip.generation.model, job.clip.generation.duration));
    return seen === undefined ? job.estimateUsd : Math.max(job.estimateUsd, seen * job.count);
  }

  /** Whether `job` still fits every budget, counting jobs already taken for this batch. */
  #withinBudget(job: GenJob, taken: readonly GenJob[]): boolean {
    for (const b of this.#o.budgets) {
      if (b.manifest && b.manifest !== job.clip.manifest) continue;
      const reserved = taken.filter((t) => !b.manifest || t.clip.manifest === b.manifest).reduce((s, t) => s + this.#expected(t), 0);
      const committed = this.#committed(b) + reserved;
      if (committed + this.#expected(job) > b.limitUsd + 1e-9) {
        if (!this.#budgetStopped) this.#o.emit({ type: "budget-stop", scope: b.scope, limitUsd: b.limitUsd, committedUsd: roundUsd(committed) });
        this.#budgetStopped = true;
        return false;
      }
    }
    return true;
  }

  async #loop(): Promise<void> {
    const { pollIntervalMs, sleep } = this.#o;
    let backoff = pollIntervalMs;
    while (true) {
      const submitted = await this.#submitSome();
      if (this.#inflight.size === 0) {
        if (this.#pending.length === 0 || this.#stopping || this.#budgetStopped) break;
        continue;
      }
      await sleep(this.#nextPollIn(backoff));
      const changed = await this.#pollOnce();
      this.#o.store.flush();
      backoff = changed || submitted ? pollIntervalMs : Math.min(MAX_POLL_INTERVAL_MS, Math.round(backoff * POLL_BACKOFF));
    }
    for (const job of this.#pending.splice(0)) {
      this.#skip(job.address, this.#budgetStopped ? "not submitted: the budget would be exceeded" : "not submitted: apply was interrupted");
    }
  }

  /**
   * How long to wait before the next poll. Until a generation of this run has finished, plain
   * exponential backoff. After that, the typical generation time is known: sleep until the next
   * task is due, then poll at the base interval while tasks are due, so results are seen
   * promptly without polling a task that cannot be ready yet.
   */
  #nextPollIn(backoff: number): number {
    const base = this.#o.pollIntervalMs;
    if (this.#durations.length === 0) return backoff;
    const sorted = [...this.#durations].sort((a, b) => a - b);
    const typical = sorted[sorted.length >> 1]!;
    const now = this.#o.now().getTime();
    let soonest = Infinity;
    for (const f of this.#inflight.values()) soonest = Math.min(soonest, f.since + typical * DUE_FRACTION - now);
    if (soonest <= 0) return base;
    return Math.max(base, Math.min(soonest, backoff));
  }

  /** Submits pending jobs up to the concurrency limit. Returns whether anything was sent. */
  async #submitSome(): Promise<boolean> {
    if (this.#o.store.rescued && !this.#stopping) {
      // The lockfile cannot take more records (the store said why): submit nothing more.
      this.#stopping = true;
      this.#s.stoppedEarly = true;
    }
    if (this.#stopping || this.#budgetStopped) return false;
    const room = Math.min(this.#limit - this.#inflight.size, SUBMIT_BATCH);
    if (room <= 0 || this.#pending.length === 0) return false;
    const batch: GenJob[] = [];
    while (batch.length < room && this.#pending.length > 0) {
      const job = this.#pending[0]!;
      if (!this.#withinBudget(job, batch)) break;
      this.#pending.shift();
      batch.push(job);
    }
    if (batch.length === 0) return false;

    // Build every task first (uploading local images once), then write ahead, then send.
    const built: { job: GenJob; task: VideoTask }[] = [];
    for (const job of batch) {
      try {
        built.push({ job, task: await buildTask(job.clip, this.#o.uuid(), job.count, this.#images) });
      } catch (e) {
        this.#fail(job.address, undefined, errorInfo(e));
      }
    }
    // A save may have made some of these obsolete while their images uploaded: drop those now.
    this.#dropObsolete(built, (b) => b.job);
    if (built.length === 0) return false;
    for (const { job, task } of built) this.#recordSubmitted(job, task.taskUUID);
    this.#o.store.flush();
    const sentAt = this.#o.now().getTime();
    for (const { job, task } of built) this.#inflight.set(task.taskUUID, { address: job.address, taskUUID: task.taskUUID, estimateUsd: this.#expected(job), job, since: sentAt });

    let results: SubmitResult[];
    try {
      results = await this.#o.client.submitVideo(built.map((b) => b.task));
    } catch (e) {
      // Whatever happened, the tasks are recorded: the next poll (or the next apply) settles them.
      const info = errorInfo(e);
      for (const { job, task } of built) this.#o.emit({ type: "unconfirmed", address: job.address, taskUUID: task.taskUUID, message: `${info.code}: ${info.message}` });
      return true;
    }
    for (const r of results) {
      const flight = this.#inflight.get(r.taskUUID);
      if (!flight) continue;
      if (r.status === "rejected") {
        this.#inflight.delete(r.taskUUID);
        this.#fail(flight.address, r.taskUUID, errorInfo(r.error));
      } else {
        this.#s.submitted++;
        this.#o.emit({ type: "submitted", address: flight.address, taskUUID: r.taskUUID, numberResults: flight.job?.count ?? 0, estimateUsd: flight.estimateUsd });
        if (!r.unconfirmed) this.#acknowledged(flight);
      }
    }
    this.#o.store.flush();
    if (!this.#rateLimitedRecently && this.#limit < this.#o.concurrency) {
      this.#limit++;
      this.#o.emit({ type: "concurrency", limit: this.#limit, reason: "no rate limit: growing back" });
    }
    this.#rateLimitedRecently = false;
    return true;
  }

  #recordSubmitted(job: GenJob, taskUUID: string): void {
    const { store, now } = this.#o;
    const task: LockTask = { taskUUID, numberResults: job.count, status: "submitted", submittedAt: now().toISOString() };
    const existing = store.entry(job.address);
    const c = job.clip;
    const base: LockEntry = job.fresh || !existing ? newEntry(c) : { ...existing, manifest: c.manifest, numberResults: c.numberResults };
    base.tasks = [...base.tasks, task];
    store.set(job.address, base);
  }

  async #pollOnce(): Promise<boolean> {
    const ids = [...this.#inflight.keys()];
    let answers: Map<string, PollResult>;
    try {
      answers = await this.#o.client.poll(ids);
    } catch (e) {
      // Transient trouble outlasting the client's own retries: try again next tick. A refusal
      // that waiting cannot fix (a bad key, no credit) ends the run; the tasks stay recorded.
      if ((e as RunwareError).retryable !== false) return false;
      this.#o.store.flush();
      const info = errorInfo(e);
      throw new ClipformError("API", `polling was refused: ${info.code}: ${info.message}. The ${ids.length} task${ids.length === 1 ? "" : "s"} in flight stay recorded; the next apply resumes them.`);
    }
    this.#o.emit({ type: "polled", tasks: ids.length });
    let changed = false;
    const resubmit: InFlight[] = [];
    for (const id of ids) {
      const a = answers.get(id);
      const flight = this.#inflight.get(id)!;
      if (!a) continue;
      // Any answer but "not found" means the API has the task: it is never sent again.
      if (a.status !== "notFound") this.#acknowledged(flight);
      if (a.status === "processing") {
        if (a.progress !== undefined) this.#o.emit({ type: "progress", address: flight.address, progress: a.progress });
        continue;
      }
      if (a.status === "notFound") {
        const task = this.#task(flight);
        const age = task ? this.#o.now().getTime() - Date.parse(task.submittedAt) : Infinity;
        if (flight.job && !task?.acceptedAt && !this.#resent.has(id) && age < RESUBMIT_WINDOW_MS) {
          resubmit.push(flight);
          continue;
        }
        this.#inflight.delete(id);
        this.#fail(flight.address, id, { code: "taskNotFound", message: "the API does not know this task (never received, or expired); the next plan will offer to retry it" });
        changed = true;
        continue;
      }
      this.#inflight.delete(id);
      changed = true;
      this.#durations.push(this.#o.now().getTime() - flight.since);
      this.#record(flight, a);
    }
    if (resubmit.length > 0) await this.#resubmit(resubmit);
    return changed;
  }

  /** The API has the task: record it, and never send it again, whatever a later poll says. */
  #acknowledged(flight: InFlight): void {
    const task = this.#task(flight);
    if (task && !task.acceptedAt) {
      task.acceptedAt = this.#o.now().toISOString();
      this.#o.store.touch();
    }
    delete flight.job;
  }

  #task(flight: InFlight): LockTask | undefined {
    return this.#o.store.entry(flight.address)?.tasks.find((t) => t.taskUUID === flight.taskUUID);
  }

  /**
   * Tasks written ahead but never received by the API: sent now with their recorded UUID, once,
   * like any new submission: not after Ctrl-C and not past a budget. Those held back stay
   * recorded, unacknowledged, for the next apply.
   */
  async #resubmit(flights: InFlight[]): Promise<void> {
    const tasks: VideoTask[] = [];
    const taken: GenJob[] = [];
    for (const f of flights) {
      if (this.#stopping || !this.#withinBudget(f.job!, taken)) {
        this.#inflight.delete(f.taskUUID);
        this.#skip(f.address, this.#stopping ? "not sent again: apply was interrupted (the next apply resumes it)" : "not sent again: the budget would be exceeded (the next apply resumes it)");
        continue;
      }
      taken.push(f.job!);
      this.#resent.add(f.taskUUID);
      f.estimateUsd = this.#expected(f.job!);
      try {
        tasks.push(await buildTask(f.job!.clip, f.taskUUID, this.#task(f)?.numberResults ?? f.job!.count, this.#images));
      } catch (e) {
        this.#inflight.delete(f.taskUUID);
        this.#fail(f.address, f.taskUUID, errorInfo(e));
      }
    }
    if (tasks.length === 0) return;
    try {
      const results = await this.#o.client.submitVideo(tasks);
      for (const r of results) {
        const f = this.#inflight.get(r.taskUUID);
        if (!f) continue;
        if (r.status === "rejected") {
          this.#inflight.delete(r.taskUUID);
          this.#fail(f.address, r.taskUUID, errorInfo(r.error));
        } else if (!r.unconfirmed) {
          this.#acknowledged(f);
        }
      }
    } catch {
      /* still recorded; polled again next tick */
    }
  }

  #record(flight: InFlight, a: PollResult): void {
    const { store, now } = this.#o;
    let entry = store.entry(flight.address);
    let task = entry?.tasks.find((t) => t.taskUUID === flight.taskUUID);
    if (!entry || !task) {
      // The entry or its task went missing from under this run (the lockfile was edited): what
      // this task produced was paid for, so it is recorded all the same.
      const clip = flight.job?.clip ?? this.#o.clips.get(flight.address);
      if (!clip && !entry) return;
      entry ??= newEntry(clip!);
      task = { taskUUID: flight.taskUUID, numberResults: Math.max(1, a.items.length), status: "submitted", submittedAt: new Date(flight.since).toISOString() };
      entry.tasks.push(task);
      store.set(flight.address, entry);
    }
    const first = entry.results.length;
    const results: LockResult[] = a.items.map((it) => ({
      taskUUID: flight.taskUUID,
      videoUUID: it.videoUUID,
      ...(it.seed !== undefined ? { seed: it.seed } : {}),
      ...(it.cost !== undefined ? { costUsd: it.cost } : {}),
      videoURL: it.videoURL,
      ...(it.NSFWContent !== undefined ? { NSFWContent: it.NSFWContent } : {}),
    }));
    entry.results.push(...results);
    task.finishedAt = now().toISOString();
    const cost = roundUsd(results.reduce((s, r) => s + (r.costUsd ?? 0), 0));
    const duration = entry.request.duration;
    for (const r of results) {
      if (r.costUsd === undefined || typeof duration !== "number") continue;
      const k = priceKey(entry.model, duration);
      this.#chargedPerResult.set(k, Math.max(this.#chargedPerResult.get(k) ?? 0, r.costUsd));
    }
    this.#s.spentUsd += cost;
    const m = this.#o.clips.get(flight.address)?.manifest ?? entry.manifest;
    this.#spentBy.set(m, (this.#spentBy.get(m) ?? 0) + cost);
    if (a.status === "success" && !a.error) {
      task.status = "succeeded";
      this.#s.succeeded++;
      this.#o.emit({ type: "succeeded", address: flight.address, taskUUID: flight.taskUUID, results: results.length, costUsd: cost });
    } else {
      task.status = results.length > 0 ? "partial" : "failed";
      const info = errorInfo(a.error);
      task.error = { code: info.code, message: info.message };
      this.#s.failed++;
      this.#o.emit({ type: "failed", address: flight.address, taskUUID: flight.taskUUID, code: info.code, message: info.message, ...(cost ? { costUsd: cost } : {}) });
    }
    store.touch();
    if (results.length > 0) this.#download(flight.address, results.map((_, i) => first + i));
  }

  #fail(address: string, taskUUID: string | undefined, info: { code: string; message: string }): void {
    const entry = this.#o.store.entry(address);
    const task = taskUUID ? entry?.tasks.find((t) => t.taskUUID === taskUUID) : undefined;
    if (task) {
      task.status = "failed";
      task.finishedAt = this.#o.now().toISOString();
      task.error = info;
      this.#o.store.touch();
    }
    this.#s.failed++;
    this.#o.emit({ type: "failed", address, ...(taskUUID ? { taskUUID } : {}), code: info.code, message: info.message });
  }

  #download(address: string, indexes: number[]): void {
    const { store, root, outDir, client } = this.#o;
    for (const i of indexes) {
      const p = this.#downloadLimit(async () => {
        const entry = store.entry(address);
        const r = entry?.results[i];
        if (!entry || !r?.videoURL) {
          if (entry && r) {
            this.#s.downloadFailed++;
            this.#o.emit({ type: "download-failed", address, file: r.file ?? "", message: "no video URL recorded" });
          }
          return;
        }
        const format = typeof entry.request.outputFormat === "string" ? entry.request.outputFormat : "MP4";
        const dest = outputPath(root, outDir, address, i, format);
        const file = recordedPath(root, dest);
        try {
          const got = await client.download(r.videoURL, dest, { partKey: r.videoUUID, ...(r.sha256 && r.file === file ? { expectedSha256: r.sha256 } : {}) });
          r.file = file;
          r.sha256 = got.sha256;
          r.bytes = got.bytes;
          store.touch();
          this.#s.downloaded++;
          this.#o.emit({ type: "downloaded", address, file, bytes: got.bytes });
        } catch (e) {
          this.#s.downloadFailed++;
          this.#o.emit({ type: "download-failed", address, file, message: errorInfo(e).message });
        }
      });
      this.#downloads.add(p);
      void p.finally(() => this.#downloads.delete(p));
    }
  }

  async #drainDownloads(): Promise<void> {
    while (this.#downloads.size > 0) await Promise.allSettled([...this.#downloads]);
    this.#o.store.flush();
  }
}

export function errorInfo(e: unknown): { code: string; message: string } {
  const err = e as (RunwareError & { code?: string; apiMessage?: string }) | undefined;
  if (err && typeof err === "object" && "kind" in err) return { code: err.code ?? err.kind, message: err.apiMessage ?? err.message };
  return { code: "error", message: e instanceof Error ? e.message : String(e) };
}
