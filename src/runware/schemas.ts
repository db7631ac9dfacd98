/**
 * Shapes of Runware responses, lenient about extra fields. Anything that does not fit becomes a
 * RunwareError of kind "protocol" naming the offending field (e.g. `data[0].seed`), never a crash.
 */
import { z } from "zod";
import { RunwareError } from "./errors.js";

const ApiErrorSchema = z
  .object({
    code: z.string().optional(),
    message: z.string().optional(),
    parameter: z.union([z.string(), z.array(z.string())]).optional(),
    taskType: z.string().optional(),
    taskUUID: z.string().optional(),
    allowedValues: z.array(z.unknown()).optional(),
  })
  .passthrough();
export type ApiError = z.infer<typeof ApiErrorSchema>;

const ItemSchema = z.record(z.unknown());
const oneOrMany = <T extends z.ZodTypeAny>(item: T) =>
  z.union([z.array(item), item], { errorMap: () => ({ message: "expected an object or an array of objects" }) });

/** `data` may be an array (tasks) or a single object (imageUpload); errors plural or singular. */
const EnvelopeSchema = z
  .object({
    data: oneOrMany(ItemSchema).optional(),
    errors: oneOrMany(ApiErrorSchema).optional(),
    error: ApiErrorSchema.optional(),
  })
  .passthrough();

interface Envelope {
  data: Record<string, unknown>[];
  errors: ApiError[];
}

/** The acknowledgement of an async task, or any item that at least names its task. */
export const TaskItemSchema = z.object({ taskUUID: z.string(), taskType: z.string().optional() }).passthrough();

const VideoStatusSchema = z.enum(["processing", "pending", "success", "error"]);

export const VideoResultSchema = z
  .object({
    taskUUID: z.string(),
    status: VideoStatusSchema.optional(),
    videoUUID: z.string().optional(),
    videoURL: z.string().optional(),
    seed: z.number().int().optional(),
    cost: z.number().optional(),
    NSFWContent: z.boolean().optional(),
    progress: z.number().optional(),
    error: ApiErrorSchema.optional(),
  })
  .passthrough();
export type VideoResult = z.infer<typeof VideoResultSchema>;

/** What a finished generation must carry for clipform to record and download it. */
export const SuccessVideoSchema = z
  .object({
    videoUUID: z.string(),
    videoURL: z.string(),
    seed: z.number().int().optional(),
    cost: z.number().optional(),
    NSFWContent: z.boolean().optional(),
  })
  .passthrough();

export const UploadResultSchema = z
  .object({ taskUUID: z.string().optional(), imageUUID: z.string() })
  .passthrough();

/** Parses `value` or throws a protocol RunwareError naming the field, `where` being its path. */
export function parseShape<S extends z.ZodTypeAny>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = formatPath(where, issue?.path ?? []);
  throw new RunwareError({
    kind: "protocol",
    retryable: false,
    message: `Unexpected Runware response: ${field || "body"}: ${issue?.message ?? "invalid"}`,
  });
}

function formatPath(base: string, path: (string | number)[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    base,
  );
}

/** Normalizes a parsed response body to arrays of items and errors. */
export function parseEnvelope(body: unknown): Envelope {
  const envelope = parseShape(EnvelopeSchema, body, "");
  const data = envelope.data === undefined ? [] : [envelope.data].flat();
  const errors = [envelope.errors ?? [], envelope.error ?? []].flat();
  return { data, errors };
}
