/**
 * The Runware API client: submits videoInference tasks, polls them, uploads images, downloads
 * results. The one rule above all others is never to pay twice: a task is sent with the UUID and
 * the bytes it was built with, and a task whose fate is unknown is looked up before it is resent.
 */
import { randomUUID } from "node:crypto";
import { backoffDelay } from "./backoff.js";
import { checkCost, type CostAnomaly } from "./cost.js";
import { isSuccessStatus, RunwareError, redactor } from "./errors.js";
import { DEFAULT_DOWNLOAD_LIMITS, downloadFile, type DownloadLimits, type DownloadOptions, type DownloadResult } from "./download.js";
import { summarize, type PollResult } from "./poll-result.js";
import { answersByTask, apiError, hasAnswer, readReply, requestError } from "./reply.js";
import { DEFAULT_REQUEST_DEADLINE_MS, DEFAULT_TIMEOUT_MS, MAX_RESPONSE_BYTES, Transport } from "./transport.js";

export const MAX_TASKS_PER_REQUEST = 50;
export const DEFAULT_MAX_RETRIES = 6;

export type Operation = "submit" | "poll" | "upload" | "download" | "quote";

/** Runware's documented dry run: the request is validated and priced, not run, not charged. */
export const DRY_RUN_HEADER = "x-runware-dry-run";

/**
 * The API's price for one task, asked with a dry run:
 * - quoted: what the whole task (all its numberResults) would cost, in USD;
 * - noCost: accepted, but the reply carried no cost (keep the estimate, and say so);
 * - anomaly: the reply carried a cost that cannot be believed (see cost.ts);
 * - rejected: the API would refuse the task: `error` says why (and which parameter).
 */
export type QuoteResult =
  | { taskUUID: string; status: "quoted"; costUsd: number }
  | { taskUUID: string; status: "noCost" }
  | { taskUUID: string; status: "anomaly"; anomaly: CostAnomaly }
  | { taskUUID: string; status: "rejected"; error: RunwareError };

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

/** A task to poll, with the number of results it was submitted for when the caller knows it. */
export interface PollTask {
  taskUUID: string;
  numberResults?: number;
}

