/**
 * Interpreting one HTTP reply: the envelope, which item and which error belongs to which task,
 * and the error that applies to tasks the reply says nothing specific about.
 */
import { classify, isSuccessStatus, RunwareError } from "./errors.js";
import { parseEnvelope, parseShape, type ApiError } from "./schemas.js";
import type { Exchange } from "./transport.js";
import type { z } from "zod";

export interface Reply {
  status: number;
  /** Data items, each with its index in the response for error messages. */
  data: { item: Record<string, unknown>; where: string }[];
  errors: ApiError[];
  retryAfterMs?: number;
  /** Start of the body, for errors whose body was not a Runware envelope. */
  text: string;
}

/**
 * Reads the envelope. A successful response of the wrong shape throws a protocol error; an error
 * response of the wrong shape (an HTML page from a proxy, say) is kept with no items or errors,
 * so its HTTP status decides.
 */
export function readReply(exchange: Exchange & { ok: true }): Reply {
  const base = { status: exchange.status, retryAfterMs: exchange.retryAfterMs, text: exchange.text };
  try {
    const envelope = parseEnvelope(exchange.body);
    const data = envelope.data.map((item, i) => ({ item, where: `data[${i}]` }));
    return { ...base, data, errors: envelope.errors };
  } catch (error) {
    if (isSuccessStatus(exchange.status)) throw error;
    return { ...base, data: [], errors: [] };
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

/** The error for the request as a whole: its first error entry, or else its HTTP status. */
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

export interface TaskAnswers<T> {
  /** Parsed items, each with its place in the response for error messages. */
  items: { value: T; where: string }[];
  errors: ApiError[];
}

/**
 * Groups the reply's items and errors by the tasks that were sent. Items are parsed with
 * `schema` (a protocol error names the field). Errors without a taskUUID belong to the task when
 * the request carried only one; otherwise they stay unattributed (see requestError).
 */
export function answersByTask<T extends { taskUUID: string }>(
  reply: Reply,
  taskUUIDs: readonly string[],
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
): Map<string, TaskAnswers<T>> {
  const answers = new Map<string, TaskAnswers<T>>(taskUUIDs.map((uuid) => [uuid, { items: [], errors: [] }]));
  const only = taskUUIDs.length === 1 ? taskUUIDs[0] : undefined;
  for (const { item, where } of reply.data) {
    const value = parseShape(schema, item, where);
    answers.get(value.taskUUID)?.items.push({ value, where });
  }
  for (const error of reply.errors) {
    const uuid = error.taskUUID ?? only;
    if (uuid !== undefined) answers.get(uuid)?.errors.push(error);
  }
  return answers;
}

export const hasAnswer = (answers: TaskAnswers<unknown> | undefined): boolean =>
  answers !== undefined && (answers.items.length > 0 || answers.errors.length > 0);
