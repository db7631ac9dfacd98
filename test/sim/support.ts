/** Helpers for the simulator tests: real loopback HTTP with Node's global fetch. */
import { startSimulator, type SimOptions, type Simulator } from "../../src/sim/index.js";

export const API_KEY = "sim-test-key";
/** Generations finish fast so the whole suite stays quick. */
export const FAST_LATENCY_MS = 3;

export type { ApiError } from "../../src/sim/protocol.js";
import type { ApiError } from "../../src/sim/protocol.js";

export interface Item {
  taskType: string;
  taskUUID: string;
  status?: string;
  progress?: number;
  videoUUID?: string;
  videoURL?: string;
  seed?: number;
  cost?: number;
  NSFWContent?: boolean;
  imageUUID?: string;
  error?: { code: string; message: string };
}

export interface Reply {
  status: number;
  headers: Headers;
  /** The response body as received. */
  body: { data?: Item[] | Item; errors?: ApiError[] };
  /** `body.data` as an array (an imageUpload answer's object becomes one item). */
  data: Item[];
  errors: ApiError[];
}

const open: Simulator[] = [];

/** Starts a simulator closed by `closeSimulators` (register it with afterEach in each file). */
export async function startSim(opts: SimOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ latencyMs: FAST_LATENCY_MS, ...opts });
  open.push(sim);
  return sim;
}

export async function closeSimulators(): Promise<void> {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
}

export interface CallOptions {
  /** Bearer key to send; null sends no Authorization header. */
  key?: string | null;
  /** A raw body instead of JSON.stringify(tasks). */
  rawBody?: string;
  path?: string;
}

export async function call(sim: Simulator, tasks: unknown, opts: CallOptions = {}): Promise<Reply> {
  const key = opts.key === undefined ? API_KEY : opts.key;
  const res = await fetch(sim.url + (opts.path ?? "/v1"), {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(key !== null && { Authorization: `Bearer ${key}` }) },
    body: opts.rawBody ?? JSON.stringify(tasks),
  });
  const body = (await res.json()) as Reply["body"];
  const data = body.data === undefined ? [] : Array.isArray(body.data) ? body.data : [body.data];
  return { status: res.status, headers: res.headers, body, data, errors: body.errors ?? [] };
}

/** A valid klingai:3@1 text-to-video task with a fresh taskUUID. */
export { videoTask } from "../helpers/tasks.js";

export const pollTask = (taskUUID: string) => ({ taskType: "getResponse", taskUUID });

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls one task until none of its items is processing. */
export async function pollUntilDone(sim: Simulator, taskUUID: string, timeoutMs = 3_000): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await call(sim, [pollTask(taskUUID)]);
    if (!reply.data.some((item) => item.status === "processing")) return reply;
    if (Date.now() > deadline) throw new Error(`task ${taskUUID} still processing after ${timeoutMs} ms`);
    await sleep(FAST_LATENCY_MS);
  }
}

/** Submits one task, expects the acknowledgement, and returns the finished poll. */
export async function generate(sim: Simulator, task: Record<string, unknown> & { taskUUID: string }): Promise<Reply> {
  const ack = await call(sim, [task]);
  if (ack.status !== 200) throw new Error(`submit refused (${ack.status}): ${JSON.stringify(ack.body)}`);
  return pollUntilDone(sim, task.taskUUID);
}

export async function getStats(sim: Simulator): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.url}/__sim/stats`);
  return (await res.json()) as Record<string, unknown>;
}
