/** The JSON shapes the simulator speaks, as documented in shared/reference/runware-api.md. */
import type { RuleIssue } from "../models/rules.js";

export type TaskType = "videoInference" | "getResponse" | "imageUpload" | "imageInference";
export const TASK_TYPES: readonly TaskType[] = ["videoInference", "getResponse", "imageUpload", "imageInference"];
export const AUTHENTICATION_TASK = "authentication";

/** Runware's error item; only code and message are always present. */
export interface ApiError {
  code: string;
  message: string;
  parameter?: string;
  /** The parameter's documented type ("integer", "string", …). */
  type?: string;
  documentation?: string;
  taskType?: string;
  taskUUID?: string;
  allowedValues?: unknown[];
  min?: number;
  max?: number;
}

export interface VideoAck {
  taskType: "videoInference";
  taskUUID: string;
}
export interface ProcessingItem extends VideoAck {
  status: "processing";
  progress: number;
}
export interface SuccessItem extends VideoAck {
  status: "success";
  videoUUID: string;
  videoURL: string;
  seed: number;
  NSFWContent: boolean;
  cost?: number;
}
/** The newer failure shape: the error travels inside `data`. */
export interface ErrorItem extends VideoAck {
  status: "error";
  error: { code: string; message: string };
}
export interface UploadItem {
  taskType: "imageUpload";
  taskUUID: string;
  imageUUID: string;
}
export type DataItem = VideoAck | ProcessingItem | SuccessItem | ErrorItem | UploadItem;

export interface ApiBody {
  /** An array, except for a request made of one imageUpload task (an object, as documented). */
  data?: DataItem[] | DataItem;
  errors?: ApiError[];
}

/** Error codes the simulator emits itself; the request rules bring their own (unsupportedDuration, …). */
export const CODES = {
  invalidApiKey: "invalidApiKey",
  invalidPayload: "invalidPayload",
  payloadTooLarge: "payloadTooLarge",
  rateLimitExceeded: "rateLimitExceeded",
  internalServerError: "internalServerError",
  serviceUnavailable: "serviceUnavailable",
  invalidTask: "invalidTask",
  unsupportedTaskType: "unsupportedTaskType",
  missingTaskUUID: "missingTaskUUID",
  invalidTaskUUID: "invalidTaskUUID",
  conflictTaskUUID: "conflictTaskUUID",
  taskNotFound: "taskNotFound",
  missingImage: "missingImage",
  invalidImage: "invalidImage",
  notFound: "notFound",
  methodNotAllowed: "methodNotAllowed",
} as const;

/** The fields of a task that identify it in an error, when they are strings. */
export function taskRef(task: Record<string, unknown>): Pick<ApiError, "taskType" | "taskUUID"> {
  return {
    ...(typeof task.taskType === "string" && { taskType: task.taskType }),
    ...(typeof task.taskUUID === "string" && { taskUUID: task.taskUUID }),
  };
}

/** Documented parameter types, keyed by the model pages' dotted path (array indices dropped). */
const PARAMETER_TYPES: Readonly<Record<string, string>> = {
  taskUUID: "string",
  model: "string",
  positivePrompt: "string",
  negativePrompt: "string",
  width: "integer",
  height: "integer",
  duration: "float",
  CFGScale: "float",
  numberResults: "integer",
  outputType: "string",
  outputFormat: "string",
  outputQuality: "integer",
  deliveryMethod: "string",
  includeCost: "boolean",
  webhookURL: "string",
  uploadEndpoint: "string",
  ttl: "integer",
  safety: "object",
  "safety.checkContent": "boolean",
  "safety.mode": "string",
  inputs: "object",
  "inputs.frameImages": "array",
  "inputs.frameImages.image": "string",
};

const MODEL_DOCS = "https://runware.ai/docs/models/";

/**
 * A rule issue from checkVideoRequest as Runware reports it: dotted `parameter`
 * ("inputs.frameImages.0.frame"), its documented type and a link to the model page's anchor.
 */
export function issueToApiError(issue: RuleIssue, task: Record<string, unknown>, modelPage: string | undefined): ApiError {
  const docPath = issue.path.filter((p) => typeof p === "string").join(".");
  const type = PARAMETER_TYPES[docPath];
  return {
    code: issue.code,
    message: issue.message,
    parameter: issue.parameter ?? issue.path.join("."),
    ...(type !== undefined && { type }),
    ...(modelPage !== undefined && { documentation: `${MODEL_DOCS}${modelPage}#request-${docPath.toLowerCase().replaceAll(".", "-")}` }),
    ...taskRef(task),
    ...(issue.allowedValues !== undefined && { allowedValues: issue.allowedValues }),
    ...(issue.min !== undefined && { min: issue.min }),
    ...(issue.max !== undefined && { max: issue.max }),
  };
}
