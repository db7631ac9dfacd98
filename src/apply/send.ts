/**
 * The one send path, for new tasks and for tasks sent again. Never pay twice: a new task's UUID
 * is written to the lockfile (durably) before the request that spends money leaves, and a task
 * sent again keeps its recorded UUID, so the API refuses a duplicate. A submit whose outcome is
 * unknown stays recorded and is polled, never sent blindly again.
 */
import { ClipformError } from "../errors.js";
import type { LockStore } from "../lockfile/store.js";
import { RunwareError } from "../runware/errors.js";
import { ImageUploader } from "../runware/upload.js";
import { DEFAULT_TASK_TIMEOUT_MS } from "../runware/waiting.js";
import { errorInfo } from "./error-info.js";
import type { Recorder } from "./record.js";
import { buildTask, type VideoTask } from "./request.js";
import type { ApiClient, ApplyEvent, EngineOptions, ErrorInfo, GenJob, InFlight } from "./types.js";

/**
 * Tasks written ahead (one fsync) and sent per submit round, at most. The client splits a round
 * into requests of its own bound (MAX_TASKS_PER_REQUEST) and sends them side by side, so a first
 * wave of 1,000 leaves at once instead of 50 per poll tick.
 */
export const SUBMIT_ROUND = 1000;

export interface Outgoing {
  job: GenJob;
  taskUUID: string;
  count: number;
  /** Already recorded (and in flight): sent again after the API said it did not know it. */
  resend: boolean;
}

export interface SendContext {
  client: ApiClient;
  images: ImageUploader;
  store: LockStore;
  recorder: Recorder;
  inflight: Map<string, InFlight>;
  now: () => Date;
  /** --task-timeout: a submit round (uploads, retries and all) ends within it. */
  timeoutMs: number;
  emit: (e: ApplyEvent) => void;
  expected: (job: GenJob) => number;
  /** Drops (in place) the new tasks a newer save made obsolete while images uploaded. */
  dropObsolete: (items: Outgoing[]) => void;
  /** Drops (in place) the new tasks another apply running at once claimed or recorded (claims.ts). */
  elsewhere: (items: Outgoing[]) => void;
  fail: (address: string, taskUUID: string | undefined, info: ErrorInfo) => void;
  acknowledged: (flight: InFlight) => void;
  submitted: (flight: InFlight) => void;
}

/** The sender's context: the run's options, and what the engine keeps of the run. */
export function sendContext(o: EngineOptions, engine: Omit<SendContext, "client" | "images" | "store" | "now" | "timeoutMs" | "emit">): SendContext {
  // Each distinct local image is uploaded once per run.
  return { client: o.client, images: new ImageUploader(o.client), store: o.store, now: o.now, timeoutMs: o.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS, emit: o.emit, ...engine };
}

/** Builds, records (new tasks) and sends; returns whether any request went out. */
export async function send(ctx: SendContext, items: Outgoing[]): Promise<boolean> {
  const now = ctx.now().getTime();
  ctx.client.setCutoff?.(now + ctx.timeoutMs, now);
  // Build every task first (uploading local images once), then write ahead, then send.
  const built: { item: Outgoing; task: VideoTask }[] = [];
  for (const item of items) {
    try {
      built.push({ item, task: await buildTask(item.job.clip, item.taskUUID, item.count, ctx.images) });
    } catch (e) {
      if (!isTaskProblem(e)) throw e;
      if (item.resend) ctx.inflight.delete(item.taskUUID);
      ctx.fail(item.job.address, item.resend ? item.taskUUID : undefined, errorInfo(e));
    }
  }
  const fresh = built.filter((b) => !b.item.resend).map((b) => b.item);
  ctx.dropObsolete(fresh);
  ctx.elsewhere(fresh);
  const going = built.filter((b) => b.item.resend || fresh.includes(b.item));
  if (going.length === 0) return false;
  if (fresh.length > 0) {
    for (const item of fresh) ctx.recorder.writeAhead(item.job, item.taskUUID);
    ctx.store.durable();
    const sentAt = ctx.now().getTime();
    for (const { job, taskUUID } of fresh) ctx.inflight.set(taskUUID, { address: job.address, taskUUID, estimateUsd: ctx.expected(job), job, since: sentAt, ...(job.variant ? { variant: job.variant } : {}) });
  }

  let results;
  try {
    results = await ctx.client.submitVideo(going.map((b) => b.task));
  } catch (e) {
    // Anything but an API error is a bug: it surfaces as one (the tasks are recorded already).
    if (!(e instanceof RunwareError)) throw e;
    // Whatever happened, the tasks are recorded: the next poll (or the next apply) settles them.
    const info = errorInfo(e);
    for (const { item } of going) ctx.emit({ type: "unconfirmed", address: item.job.address, taskUUID: item.taskUUID, message: `${info.code}: ${info.message}` });
    return true;
  }
  const resent = new Set(going.filter((b) => b.item.resend).map((b) => b.item.taskUUID));
  for (const r of results) {
    const flight = ctx.inflight.get(r.taskUUID);
    if (!flight) continue;
    if (r.status === "rejected") {
      ctx.inflight.delete(r.taskUUID);
      ctx.fail(flight.address, r.taskUUID, errorInfo(r.error));
      continue;
    }
    if (!resent.has(r.taskUUID)) ctx.submitted(flight);
    if (!r.unconfirmed) ctx.acknowledged(flight);
  }
  ctx.store.durable();
  return true;
}

/**
 * What may fail one task's build and leave the others going: the API refusing an image upload
 * (a RunwareError, which is a ClipformError), a local image changed since the plan, or unreadable
 * (a system error with a code). Anything else is a bug.
 */
function isTaskProblem(e: unknown): boolean {
  return e instanceof ClipformError || (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string");
}
