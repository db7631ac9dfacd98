/**
 * The Runware API client: submits videoInference tasks, polls them, uploads images, downloads
 * results. The one rule above all others is never to pay twice: a task is sent with the UUID and
 * the bytes it was built with, and a task whose fate is unknown is looked up before it is resent.
 */
import { randomUUID } from "node:crypto";
import { backoffDelay } from "./backoff.js";
import { quoteBatch, type QuoteResult } from "./dry-run.js";
import { isSuccessStatus, RunwareError, redactor } from "./errors.js";
import { DEFAULT_DOWNLOAD_LIMITS, downloadFile, type DownloadLimits, type DownloadOptions, type DownloadResult } from "./download.js";
import { chunk } from "./batch.js";
import type { PollResult } from "./poll-result.js";
import { Poller, type PollCounters, type PollTask } from "./polling.js";
import { answersByTask, apiError, readReply, requestError } from "./reply.js";
import { DEFAULT_REQUEST_DEADLINE_MS, DEFAULT_TIMEOUT_MS, MAX_RESPONSE_BYTES, Transport } from "./transport.js";

export const MAX_TASKS_PER_REQUEST = 50;
export const DEFAULT_MAX_RETRIES = 6;

export type Operation = "submit" | "poll" | "upload" | "download" | "quote";
export type { PollCounters, PollTask } from "./polling.js";

/** Notices for logs. They never contain the API key. */
export type ClientEvent =
  | { type: "retry"; operation: Operation; attempt: number; delayMs: number; error: RunwareError }
  /**
   * A submit failed in a way the server may have acted on (`error`), so the tasks were polled
   * before any resend: `onServer` had been accepted, `absent` had not (and are resent with the
   * same taskUUID), `unconfirmed` could not be asked about (reported accepted: poll them).
   */
  | { type: "settle"; error: RunwareError; onServer: string[]; absent: string[]; unconfirmed: string[] }
  /** The server already knew these taskUUIDs: counted as accepted, nothing new was generated. */
  | { type: "conflictAccepted"; taskUUIDs: string[] }
  /**
   * Batched getResponse was refused, or answered only part of its tasks: one task per poll
   * request from now on.
   */
  | { type: "pollFallback"; error: RunwareError }
  /** Oddities in an answer that did not stop anything (extra results, ignored costs, strays). */
  | { type: "anomaly"; operation: Operation; taskUUID?: string; message: string };

export interface RunwareClientOptions {
  /** e.g. https://api.runware.ai/v1 */
  baseUrl: string;
  apiKey: string;
  /** Per request: to connect, to receive the headers, and between body chunks. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt, per request. Default DEFAULT_MAX_RETRIES. */
  maxRetries?: number;
  /** Tasks per HTTP request. Default and maximum MAX_TASKS_PER_REQUEST. */
  batchSize?: number;
  /** Whole-exchange deadline for an API call, scaled up for large bodies. Default DEFAULT_REQUEST_DEADLINE_MS. */
  requestDeadlineMs?: number;
  /** Larger response bodies are a protocol error. Default MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
  /** Limits on video downloads (size cap, deadlines, slowest accepted rate). */
  download?: Partial<DownloadLimits>;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1), for backoff jitter. */
  random?: () => number;
  onEvent?: (event: ClientEvent) => void;
}

export type VideoTask = Record<string, unknown> & { taskUUID: string };

/**
 * - accepted: the server has the task; poll it. `unconfirmed` is set when a failure left its fate
 *   unknown and the server could not be asked: polling settles it (notFound means not accepted).
 * - rejected: the server did not accept it and nothing is generating.
 */
export type SubmitResult =
  | { taskUUID: string; status: "accepted"; unconfirmed?: RunwareError }
  | { taskUUID: string; status: "rejected"; error: RunwareError };

interface PreparedTask {
  taskUUID: string;
  /** Serialized once: every (re)send carries exactly these bytes. */
  json: string;
}

