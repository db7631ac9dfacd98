/**
 * What a getResponse answer means for one task. Each poll returns the task's current state:
 * finished generations (all of them, or only those done so far, with or without placeholders for
 * the others), failed generations as `errors` entries or `status: "error"` items. A task is
 * finished when its results and failures account for its numberResults.
 */
import { RunwareError } from "./errors.js";
import { readVideoItem, type VideoItem } from "./items.js";
import { apiError, type Reply, type TaskAnswers } from "./reply.js";
import type { Item } from "./schemas.js";

export type { VideoItem } from "./items.js";

/**
 * - processing: the task is not finished; `items` holds generations already done.
 * - success: finished, and at least one generation succeeded. When some failed, `error` is the
 *   first failure.
 * - error: finished and every generation failed; `error` is the first failure.
 * - notFound: the API says it does not know the taskUUID (never accepted, or expired).
 */
export interface PollResult {
  status: "processing" | "success" | "error" | "notFound";
  items: VideoItem[];
  /** Mean progress (0–100) over the generations still running that report one. */
  progress?: number;
  error?: RunwareError;
  /**
   * The answer said nothing at all about this task (no item, no error). That is evidence of
   * neither "the API has it" nor "the API does not know it": keep polling, never resend.
   */
  silent?: boolean;
  /** Oddities in this task's answer, for the logs: extra results, ignored fields or costs. */
  notes?: string[];
  /**
   * Results beyond the task's numberResults, refused: not in `items` (never recorded,
   * downloaded or counted). A hostile server sent 2,000 per task.
   */
  refused?: number;
}

/**
 * Sums up one task's answers. `expected` is its numberResults when known; without it the task
 * is finished as soon as nothing in the answer is still running.
 *
 * A task whose answer holds only failures and nothing running or done is finished (the task
 * failed as a whole): a task-level error is not made to wait for the other variants.
 */
export function summarize(taskUUID: string, answers: TaskAnswers, reply: Reply, expected?: number): PollResult {
  const byUUID = new Map<string, VideoItem>();
  const progress: number[] = [];
  const notes: string[] = [];
  let running = 0;
  const failures = answers.errors.map((entry) => apiError({ ...entry, taskUUID }, reply));
  const failure = (error: Item | undefined) => generationFailure(taskUUID, error, reply);
  for (const { value, where } of answers.items) {
    const reading = readVideoItem(taskUUID, value, where, failure);
    if (reading.kind === "success") {
      // A generation listed twice is one generation.
      if (!byUUID.has(reading.video.videoUUID)) notes.push(...reading.notes);
      byUUID.set(reading.video.videoUUID, reading.video);
    } else if (reading.kind === "failure") {
      failures.push(reading.error);
    } else {
      running++;
      if (reading.progress !== undefined) progress.push(reading.progress);
    }
  }
  let items = [...byUUID.values()];
  let refused = 0;
  if (expected !== undefined && items.length > expected) {
    refused = items.length - expected;
    items = items.slice(0, expected);
    notes.push(`task ${taskUUID} returned ${items.length + refused} results for numberResults ${expected}: the first ${expected} kept, ${refused} refused (not recorded or downloaded)`);
  }
  const notFound = failures.find((f) => f.kind === "notFound");
  if (notFound && answers.items.length === 0) return { status: "notFound", items: [], error: notFound };
  const genFailures = failures.filter((f) => f.kind !== "notFound");
  const error = genFailures[0];
  const withNotes = (result: PollResult): PollResult => ({ ...result, ...(notes.length > 0 && { notes }), ...(refused > 0 && { refused }) });
  const accounted = items.length + genFailures.length;
  const failedWhole = running === 0 && items.length === 0 && genFailures.length > 0;
  const finished = expected === undefined ? running === 0 && accounted > 0 : accounted >= expected || failedWhole;
  if (!finished) {
    const mean = progress.length ? progress.reduce((a, b) => a + b, 0) / progress.length : undefined;
    const silent = answers.items.length === 0 && answers.errors.length === 0;
    return withNotes({ status: "processing", items, ...(mean !== undefined && { progress: mean }), ...(error && { error }), ...(silent && { silent }) });
  }
  if (items.length > 0) return withNotes({ status: "success", items, ...(error && { error }) });
  return withNotes({ status: "error", items, error });
}

function generationFailure(taskUUID: string, error: Item | undefined, reply: Reply): RunwareError {
  if (error) {
    const code = typeof error.code === "string" ? error.code : undefined;
    const message = typeof error.message === "string" ? error.message : undefined;
    return apiError({ code, message, taskUUID }, reply);
  }
  return new RunwareError({ kind: "provider", retryable: false, taskUUID, message: `Generation failed (task ${taskUUID})` });
}
