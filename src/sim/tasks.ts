/**
 * One handler per task type. Each task is processed independently: it yields data items, or
 * errors scoped to its taskUUID, and says whether it was refused (which sets the HTTP status).
 */
import { builtinCatalog, defaultDuration, type Catalog } from "../models/catalog.js";
import { catalogPrice } from "../models/prices.js";
import { checkVideoRequest } from "../models/rules.js";
import type { Dialect } from "./dialects.js";
import { base64Payload, type ImageStore } from "./frame-images.js";
import type { GenerationStore } from "./generations.js";
import { contentUuid, isUuidV4 } from "./ids.js";
import { CODES, TASK_TYPES, issueToApiError, taskRef, type ApiError, type DataItem } from "./protocol.js";
import type { SimStats } from "./stats.js";
import { DEFAULT_OUTPUT_FORMAT, aspectOf, isOutputFormat } from "./videos.js";
import { submitImage, type KeyframeStore } from "./images.js";

export interface TaskContext {
  generations: GenerationStore;
  /** taskUUIDs of accepted imageUpload tasks: like generations', they cannot be used again. */
  uploads: Set<string>;
  /** The uploaded and inline frame images, for the videos that show them. */
  images: ImageStore;
  stats: SimStats;
  dialect: Dialect;
  /** The request carried X-Runware-Dry-Run: 1. */
  dryRun?: boolean;
  /** The models it knows: the built-in catalog, or a project's (with its own models/ folder). */
  catalog?: Catalog;
  /** Keyframe images (imageInference); without it, imageInference is an unsupported task type. */
  keyframes?: KeyframeStore;
}

export interface TaskReply {
  /** False when the task was refused (validation, conflict, unknown task). */
  ok: boolean;
  data: DataItem[];
  errors: ApiError[];
}

type Task = Record<string, unknown>;

const refused = (...errors: ApiError[]): TaskReply => ({ ok: false, data: [], errors });
const accepted = (...data: DataItem[]): TaskReply => ({ ok: true, data, errors: [] });