/** What polling cost in requests, for `apply --json` and the bench. */
export interface PollCounters {
  /** getResponse HTTP requests sent (each retry counts). */
  requests: number;
  /** Single-task requests sent to re-ask about tasks a batched answer left out. */
  repolls: number;
  /** Items or errors naming a task that was not asked about: ignored. */
  strays: number;
  /** True once the client polls one task per request for the rest of its life. */
  oneByOne: boolean;
}

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

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RunwareClient {
  readonly #transport: Transport;
  readonly #maxRetries: number;
  readonly #batchSize: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #onEvent: (event: ClientEvent) => void;
  /** numberResults of each task this client submitted or was told about: completion is by count. */
  readonly #expected = new Map<string, number>();
  readonly #downloadLimits: DownloadLimits;
  readonly #counters: PollCounters = { requests: 0, repolls: 0, strays: 0, oneByOne: false };

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
    for (const task of tasks) this.#expected.set(task.taskUUID, countOf(task.numberResults));
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
  async poll(tasks: readonly (string | PollTask)[]): Promise<Map<string, PollResult>> {
    for (const task of tasks) {
      if (typeof task !== "string" && task.numberResults !== undefined) this.#expected.set(task.taskUUID, countOf(task.numberResults));
    }
    const unique = [...new Set(tasks.map((task) => (typeof task === "string" ? task : task.taskUUID)))];
    const size = this.#counters.oneByOne ? 1 : this.#batchSize;
    const parts = await Promise.all(
      chunk(unique, size).map((part) => this.#withRetries("poll", () => this.#pollBatch(part))),
    );
    return new Map(parts.flatMap((part) => [...part]));
  }

  /**
   * Asks the API's price for videoInference tasks without running them (a dry run: free, nothing
   * generated). Each is sent under a fresh taskUUID, so a dry run never touches a UUID that may
   * later be paid for; results come back under the caller's UUIDs, in order.
   */
  async quote(tasks: VideoTask[]): Promise<QuoteResult[]> {
    const dry = tasks.map((task) => ({ ...task, taskUUID: randomUUID() }));
    const parts = await Promise.all(chunk(dry, this.#batchSize).map((part) => this.#withRetries("quote", () => this.#quoteBatch(part))));
    const byDryUUID = new Map(parts.flat().map((r) => [r.taskUUID, r]));
    return tasks.map((task, i) => ({ ...byDryUUID.get(dry[i]!.taskUUID)!, taskUUID: task.taskUUID }));
  }

  async #quoteBatch(tasks: VideoTask[]): Promise<QuoteResult[]> {
    const exchange = await this.#transport.post(JSON.stringify(tasks), { [DRY_RUN_HEADER]: "1" });
    if (!exchange.ok) throw exchange.error;
    const reply = readReply(exchange);
    const { answers } = answersByTask(reply, tasks.map((t) => t.taskUUID));
    const whole = isSuccessStatus(reply.status) ? undefined : requestError(reply);
    if (whole?.retryable) throw whole;
    return tasks.map((task): QuoteResult => {
      const { taskUUID } = task;
      const answer = answers.get(taskUUID)!;
      if (answer.errors[0]) return { taskUUID, status: "rejected", error: apiError(answer.errors[0], reply) };
      if (whole) return { taskUUID, status: "rejected", error: whole };
      // The reply's shape is not documented: a cost on any item of the task counts, summed.
      let total = 0;
      let priced = false;
      for (const { value } of answer.items) {
        const check = checkCost(value.cost, countOf(task.numberResults));
        if (check === undefined) continue;
        if (!check.ok) return { taskUUID, status: "anomaly", anomaly: check.anomaly };
        total += check.usd;
        priced = true;
      }
      return priced ? { taskUUID, status: "quoted", costUsd: total } : { taskUUID, status: "noCost" };
    });
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
      dispatcher: this.#transport.dispatcher,
      limits: this.#downloadLimits,
      withRetries: (fn) => this.#withRetries("download", fn),
    });
  }

  /** A copy of the polling counters so far. */
  pollCounters(): PollCounters {
    return { ...this.#counters };
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
      const exhausted = attempt >= this.#maxRetries;
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

  async #pollBatch(taskUUIDs: string[]): Promise<Map<string, PollResult>> {
    const body = JSON.stringify(taskUUIDs.map((taskUUID) => ({ taskType: "getResponse", taskUUID })));
    this.#counters.requests++;
    const exchange = await this.#transport.post(body);
    if (!exchange.ok) throw exchange.error;
    const reply = readReply(exchange);
    const { answers, strays } = answersByTask(reply, taskUUIDs);
    if (strays > 0 || reply.oddItems > 0) {
      this.#counters.strays += strays;
      this.#onEvent({ type: "anomaly", operation: "poll", message: `poll answer carried ${strays + reply.oddItems} item(s) about no task that was asked: ignored` });
    }
    const answered = taskUUIDs.filter((uuid) => hasAnswer(answers.get(uuid)));
    if (answered.length === 0 && (!isSuccessStatus(reply.status) || reply.errors.length > 0)) {
      // Only errors about the request itself are left unattributed: a refused batch is asked
      // again one task per request; anything else (bad key, rate limit, 5xx) is the request's.
      const error = requestError(reply);
      if (error.kind === "validation" && taskUUIDs.length > 1) return this.#fallBackToSinglePolls(taskUUIDs, error);
      throw error;
    }
    const results = new Map<string, PollResult>();
    for (const uuid of answered) {
      const result = summarize(uuid, answers.get(uuid)!, reply, this.#expected.get(uuid));
      for (const message of result.notes ?? []) this.#onEvent({ type: "anomaly", operation: "poll", taskUUID: uuid, message });
      results.set(uuid, result);
    }
    const missing = taskUUIDs.filter((uuid) => !results.has(uuid));
    if (missing.length === 0) return results;
    if (taskUUIDs.length > 1) {
      // A batched answer that leaves tasks out says nothing about them: ask one by one, now and
      // for the rest of the run.
      this.#switchToSinglePolls(new RunwareError({ kind: "protocol", retryable: false, message: `a batched poll answered ${answered.length} of ${taskUUIDs.length} tasks` }));
      this.#counters.repolls += missing.length;
      for (const [uuid, result] of await this.#pollEach(missing)) results.set(uuid, result);
      return results;
    }
    // Saying nothing about a task is not saying it failed, nor that it is unknown: keep it
    // "processing" (silent) so it is polled again within its deadline, never resubmitted.
    const uuid = taskUUIDs[0]!;
    results.set(uuid, summarize(uuid, { items: [], errors: [] }, reply, this.#expected.get(uuid) ?? 1));
    return results;
  }

  #switchToSinglePolls(error: RunwareError): void {
    if (this.#counters.oneByOne) return;
    this.#counters.oneByOne = true;
    this.#onEvent({ type: "pollFallback", error });
  }

  #fallBackToSinglePolls(taskUUIDs: string[], error: RunwareError): Promise<Map<string, PollResult>> {
    this.#switchToSinglePolls(error);
    this.#counters.repolls += taskUUIDs.length;
    return this.#pollEach(taskUUIDs);
  }

  async #pollEach(taskUUIDs: string[]): Promise<Map<string, PollResult>> {
    const parts = await Promise.all(taskUUIDs.map((uuid) => this.#withRetries("poll", () => this.#pollBatch([uuid]))));
    return new Map(parts.flatMap((part) => [...part]));
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
        if (!(error instanceof RunwareError) || !error.retryable || attempt >= this.#maxRetries) throw error;
        await this.#backoff(operation, attempt, [error]);
      }
    }
  }

  async #backoff(operation: Operation, attempt: number, errors: RunwareError[]): Promise<void> {
    const retryAfters = errors.map((e) => e.retryAfterMs).filter((ms) => ms !== undefined);
    const retryAfterMs = retryAfters.length ? Math.max(...retryAfters) : undefined;
    const delayMs = backoffDelay(attempt, this.#random, retryAfterMs);
    this.#onEvent({ type: "retry", operation, attempt: attempt + 1, delayMs, error: errors[0]! });
    await this.#sleep(delayMs);
  }
}

/** numberResults as sent: 1 when absent; anything odd counts as 1 so a task is never waited on forever. */
function countOf(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : 1;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}
