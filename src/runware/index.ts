/** The Runware API client: the public surface other stages use. */
export {
  RunwareClient,
  MAX_TASKS_PER_REQUEST,
  DEFAULT_MAX_RETRIES,
  type RunwareClientOptions,
  type ClientEvent,
  type Operation,
  type SubmitResult,
  type VideoTask,
} from "./client.js";
export { RunwareError, classify, type RunwareErrorKind, type RunwareErrorInit } from "./errors.js";
export type { PollResult, VideoItem } from "./poll-result.js";
export { ImageUploader, imageContentHash, type ImageUploadTarget } from "./upload.js";
export type { DownloadOptions, DownloadProgress, DownloadResult } from "./download.js";
export { DEFAULT_TIMEOUT_MS, MAX_RESPONSE_BYTES, MAX_CONNECTIONS_PER_ORIGIN } from "./transport.js";
export { backoffDelay, parseRetryAfter, BASE_DELAY_MS, MAX_BACKOFF_MS, MAX_RETRY_AFTER_MS } from "./backoff.js";
