/**
 * Reading Runware response bodies tolerantly: the envelope must be an object, and everything
 * inside it is read field by field. Nulls mean absent, unknown fields are kept, and an odd item
 * or error entry is set aside rather than failing the whole reply (one malformed item must never
 * block the other tasks of a batch).
 */
import { RunwareError } from "./errors.js";

export interface ApiError {
  code?: string;
  message?: string;
  parameter?: string | string[];
  taskType?: string;
  taskUUID?: string;
  allowedValues?: unknown[];
}

export type Item = Record<string, unknown>;

interface Envelope {
  /** Object items, nulls dropped; `index` is the item's place in `data` for messages. */
  data: { item: Item; index: number }[];
  errors: ApiError[];
  /** Entries of `data` that were not objects: they cannot belong to any task. */
  oddItems: number;
}

const isObject = (value: unknown): value is Item => typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** A copy without null-valued fields: for clipform, null and absent mean the same. */
export function withoutNulls(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== null));
}

/** An error entry, whatever its fields hold: what is not of the documented type is dropped. */
export function readApiError(entry: unknown): ApiError {
  if (!isObject(entry)) return { message: typeof entry === "string" ? entry : undefined };
  const parameter = entry.parameter;
  return {
    code: str(entry.code),
    message: str(entry.message),
    parameter: typeof parameter === "string" || (Array.isArray(parameter) && parameter.every((p) => typeof p === "string")) ? parameter : undefined,
    taskType: str(entry.taskType),
    taskUUID: str(entry.taskUUID),
    allowedValues: Array.isArray(entry.allowedValues) ? entry.allowedValues : undefined,
  };
}

const list = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

/**
 * Normalizes a parsed response body to items and errors. `data` may be an array (tasks) or one
 * object (imageUpload); errors come as `errors` (array or object) or a singular `error`.
 */
export function parseEnvelope(body: unknown): Envelope {
  if (!isObject(body)) throw protocolError(`body: expected a JSON object, got ${describe(body)}`);
  if (body.data !== undefined && body.data !== null && typeof body.data !== "object") {
    throw protocolError(`data: expected an object or an array of objects, got ${describe(body.data)}`);
  }
  const data: Envelope["data"] = [];
  let oddItems = 0;
  list(body.data).forEach((item, index) => {
    if (isObject(item)) data.push({ item: withoutNulls(item), index });
    else oddItems++;
  });
  const errors = [...list(body.errors), ...list(body.error)].map(readApiError);
  return { data, errors, oddItems };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

function protocolError(detail: string): RunwareError {
  return new RunwareError({ kind: "protocol", retryable: false, message: `Unexpected Runware response: ${detail}` });
}