type Verdict =
  /** `conflict`: the server already had this taskUUID (an earlier send went through). */
  | { type: "accepted"; conflict?: boolean }
  | { type: "rejected"; error: RunwareError }
  /** Refused before the server acted: safe to send again. */
  | { type: "resend"; error: RunwareError }
  /** The server may have acted: look it up before sending again. */
  | { type: "unknown"; error: RunwareError };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RunwareClient {
  readonly #transport: Transport;
  readonly #maxRetries: number;
  readonly #batchSize: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #onEvent: (event: ClientEvent) => void;
  readonly #downloadLimits: DownloadLimits;
  readonly #poller: Poller;

  constructor(options: RunwareClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new RunwareError({ kind: "validation", retryable: false, message: `Unsupported Runware URL scheme ${url.protocol}` });
    }
    this.#transport = new Transport({
      url: url.href,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      requestDeadlineMs: options.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS,
      maxResponseBytes: options.maxResponseBytes ?? MAX_RESPONSE_BYTES,
      redact: redactor(options.apiKey),
    });
    this.#maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.#batchSize = Math.max(1, Math.min(options.batchSize ?? MAX_TASKS_PER_REQUEST, MAX_TASKS_PER_REQUEST));
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#downloadLimits = { ...DEFAULT_DOWNLOAD_LIMITS, ...options.download };
    this.#poller = new Poller({
      transport: this.#transport,
      batchSize: this.#batchSize,
      onEvent: (event) => this.#onEvent(event),
      withRetries: (fn) => this.#withRetries("poll", fn),
    });
  }

  /**
   * Sends videoInference tasks, built by the caller (taskType, taskUUID, deliveryMethod "async",
   * includeCost…), at most batchSize per request. Results come back in the order of `tasks`.
   */
  async submitVideo(tasks: VideoTask[]): Promise<SubmitResult[]> {
    const seen = new Set<string>();
    for (const task of tasks) {
      if (seen.has(task.taskUUID)) {
        throw new RunwareError({ kind: "validation", retryable: false, taskUUID: task.taskUUID, message: `Duplicate taskUUID ${task.taskUUID} in one submission` });
      }
      seen.add(task.taskUUID);
    }
    for (const task of tasks) this.#poller.expect(task.taskUUID, task.numberResults);
    const prepared = tasks.map((task) => ({ taskUUID: task.taskUUID, json: JSON.stringify(task) }));
    const results = await Promise.all(chunk(prepared, this.#batchSize).map((part) => this.#submitBatch(part)));
    return results.flat();
  }

  /**
   * Current state of each task (duplicates polled once), batched into few requests. A task is
   * finished when its results and failures account for its numberResults: pass it with each task
   * (tasks this client submitted are known; a bare taskUUID of another run is finished as soon as
   * nothing in its answer is still running).
   */
  poll(tasks: readonly (string | PollTask)[]): Promise<Map<string, PollResult>> {
    return this.#poller.poll(tasks);
  }

  /**
   * Asks the API's price for videoInference tasks without running them (a dry run: free, nothing
   * generated). Each is sent under a fresh taskUUID, so a dry run never touches a UUID that may
   * later be paid for; results come back under the caller's UUIDs, in order.
   */
  async quote(tasks: VideoTask[]): Promise<QuoteResult[]> {
    // A caller that wrote its dry runs ahead (quote/dry-runs.ts) gives their UUIDs; others get fresh ones.
    const dry = tasks.map((task) => (UUID_RE.test(task.taskUUID) ? task : { ...task, taskUUID: randomUUID() }));
    const parts = await Promise.all(chunk(dry, this.#batchSize).map((part) => this.#withRetries("quote", () => quoteBatch(this.#transport, part))));
    const byDryUUID = new Map(parts.flat().map((r) => [r.taskUUID, r]));
    return tasks.map((task, i) => ({ ...byDryUUID.get(dry[i]!.taskUUID)!, taskUUID: task.taskUUID }));
  }

  /** Uploads an image (data URI or base64) and returns its imageUUID. */
  uploadImage(image: string): Promise<string> {
    // A fresh taskUUID per attempt: an upload costs nothing, and a retry that reused the UUID
    // of an upload that did go through would get conflictTaskUUID instead of the imageUUID.
    return this.#withRetries("upload", () => this.#uploadOnce(image));
  }

  /** Downloads a result to `dest` (see downloadFile). Never sends the API key. */
  download(url: string, dest: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
    return downloadFile(url, dest, opts, {
      dispatcher: this.#transport.downloads,
      limits: this.#downloadLimits,
      withRetries: (fn) => this.#withRetries("download", fn),
    });
  }

  /**
   * No request runs, and no retry waits, past `atMs` (epoch ms by `now`): a deadline that a
   * server trickling its answers, or never answering, cannot stretch. Undefined lifts it.
   */
  setCutoff(atMs: number | undefined, now = Date.now()): void {
    this.#transport.setCutoff(atMs, now);
  }

  /** Ends every request under way and sends nothing more (SIGTERM). */
  stop(): void {
    this.#transport.stop();
  }

  /** A copy of the polling counters so far. */
  pollCounters(): PollCounters {
    return this.#poller.counters();
  }

  close(): Promise<void> {
    return this.#transport.close();
  }

  /**
   * One batch to the end: send, then for each task that is neither accepted nor rejected, wait,
   * settle the ones the server may have acted on, and resend (same bytes) those it has not.
   */
  async #submitBatch(batch: PreparedTask[]): Promise<SubmitResult[]> {
    const results = new Map<string, SubmitResult>();
    const lastError = new Map<string, RunwareError>();
    const reject = (tasks: PreparedTask[]) => {
      for (const { taskUUID } of tasks) results.set(taskUUID, { taskUUID, status: "rejected", error: lastError.get(taskUUID)! });
    };
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const verdicts = await this.#sendSubmit(pending);
      this.#record(verdicts, results, lastError);
      const resend = pending.filter((task) => verdicts.get(task.taskUUID)!.type === "resend");
      const unknown = pending.filter((task) => verdicts.get(task.taskUUID)!.type === "unknown");
      const exhausted = attempt >= this.#maxRetries || this.#transport.timeLeft() <= 0;
      if (unknown.length === 0 && (resend.length === 0 || exhausted)) {
        reject(resend);
        break;
      }
      await this.#backoff("submit", attempt, [...resend, ...unknown].map((task) => lastError.get(task.taskUUID)!));
      if (unknown.length > 0) resend.push(...(await this.#settle(unknown, lastError, results)));
      if (exhausted) {
        reject(resend);
        break;
      }
      pending = resend;
    }
    return batch.map((task) => results.get(task.taskUUID)!);
  }

  /** Stores final verdicts in `results`, and the error of each task still open in `lastError`. */
  #record(verdicts: Map<string, Verdict>, results: Map<string, SubmitResult>, lastError: Map<string, RunwareError>): void {
    const conflicts: string[] = [];
    for (const [taskUUID, verdict] of verdicts) {
      if (verdict.type === "accepted") {
        results.set(taskUUID, { taskUUID, status: "accepted" });
        if (verdict.conflict) conflicts.push(taskUUID);
      } else if (verdict.type === "rejected") {
        results.set(taskUUID, { taskUUID, status: "rejected", error: verdict.error });
      } else {
        lastError.set(taskUUID, verdict.error);
      }
    }
    if (conflicts.length > 0) this.#onEvent({ type: "conflictAccepted", taskUUIDs: conflicts });
  }

  /** One submit request; what it tells about each task. */
  async #sendSubmit(pending: PreparedTask[]): Promise<Map<string, Verdict>> {
    const everyTask = (verdict: Verdict) => new Map(pending.map((task) => [task.taskUUID, verdict]));
    const exchange = await this.#transport.post(`[${pending.map((task) => task.json).join(",")}]`);
    if (!exchange.ok) {
      const { error } = exchange;
      if (exchange.reachedServer) return everyTask({ type: "unknown", error });
      return everyTask(error.retryable ? { type: "resend", error } : { type: "rejected", error });
    }
    const uuids = pending.map((task) => task.taskUUID);
    let verdicts: Map<string, Verdict>;
    try {
      const reply = readReply(exchange);
      const { answers } = answersByTask(reply, uuids);
      const whole = requestError(reply);
      verdicts = new Map(
        uuids.map((uuid) => {
          const answer = answers.get(uuid)!;
          // Only an item that names the task acknowledges it: a stray object proves nothing.
          if (answer.items.some((i) => i.value.taskUUID === uuid)) return [uuid, { type: "accepted" }];
          if (answer.errors.length > 0) return [uuid, this.#verdictFor(apiError(answer.errors[0]!, reply))];
          if (isSuccessStatus(reply.status)) {
            return [uuid, { type: "unknown", error: new RunwareError({ kind: "protocol", retryable: false, taskUUID: uuid, message: `Runware sent no acknowledgement for task ${uuid}` }) }];
          }
          return [uuid, this.#verdictFor(whole)];
        }),
      );
    } catch (error) {
      // A successful response we cannot read may still mean the tasks were accepted.
      if (error instanceof RunwareError) return everyTask({ type: "unknown", error });
      throw error;
    }
    return verdicts;
  }

  #verdictFor(error: RunwareError): Verdict {
    if (error.kind === "conflict") return { type: "accepted", conflict: true };
    if (error.kind === "rateLimit") return { type: "resend", error };
    if (error.retryable) return { type: "unknown", error };
    return { type: "rejected", error };
  }

  /**
   * Polls tasks whose submission may or may not have gone through. Those on the server are
   * accepted; those it cannot be asked about are accepted unconfirmed; returns the absent ones.
   */
  async #settle(
    tasks: PreparedTask[],
    lastError: Map<string, RunwareError>,
    results: Map<string, SubmitResult>,
  ): Promise<PreparedTask[]> {
    const taskUUIDs = tasks.map((task) => task.taskUUID);
    const cause = lastError.get(taskUUIDs[0]!)!;
    let states: Map<string, PollResult>;
    try {
      states = await this.poll(taskUUIDs);
    } catch (error) {
      if (!(error instanceof RunwareError)) throw error;
      for (const taskUUID of taskUUIDs) results.set(taskUUID, { taskUUID, status: "accepted", unconfirmed: error });
      this.#onEvent({ type: "settle", error: cause, onServer: [], absent: [], unconfirmed: taskUUIDs });
      return [];
    }
    const isAbsent = (taskUUID: string) => states.get(taskUUID)?.status === "notFound";
    const onServer = taskUUIDs.filter((taskUUID) => !isAbsent(taskUUID));
    for (const taskUUID of onServer) results.set(taskUUID, { taskUUID, status: "accepted" });
    const absent = tasks.filter((task) => isAbsent(task.taskUUID));
    this.#onEvent({ type: "settle", error: cause, onServer, absent: absent.map((task) => task.taskUUID), unconfirmed: [] });
    return absent;
  }

  async #uploadOnce(image: string): Promise<string> {
    const taskUUID = randomUUID();
    const exchange = await this.#transport.post(JSON.stringify([{ taskType: "imageUpload", taskUUID, image }]));
    if (!exchange.ok) throw exchange.error;
    const reply = readReply(exchange);
    const upload = reply.data.find(({ item }) => typeof item.imageUUID === "string" && (item.taskUUID === undefined || item.taskUUID === taskUUID));
    if (upload) return upload.item.imageUUID as string;
    if (reply.errors[0]) throw apiError(reply.errors[0], reply);
    if (!isSuccessStatus(reply.status)) throw requestError(reply);
    throw new RunwareError({ kind: "protocol", retryable: false, message: "Runware upload response carries no imageUUID" });
  }

  async #withRetries<T>(operation: Operation, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof RunwareError) || !error.retryable || attempt >= this.#maxRetries || this.#transport.timeLeft() <= 0) throw error;
        await this.#backoff(operation, attempt, [error]);
      }
    }
  }

  async #backoff(operation: Operation, attempt: number, errors: RunwareError[]): Promise<void> {
    const retryAfters = errors.map((e) => e.retryAfterMs).filter((ms) => ms !== undefined);
    const retryAfterMs = retryAfters.length ? Math.max(...retryAfters) : undefined;
    // A wait never outlasts the deadline: the attempt after it fails at once.
    const delayMs = Math.min(backoffDelay(attempt, this.#random, retryAfterMs), this.#transport.timeLeft());
    this.#onEvent({ type: "retry", operation, attempt: attempt + 1, delayMs, error: errors[0]! });
    await this.#sleep(delayMs);
  }
}