function isTask(value: unknown): value is Task {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function runTask(task: unknown, ctx: TaskContext): TaskReply {
  if (!isTask(task)) return refused({ code: CODES.invalidTask, message: "Each task must be a JSON object." });
  switch (task.taskType) {
    case "videoInference":
      return submitVideo(task, ctx);
    case "getResponse":
      return poll(task, ctx);
    case "imageUpload":
      return upload(task, ctx);
    case "imageInference":
      // A simulator without an image store does not know the task type.
      if (!ctx.keyframes) return unsupported(task);
      if (!ctx.dryRun && isUuidV4(task.taskUUID) && isUsed(task.taskUUID, ctx)) return conflict(task, task.taskUUID, ctx);
      return submitImage(task, ctx, taskUuidErrors(task));
    default:
      return unsupported(task);
  }
}

function unsupported(task: Task): TaskReply {
  return refused({
    code: CODES.unsupportedTaskType,
    message: `Unsupported taskType ${JSON.stringify(task.taskType)}.`,
    parameter: "taskType",
    type: "string",
    ...taskRef(task),
    allowedValues: [...TASK_TYPES],
  });
}

/** The taskUUID rule every task shares: present, and a UUID v4. */
function taskUuidErrors(task: Task): ApiError[] {
  if (isUuidV4(task.taskUUID)) return [];
  const missing = task.taskUUID === undefined;
  return [
    {
      code: missing ? CODES.missingTaskUUID : CODES.invalidTaskUUID,
      message: missing ? "taskUUID is required." : `taskUUID must be a UUID v4, got ${JSON.stringify(task.taskUUID)}.`,
      parameter: "taskUUID",
      type: "string",
      ...taskRef(task),
    },
  ];
}

const isUsed = (taskUUID: string, { generations, uploads, keyframes }: TaskContext): boolean => generations.has(taskUUID) || uploads.has(taskUUID) || keyframes?.has(taskUUID) === true;

function conflict(task: Task, taskUUID: string, { stats }: TaskContext): TaskReply {
  stats.duplicatesRefused++;
  return refused({
    code: CODES.conflictTaskUUID,
    message: `A task with taskUUID ${taskUUID} was already submitted; poll it with getResponse instead of resubmitting.`,
    parameter: "taskUUID",
    type: "string",
    ...taskRef(task),
  });
}

/**
 * Words the simulator's content moderation refuses in a prompt, as the real API refuses some
 * prompts that no local rule can foresee: a request that passes `validate` and is still rejected.
 */
export const MODERATED_WORDS: readonly string[] = ["gore"];

function moderationErrors(task: Task): ApiError[] {
  const prompt = typeof task.positivePrompt === "string" ? task.positivePrompt.toLowerCase() : "";
  const word = MODERATED_WORDS.find((w) => new RegExp(`\\b${w}\\b`).test(prompt));
  if (!word) return [];
  return [{ code: "invalidPositivePrompt", message: `The prompt was refused by content moderation ("${word}").`, parameter: "positivePrompt", type: "string", ...taskRef(task) }];
}

function submitVideo(task: Task, ctx: TaskContext): TaskReply {
  const { taskUUID } = task;
  // A used taskUUID is refused before anything else: it must never start a second generation.
  // A dry run starts nothing, so it may name any taskUUID.
  if (!ctx.dryRun && isUuidV4(taskUUID) && isUsed(taskUUID, ctx)) return conflict(task, taskUUID, ctx);

  const catalog = ctx.catalog ?? builtinCatalog();
  const model = typeof task.model === "string" ? catalog.get(task.model) : undefined;
  const errors = [
    ...taskUuidErrors(task),
    ...checkVideoRequest(task, { catalog, today: new Date().toISOString().slice(0, 10) })
      .filter((issue) => issue.severity === "error")
      .map((issue) => issueToApiError(issue, task, model?.page)),
    ...moderationErrors(task),
  ];
  // The last two checks only narrow types: a bad taskUUID or model is already in `errors`.
  if (errors.length > 0 || !isUuidV4(taskUUID) || !model) return refused(...errors);

  const duration = typeof task.duration === "number" ? task.duration : defaultDuration(model);
  const numberResults = typeof task.numberResults === "number" ? task.numberResults : 1;
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const price = catalogPrice(model, {
    duration,
    ...(num(task.width) !== undefined && num(task.height) !== undefined ? { width: num(task.width)!, height: num(task.height)! } : {}),
    ...(typeof task.resolution === "string" ? { resolution: task.resolution } : {}),
    providerSettings: task.providerSettings,
  });
  const perResult = price?.usd;
  if (ctx.dryRun) {
    ctx.stats.dryRuns++;
    // The whole request's price, on the acknowledgement-like item; none when the price is unknown.
    const cost = perResult === undefined ? undefined : Math.round(perResult * numberResults * 1e6) / 1e6;
    return accepted({ taskType: "videoInference", taskUUID, ...(cost !== undefined && { cost }) } as DataItem);
  }
  ctx.generations.start({
    taskUUID,
    numberResults,
    format: isOutputFormat(task.outputFormat) ? task.outputFormat : DEFAULT_OUTPUT_FORMAT,
    aspect: aspectOf(num(task.width), num(task.height)),
    frames: ctx.images.framesOf(task),
    cost: task.includeCost === true ? perResult : undefined,
    model: model.air,
    chargePerResult: perResult === undefined ? undefined : ctx.dialect.charge(perResult),
  });
  return accepted({ taskType: "videoInference", taskUUID });
}

function poll(task: Task, { generations, stats, dialect, keyframes }: TaskContext): TaskReply {
  stats.getResponse++;
  const { taskUUID } = task;
  if (!isUuidV4(taskUUID)) return refused(...taskUuidErrors(task));
  const image = keyframes?.poll(taskUUID);
  // Image answers speak the same dialect as video answers (no status, odd costs, extra fields…).
  if (image) return { ok: true, data: dialect.pollItems(image), errors: [] };
  const result = generations.poll(taskUUID);
  if (!result && dialect.has("empty-unknown")) return { ok: true, data: [], errors: [] };
  if (!result) {
    return refused({
      code: CODES.taskNotFound,
      message: `No task with taskUUID ${taskUUID} was found.`,
      parameter: "taskUUID",
      type: "string",
      ...taskRef(task),
    });
  }
  // A failed generation is a successful poll: its failure is reported, the request is not refused.
  return { ok: true, data: dialect.pollItems(result.data), errors: result.errors };
}

function upload(task: Task, ctx: TaskContext): TaskReply {
  const { taskUUID, image } = task;
  if (isUuidV4(taskUUID) && isUsed(taskUUID, ctx)) return conflict(task, taskUUID, ctx);
  const errors = taskUuidErrors(task);
  if (typeof image !== "string" || image.length === 0) {
    errors.push({
      code: image === undefined ? CODES.missingImage : CODES.invalidImage,
      message: "image must be a non-empty string: a data URI, base64 data or a URL.",
      parameter: "image",
      type: "string",
      ...taskRef(task),
    });
  }
  // As above, the last two checks only narrow types.
  if (errors.length > 0 || !isUuidV4(taskUUID) || typeof image !== "string") return refused(...errors);
  ctx.uploads.add(taskUUID);
  ctx.stats.imageUpload++;
  // "data:image/png;base64,AAAA" and "AAAA" are the same image, with the same imageUUID.
  const imageUUID = contentUuid(base64Payload(image));
  ctx.images.keepUpload(imageUUID, image);
  return accepted({ taskType: "imageUpload", taskUUID, imageUUID });
}
