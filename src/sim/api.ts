/**
 * One API request (the body of POST /v1) in, one HTTP status and JSON body out:
 * authentication, the array-of-tasks rule, and how per-task results combine.
 */
import { AUTHENTICATION_TASK, CODES, type ApiBody } from "./protocol.js";
import { runTask, type TaskContext } from "./tasks.js";

export interface ApiContext extends TaskContext {
  /** The key a request must present; undefined accepts any non-empty key. */
  apiKey: string | undefined;
}

export interface ApiReply {
  status: number;
  body: ApiBody;
  /** The request polled (getResponse): some hostile modes garble only those answers. */
  poll?: boolean;
}

const failure = (status: number, code: string, message: string): ApiReply => ({ status, body: { errors: [{ code, message }] } });

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function isAuthenticationTask(value: unknown): value is { taskType: string; apiKey?: unknown } {
  return value !== null && typeof value === "object" && (value as { taskType?: unknown }).taskType === AUTHENTICATION_TASK;
}

export function handleApiRequest(authorization: string | undefined, text: string, ctx: ApiContext): ApiReply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const tasks = Array.isArray(parsed) ? parsed : undefined;
  const first: unknown = tasks?.[0];
  const leadingAuth = isAuthenticationTask(first) ? first : undefined;

  // The header wins; the authentication task is the documented alternative.
  const key = bearerToken(authorization) ?? (typeof leadingAuth?.apiKey === "string" ? leadingAuth.apiKey : undefined);
  if (!key || (ctx.apiKey !== undefined && key !== ctx.apiKey)) {
    return failure(401, CODES.invalidApiKey, "Invalid API key. Send it as `Authorization: Bearer <key>` or in an authentication task.");
  }
  if (!tasks) return failure(400, CODES.invalidPayload, "The request body must be a JSON array of task objects.");
  const work = leadingAuth ? tasks.slice(1) : tasks;
  if (work.length === 0) return failure(400, CODES.invalidPayload, "The request contains no task.");

  const isPoll = work.some((t) => (t as { taskType?: unknown } | null)?.taskType === "getResponse");
  if (isPoll) ctx.stats.pollRequests++;
  let replies = work.map((task) => runTask(task, ctx));
  // partial-batch: every task is processed, but only the first half is answered.
  if (isPoll && work.length > 1 && ctx.dialect.has("partial-batch")) replies = replies.slice(0, Math.ceil(work.length / 2));
  const data = replies.flatMap((r) => r.data);
  const errors = replies.flatMap((r) => r.errors);
  // 200 if any task went through (its siblings' errors ride along); otherwise 409 when every
  // refusal is a taskUUID conflict, else 400.
  let status = replies.some((r) => r.ok) ? 200 : errors.every((e) => e.code === CODES.conflictTaskUUID) ? 409 : 400;
  if (isPoll && ctx.dialect.has("errors-5xx") && errors.some((e) => e.taskUUID !== undefined && e.code !== CODES.taskNotFound)) status = 500;
  const single = work.length === 1 && data.length === 1 ? data[0] : undefined;
  return {
    status,
    poll: isPoll,
    body: {
      data: single?.taskType === "imageUpload" ? single : data,
      ...(errors.length > 0 && { errors }),
    },
  };
}
