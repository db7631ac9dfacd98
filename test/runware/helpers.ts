/** Shared set-up for the Runware client tests: a simulator, a client wired to it, valid tasks. */
import { videoTask as baseVideoTask } from "../helpers/tasks.js";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { startSimulator, type SimOptions, type Simulator } from "../../src/sim/index.js";
import { RunwareClient, type ClientEvent, type PollResult, type RunwareClientOptions, type VideoTask } from "../../src/runware/index.js";

export const API_KEY = "sk-test-4f1c9a7e-SECRET-b2d8";

/** Fault-free unless told otherwise; generations finish after `latencyMs`. */
export function startSim(options: SimOptions = {}): Promise<Simulator> {
  return startSimulator({ port: 0, latencyMs: 20, failRate: 0, rateLimitRate: 0, errorRate: 0, resetRate: 0, seed: 1, apiKey: API_KEY, ...options });
}

export interface Harness {
  client: RunwareClient;
  /** Every delay the client asked to sleep, in order. */
  sleeps: number[];
  events: ClientEvent[];
}

/** A client whose backoff sleeps return at once (recorded) and whose jitter is fixed. */
export function createClient(baseUrl: string, options: Partial<RunwareClientOptions> = {}): Harness {
  const sleeps: number[] = [];
  const events: ClientEvent[] = [];
  const client = new RunwareClient({
    baseUrl,
    apiKey: API_KEY,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    onEvent: (event) => void events.push(event),
    ...options,
  });
  return { client, sleeps, events };
}

/** A videoInference task the shared request rules accept (KlingAI 1.0 Pro, 5 s, 720p). */
/** The client tests' default task: klingai:1@2 (0.3234 per 5 s result). */
export function videoTask(overrides: Record<string, unknown> = {}): VideoTask {
  return baseVideoTask({ model: "klingai:1@2", ...overrides });
}

const POLL_INTERVAL_MS = 10;

/** Polls until no task is processing, waiting for real between rounds. */
export async function pollUntilDone(client: RunwareClient, taskUUIDs: string[]): Promise<Map<string, PollResult>> {
  for (;;) {
    const results = await client.poll(taskUUIDs);
    if ([...results.values()].every((r) => r.status !== "processing")) return results;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

export interface TinyServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A plain HTTP server for the few behaviours the simulator does not have (garbage bodies,
 * refusing batched polls, ignoring Range, hanging). Real loopback HTTP, no mocking.
 */
export async function startTinyServer(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<TinyServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => handler(req, Buffer.concat(chunks).toString("utf8"), res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
