/**
 * Reading one video item of a getResponse answer (or an image's, for keyframes: imageUUID and
 * imageURL are read as the output's UUID and URL). Only what clipform needs to record money and
 * files is required of a finished generation: its videoUUID and a URL (or the video inline).
 * Everything else is taken when it makes sense and otherwise noted and dropped; an item that
 * lacks the essentials is a failed generation of its task, never a failure of the whole poll.
 */
import { checkCost, describeAnomaly, type CostAnomaly } from "./cost.js";
import { RunwareError } from "./errors.js";
import type { Item } from "./schemas.js";
import { REDACTED } from "../util/secrets.js";

export interface VideoItem {
  videoUUID: string;
  /** Where to download it: an http(s) URL, or a data: URI when the API sent the video inline. */
  videoURL: string;
  /** The seed the generation used; recorded when the API reports a whole number. */
  seed?: number;
  /** USD, present when the task was submitted with includeCost and the value is believable. */
  cost?: number;
  /** A cost that was sent but cannot be believed (see cost.ts): never a charge. */
  costAnomaly?: CostAnomaly;
  NSFWContent?: boolean;
  /** Fields clipform does not know, kept as received. */
  extra?: Record<string, unknown>;
}

export type ItemReading =
  | { kind: "running"; progress?: number }
  | { kind: "success"; video: VideoItem; notes: string[] }
  | { kind: "failure"; error: RunwareError };

/** Statuses that mean a finished generation; `completed` is what a newer SDK accepts. */
const SUCCESS_STATUSES = new Set(["success", "completed", "complete", "succeeded"]);
const ERROR_STATUSES = new Set(["error", "failed", "failure"]);
const KNOWN_FIELDS = new Set([
  "taskType", "taskUUID", "status", "videoUUID", "videoURL", "videoBase64Data", "videoDataURI",
  "seed", "cost", "NSFWContent", "progress", "error",
  "imageUUID", "imageURL", "imageBase64Data", "imageDataURI",
]);
const INLINE_TYPE = "video/mp4";

/**
 * What an item says about its generation. Unknown statuses (queued, scheduled, waiting, …) mean
 * still running; an item with no status is finished when it carries a videoUUID, as on the
 * model pages.
 */
export function readVideoItem(taskUUID: string, item: Item, where: string, failure: (error: Item | undefined) => RunwareError): ItemReading {
  const status = typeof item.status === "string" ? item.status.toLowerCase() : undefined;
  const finished = status === undefined ? outputUUID(item) !== undefined : SUCCESS_STATUSES.has(status);
  if (status !== undefined && ERROR_STATUSES.has(status)) return { kind: "failure", error: failure(isObject(item.error) ? item.error : undefined) };
  if (status === undefined && !finished && isObject(item.error)) return { kind: "failure", error: failure(item.error) };
  if (!finished) {
    const progress = typeof item.progress === "number" && Number.isFinite(item.progress) ? Math.min(100, Math.max(0, item.progress)) : undefined;
    return { kind: "running", progress };
  }
  return readSuccess(taskUUID, item, where);
}

function readSuccess(taskUUID: string, item: Item, where: string): ItemReading {
  const missing = (what: string): ItemReading => ({
    kind: "failure",
    error: new RunwareError({
      kind: "protocol",
      retryable: false,
      taskUUID,
      code: "malformedResult",
      message: `Runware reported a finished generation of task ${taskUUID} without ${what} (${where}): it cannot be recorded`,
    }),
  });
  const videoUUID = outputUUID(item);
  if (!videoUUID) return missing(item.taskType === "imageInference" ? "an imageUUID" : "a videoUUID");
  const videoURL = location(item);
  if (!videoURL) return missing(item.taskType === "imageInference" ? "an imageURL or inline image data" : "a videoURL or inline video data");

  const notes: string[] = [];
  const video: VideoItem = { videoUUID, videoURL };
  // The transport redacted the body before parsing: a URL the server built with the key keeps its
  // redacted form everywhere (the lockfile included), and the download from it will fail.
  if (videoURL.includes(REDACTED)) notes.push(`${where}: the server's URL carried the API key (in some encoding); kept a redacted URL, which cannot be downloaded from`);
  if (typeof item.seed === "number" && Number.isSafeInteger(item.seed) && item.seed >= 0) video.seed = item.seed;
  else if (item.seed !== undefined) notes.push(`${where}.seed ${short(item.seed)} ignored (not a whole number)`);
  const cost = checkCost(item.cost);
  if (cost?.ok) video.cost = cost.usd;
  else if (cost) {
    video.costAnomaly = cost.anomaly;
    notes.push(`${where}: ${describeAnomaly(cost.anomaly)}`);
  }
  if (typeof item.NSFWContent === "boolean") video.NSFWContent = item.NSFWContent;
  const extra = Object.fromEntries(Object.entries(item).filter(([key]) => !KNOWN_FIELDS.has(key)));
  if (Object.keys(extra).length > 0) video.extra = extra;
  return { kind: "success", video, notes };
}

const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** The output's UUID: a video's, or an image's (keyframes). */
function outputUUID(item: Item): string | undefined {
  return nonEmpty(item.videoUUID) ? item.videoUUID : nonEmpty(item.imageUUID) ? item.imageUUID : undefined;
}

/** The URL to fetch: videoURL (imageURL), or a data: URI built from inline data. */
function location(item: Item): string | undefined {
  if (nonEmpty(item.videoURL)) return item.videoURL;
  if (typeof item.videoDataURI === "string" && item.videoDataURI.startsWith("data:")) return item.videoDataURI;
  if (nonEmpty(item.videoBase64Data)) return `data:${INLINE_TYPE};base64,${item.videoBase64Data}`;
  if (nonEmpty(item.imageURL)) return item.imageURL;
  if (typeof item.imageDataURI === "string" && item.imageDataURI.startsWith("data:")) return item.imageDataURI;
  // Runware's image default is JPG; the exact type matters less than the bytes, which are kept as sent.
  if (nonEmpty(item.imageBase64Data)) return `data:image/png;base64,${item.imageBase64Data}`;
  return undefined;
}

const isObject = (value: unknown): value is Item => typeof value === "object" && value !== null && !Array.isArray(value);

function short(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
}
