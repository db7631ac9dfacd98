/** The Runware API client: the public surface other stages use. */
export {
  RunwareClient,
  MAX_TASKS_PER_REQUEST,
  DEFAULT_MAX_RETRIES,
  type RunwareClientOptions,
  type ClientEvent,
  type Operation,
  type PollCounters,
  type PollTask,
  type SubmitResult,
  type VideoTask,
} from "./client.js";
export { RunwareError, classify, type RunwareErrorKind, type RunwareErrorInit } from "./errors.js";
export type { PollResult, VideoItem } from "./poll-result.js";
export { checkCost, describeAnomaly, MAX_COST_PER_GENERATION_USD, type CostAnomaly, type CostCheck } from "./cost.js";
export { ImageUploader, imageContentHash, type ImageUploadTarget } from "./upload.js";
export type { DownloadOptions, DownloadProgress, DownloadResult } from "./download.js";
export { DEFAULT_TIMEOUT_MS, MAX_RESPONSE_BYTES, MAX_CONNECTIONS_PER_ORIGIN } from "./transport.js";
export { backoffDelay, parseRetryAfter, BASE_DELAY_MS, MAX_BACKOFF_MS, MAX_RETRY_AFTER_MS } from "./backoff.js";
export { acknowledges, nextStep, parseTaskTimeout, stillRunningMessage, DEFAULT_TASK_TIMEOUT_MS, EXIT_STILL_RUNNING, type WaitInput, type WaitStep } from "./waiting.js";
export { checkVideoUrl, DEFAULT_DOWNLOAD_LIMITS, type DownloadLimits } from "./download.js";
export { DRY_RUN_HEADER, type QuoteResult } from "./dry-run.js";
