/**
 * What a getResponse answer means for one task. Each poll returns the task's full current state:
 * one item per generation (up to numberResults), and failed generations either as `errors`
 * entries or as `status: "error"` items with an embedded error.
 */
import { RunwareError } from "./errors.js";
import { apiError, type Reply, type TaskAnswers } from "./reply.js";
import { parseShape, SuccessVideoSchema, type VideoResult } from "./schemas.js";

export interface VideoItem {
  videoUUID: string;
  videoURL: string;
  /** The seed the generation used; recorded when the API reports it. */
  seed?: number;
  /** USD, present when the task was submitted with includeCost. */
  cost?: number;
  NSFWContent?: boolean;
}

/**
 * - processing: at least one generation is still running; `items` holds those already done.
 * - success: every generation finished and at least one succeeded. When some failed and others
 *   succeeded, `items` holds the good ones and `error` describes the first failure.
 * - error: every generation failed; `error` is the first failure.
 * - notFound: the API does not know the taskUUID (never accepted, or expired).
 */
export interface PollResult {
  status: "processing" | "success" | "error" | "notFound";
  items: VideoItem[];
  /** Mean progress (0–100) over the generations still running that report one. */
  progress?: number;
  error?: RunwareError;
}

/** Error kinds that describe the poll request itself rather than a generation. */
const REQUEST_LEVEL_KINDS = new Set(["auth", "rateLimit", "server", "quota"]);

export function isRequestLevel(error: RunwareError): boolean {
  return REQUEST_LEVEL_KINDS.has(error.kind);
}

export function summarize(
  taskUUID: string,
  answers: TaskAnswers<VideoResult>,
  reply: Reply,
): PollResult {
  const items: VideoItem[] = [];
  const progress: number[] = [];
  let running = 0;
  const failures = answers.errors.map((entry) => apiError({ ...entry, taskUUID }, reply));
  for (const { value, where } of answers.items) {
    const status = value.status ?? (value.videoUUID === undefined ? "processing" : "success");
    if (status === "success") {
      items.push(videoItem(parseShape(SuccessVideoSchema, value, where)));
    } else if (status === "error") {
      failures.push(generationFailure(taskUUID, value, reply));
    } else {
      running++;
      if (value.progress !== undefined) progress.push(value.progress);
    }
  }
  const notFound = failures.find((f) => f.kind === "notFound");
  if (notFound && answers.items.length === 0) return { status: "notFound", items: [], error: notFound };
  const error = failures.find((f) => f.kind !== "notFound");
  if (running > 0) {
    const mean = progress.length ? progress.reduce((a, b) => a + b, 0) / progress.length : undefined;
    return { status: "processing", items, progress: mean, error };
  }
  if (items.length > 0) return { status: "success", items, error };
  return { status: "error", items, error };
}

function videoItem(value: VideoItem): VideoItem {
  const { videoUUID, videoURL, seed, cost, NSFWContent } = value;
  return { videoUUID, videoURL, seed, cost, NSFWContent };
}

function generationFailure(taskUUID: string, value: VideoResult, reply: Reply): RunwareError {
  if (value.error) return apiError({ ...value.error, taskUUID }, reply);
  return new RunwareError({ kind: "provider", retryable: false, taskUUID, message: `Generation failed (task ${taskUUID})` });
}
