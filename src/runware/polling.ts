/**
 * Polling: batched getResponse requests, completion by count, and the safe fallback to single
 * polls when a batched answer is refused or leaves tasks out (counted, for --json and the bench).
 */
import { chunk, countOf } from "./batch.js";
import type { ClientEvent } from "./client.js";
import { isSuccessStatus, RunwareError } from "./errors.js";
import { summarize, type PollResult } from "./poll-result.js";
import { answersByTask, hasAnswer, readReply, requestError } from "./reply.js";
import type { Transport } from "./transport.js";

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

export interface PollerOptions {
  transport: Transport;
  batchSize: number;
  onEvent: (event: ClientEvent) => void;
  /** Runs one request again after retryable failures (the client's bounded backoff). */
  withRetries: <T>(fn: () => Promise<T>) => Promise<T>;
}

export class Poller {
  readonly #transport: Transport;
  readonly #batchSize: number;
  readonly #onEvent: (event: ClientEvent) => void;
  readonly #withRetries: <T>(fn: () => Promise<T>) => Promise<T>;
  /** numberResults of each task submitted or polled with its count: completion is by count. */
  readonly #expected = new Map<string, number>();
  readonly #counters: PollCounters = { requests: 0, repolls: 0, strays: 0, oneByOne: false };

  constructor(options: PollerOptions) {
    this.#transport = options.transport;
    this.#batchSize = options.batchSize;
    this.#onEvent = options.onEvent;
    this.#withRetries = options.withRetries;
  }

  /** Remembers how many results a task was sent for. */
  expect(taskUUID: string, numberResults: unknown): void {
    this.#expected.set(taskUUID, countOf(numberResults));
  }

  counters(): PollCounters {
    return { ...this.#counters };
  }

  /** Current state of each task (duplicates polled once), batched into few requests. */
  async poll(tasks: readonly (string | PollTask)[]): Promise<Map<string, PollResult>> {
    for (const task of tasks) {
      if (typeof task !== "string" && task.numberResults !== undefined) this.expect(task.taskUUID, task.numberResults);
    }
    const unique = [...new Set(tasks.map((task) => (typeof task === "string" ? task : task.taskUUID)))];
    const size = this.#counters.oneByOne ? 1 : this.#batchSize;
    const parts = await Promise.all(
      chunk(unique, size).map((part) => this.#withRetries(() => this.#pollBatch(part))),
    );
    return new Map(parts.flatMap((part) => [...part]));
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
    const parts = await Promise.all(taskUUIDs.map((uuid) => this.#withRetries(() => this.#pollBatch([uuid]))));
    return new Map(parts.flatMap((part) => [...part]));
  }
}
