/**
 * Interpreting one HTTP reply: the envelope, which item and which error belongs to which task,
 * and the error that applies to tasks the reply says nothing specific about.
 */
import { classify, isSuccessStatus, RunwareError } from "./errors.js";
import { parseEnvelope, type ApiError, type Item } from "./schemas.js";
import type { Exchange } from "./transport.js";

export interface Reply {
  status: number;
  /** Object items (nulls dropped), each with its place in the response for error messages. */
  data: { item: Item; where: string }[];
  errors: ApiError[];
  /** Entries of `data` that were not objects. */
  oddItems: number;
  retryAfterMs?: number;
  /** Start of the body, for errors whose body was not a Runware envelope. */
  text: string;
}

/**
 * Reads the envelope. A successful response that is not an envelope at all throws a protocol
 * error; an error response of the wrong shape (an HTML page from a proxy, say) is kept with no
 * items or errors, so its HTTP status decides.
 */
export function readReply(exchange: Exchange & { ok: true }): Reply {
  const base = { status: exchange.status, retryAfterMs: exchange.retryAfterMs, text: exchange.text };
  try {
    const envelope = parseEnvelope(exchange.body);
    const data = envelope.data.map(({ item, index }) => ({ item, where: `data[${index}]` }));
    return { ...base, data, errors: envelope.errors, oddItems: envelope.oddItems };
  } catch (error) {
    if (isSuccessStatus(exchange.status)) throw error;
    return { ...base, data: [], errors: [], oddItems: 0 };
  }
}

export function apiError(entry: ApiError, reply: Reply): RunwareError {
  const status = isSuccessStatus(reply.status) ? undefined : reply.status;
  return new RunwareError({
    ...classify(status, entry.code),
    status: reply.status,
    code: entry.code,
    apiMessage: entry.message,
    parameter: entry.parameter,
    taskUUID: entry.taskUUID,
    allowedValues: entry.allowedValues,
    retryAfterMs: reply.retryAfterMs,
  });
}

/** Error kinds that describe a request itself (its key, its rate, the server) rather than a task. */
const REQUEST_LEVEL_KINDS = new Set(["auth", "rateLimit", "server", "quota"]);

export function isRequestLevel(error: RunwareError): boolean {
  return REQUEST_LEVEL_KINDS.has(error.kind);
}

/** The error for the request as a whole: its first task-less error entry, or else its HTTP status. */
export function requestError(reply: Reply): RunwareError {
  const first = reply.errors.find((e) => e.taskUUID === undefined) ?? reply.errors[0];
  if (first) return apiError(first, reply);
  return new RunwareError({
    ...classify(reply.status, undefined),
    status: reply.status,
    apiMessage: reply.text || undefined,
    retryAfterMs: reply.retryAfterMs,
  });
}

export interface TaskAnswers {
  /** Items naming the task, each with its place in the response for error messages. */
  items: { value: Item; where: string }[];
  errors: ApiError[];
}

export interface Grouped {
  answers: Map<string, TaskAnswers>;
  /** Items or errors naming a task that was not asked about (a different taskUUID): ignored. */
  strays: number;
}

/**
 * Groups the reply's items and errors by the tasks that were sent. An error that names a task is
 * that task's, under any HTTP status. A task-less item or error belongs to the task when the
 * request carried only one, unless the error is about the request itself (bad key, rate limit,
 * server trouble): those stay unattributed (see requestError).
 */
export function answersByTask(reply: Reply, taskUUIDs: readonly string[]): Grouped {
  const answers = new Map<string, TaskAnswers>(taskUUIDs.map((uuid) => [uuid, { items: [], errors: [] }]));
  const only = taskUUIDs.length === 1 ? taskUUIDs[0] : undefined;
  let strays = 0;
  for (const { item, where } of reply.data) {
    const named = typeof item.taskUUID === "string" ? item.taskUUID : undefined;
    const answer = answers.get(named ?? only ?? "");
    if (answer) answer.items.push({ value: item, where });
    else strays++;
  }
  for (const error of reply.errors) {
    if (error.taskUUID === undefined) {
      if (only !== undefined && !isRequestLevel(apiError(error, reply))) answers.get(only)!.errors.push(error);
      continue;
    }
    const answer = answers.get(error.taskUUID);
    if (answer) answer.errors.push(error);
    else strays++;
  }
  return { answers, strays };
}

export const hasAnswer = (answers: TaskAnswers | undefined): boolean =>
  answers !== undefined && (answers.items.length > 0 || answers.errors.length > 0);
