/**
 * Response shapes and transport limits the simulator does not produce, served by small real
 * HTTP servers: garbage bodies, refused batched polls, partial answers, hanging, echoed keys.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { RunwareError } from "../../src/runware/index.js";
import { API_KEY, createClient, sendJson, startSim, startTinyServer, videoTask, type TinyServer } from "./helpers.js";

type Task = { taskType: string; taskUUID: string };

let server: TinyServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server answering every POST with `answer(tasks)`; returns the task lists it received. */
async function serve(answer: (tasks: Task[]) => { status: number; body: unknown }): Promise<{ url: string; received: Task[][] }> {
  const received: Task[][] = [];
  server = await startTinyServer((_req, body, res) => {
    const tasks = JSON.parse(body) as Task[];
    received.push(tasks);
    const { status, body: reply } = answer(tasks);
    sendJson(res, status, reply);
  });
  return { url: `${server.url}/v1`, received };
}

const processing = (taskUUID: string) => ({ taskType: "videoInference", taskUUID, status: "processing" });
const success = (taskUUID: string, seed: unknown = 42) => ({
  taskType: "videoInference",
  taskUUID,
  status: "success",
  videoUUID: randomUUID(),
  videoURL: "https://vm.example/v.mp4",
  seed,
  cost: 0.1848,
});

async function pollError(url: string, uuids: string[]): Promise<RunwareError> {
  const { client } = createClient(url, { maxRetries: 0 });
  try {
    const error: unknown = await client.poll(uuids).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareError);
    return error as RunwareError;
  } finally {
    await client.close();
  }
}

describe("unexpected responses", () => {
  it("turns a malformed envelope into a protocol error naming the field", async () => {
    const { url } = await serve(() => ({ status: 200, body: { data: "nope" } }));
    const error = await pollError(url, [randomUUID()]);
    expect(error.kind).toBe("protocol");
    expect(error.message).toMatch(/\bdata\b/);
  });

  it("drops a seed that is not a whole number, keeps the result and says so", async () => {
    const { url } = await serve((tasks) => ({ status: 200, body: { data: [success(tasks[0]!.taskUUID, "forty-two")] } }));
    const { client, events } = createClient(url, { maxRetries: 0 });
    try {
      const uuid = randomUUID();
      const result = (await client.poll([uuid])).get(uuid)!;
      expect(result).toMatchObject({ status: "success", items: [{ cost: 0.1848 }] });
      expect(result.items[0]).not.toHaveProperty("seed");
      expect(events).toContainEqual(expect.objectContaining({ type: "anomaly", message: expect.stringContaining("data[0].seed") }));
    } finally {
      await client.close();
    }
  });

  it("makes a finished item without a videoURL that task's failure, not the poll's", async () => {
    const { url } = await serve((tasks) => ({ status: 200, body: { data: [{ ...success(tasks[0]!.taskUUID), videoURL: undefined }] } }));
    const { client } = createClient(url, { maxRetries: 0 });
    try {
      const uuid = randomUUID();
      const result = (await client.poll([uuid])).get(uuid)!;
      expect(result).toMatchObject({ status: "error", items: [], error: { kind: "protocol", taskUUID: uuid } });
      expect(result.error!.message).toMatch(/videoURL.*data\[0\]/);
    } finally {
      await client.close();
    }
  });

  it("rejects a successful response that is not JSON", async () => {
    server = await startTinyServer((_req, _body, res) => res.end("<html>ok</html>"));
    expect(await pollError(`${server.url}/v1`, [randomUUID()])).toMatchObject({ kind: "protocol", message: expect.stringContaining("not JSON") });
  });

  it("classifies an error response by its status when its body is not JSON", async () => {
    server = await startTinyServer((_req, _body, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>Bad gateway</html>");
    });
    const error = await pollError(`${server.url}/v1`, [randomUUID()]);
    expect(error).toMatchObject({ kind: "server", retryable: true, status: 502 });
    expect(error.apiMessage).toContain("Bad gateway");
  });

  it("reads a singular error object", async () => {
    const { url } = await serve(() => ({ status: 403, body: { error: { code: "accessDenied", message: "No permission for this model." } } }));
    expect(await pollError(url, [randomUUID()])).toMatchObject({ kind: "auth", apiCode: "accessDenied", apiMessage: "No permission for this model." });
  });

  it("refuses a response larger than maxResponseBytes", async () => {
    const sim = await startSim({ latencyMs: 5_000 });
    const { client } = createClient(sim.apiUrl, { maxResponseBytes: 300, maxRetries: 0 });
    try {
      const tasks = Array.from({ length: 5 }, () => videoTask());
      await client.submitVideo(tasks);
      const error: unknown = await client.poll(tasks.map((t) => t.taskUUID)).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: "protocol", message: expect.stringContaining("300-byte limit") });
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it("stops reading a streamed response once it passes maxResponseBytes", async () => {
    server = await startTinyServer((_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json" }); // chunked: no Content-Length
      res.write(`{"data":[${"{},".repeat(400)}`);
      res.end("{}]}");
    });
    const { client } = createClient(`${server.url}/v1`, { maxResponseBytes: 1_000, maxRetries: 0 });
    try {
      await expect(client.poll([randomUUID()])).rejects.toMatchObject({ kind: "protocol", message: expect.stringContaining("1000-byte limit") });
    } finally {
      await client.close();
    }
  });

  it("times out a request that gets no answer", async () => {
    server = await startTinyServer(() => {});
    const { client } = createClient(`${server.url}/v1`, { timeoutMs: 100, maxRetries: 0 });
    try {
      await expect(client.poll([randomUUID()])).rejects.toMatchObject({ kind: "timeout", retryable: true });
    } finally {
      await client.close();
    }
  });

  it("redacts the API key from anything the server echoes back", async () => {
    const { url } = await serve(() => ({ status: 401, body: { errors: [{ code: "invalidApiKey", message: `Key ${API_KEY} is not valid` }] } }));
    const { client, events } = createClient(url);
    try {
      const [result] = await client.submitVideo([videoTask()]);
      const error = (result as { error: RunwareError }).error;
      expect(error).toMatchObject({ kind: "auth", apiMessage: "Key [redacted] is not valid" });
      for (const text of [String(error), error.stack ?? "", JSON.stringify(error), JSON.stringify(events)]) expect(text).not.toContain(API_KEY);
    } finally {
      await client.close();
    }
  });
});

describe("poll results", () => {
  it("reports mixed success and failure as success with the good items and the error", async () => {
    const { url } = await serve((tasks) => ({
      status: 200,
      body: {
        data: [success(tasks[0]!.taskUUID)],
        errors: [{ code: "generationFailed", message: "The provider failed.", taskUUID: tasks[0]!.taskUUID }],
      },
    }));
    const { client } = createClient(url);
    try {
      const uuid = randomUUID();
      const result = (await client.poll([uuid])).get(uuid)!;
      expect(result.status).toBe("success");
      expect(result.items).toHaveLength(1);
      expect(result.error).toMatchObject({ kind: "provider", apiCode: "generationFailed", taskUUID: uuid });
    } finally {
      await client.close();
    }
  });

  it("reads older shapes: status pending, and a finished item without status", async () => {
    const pending = randomUUID();
    const finished = randomUUID();
    const { url } = await serve(() => ({
      status: 200,
      body: {
        data: [
          { taskUUID: pending, status: "pending" },
          { taskUUID: finished, videoUUID: randomUUID(), videoURL: "https://vm.example/f.mp4", seed: 7 },
        ],
      },
    }));
    const { client } = createClient(url);
    try {
      const results = await client.poll([pending, finished]);
      expect(results.get(pending)!.status).toBe("processing");
      expect(results.get(finished)).toMatchObject({ status: "success", items: [{ seed: 7 }] });
    } finally {
      await client.close();
    }
  });

  it("falls back to one getResponse per request, for good, when a batched poll is refused", async () => {
    const { url, received } = await serve((tasks) =>
      tasks.length > 1
        ? { status: 400, body: { errors: [{ code: "invalidPayload", message: "One task per request." }] } }
        : { status: 200, body: { data: [processing(tasks[0]!.taskUUID)] } },
    );
    const { client, events } = createClient(url);
    try {
      const uuids = Array.from({ length: 3 }, () => randomUUID());
      const first = await client.poll(uuids);
      expect([...first.values()].map((r) => r.status)).toEqual(["processing", "processing", "processing"]);
      expect(received.map((tasks) => tasks.length)).toEqual([3, 1, 1, 1]);

      await client.poll(uuids);
      expect(received.map((tasks) => tasks.length)).toEqual([3, 1, 1, 1, 1, 1, 1]);
      expect(events.filter((e) => e.type === "pollFallback")).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it("re-polls singly the tasks a batched answer left out", async () => {
    const { url, received } = await serve((tasks) => ({ status: 200, body: { data: [processing(tasks[0]!.taskUUID)] } }));
    const { client } = createClient(url);
    try {
      const uuids = [randomUUID(), randomUUID()];
      const results = await client.poll(uuids);
      expect(uuids.map((u) => results.get(u)?.status)).toEqual(["processing", "processing"]);
      expect(received.map((tasks) => tasks.map((t) => t.taskUUID))).toEqual([uuids, [uuids[1]]]);
    } finally {
      await client.close();
    }
  });

  it("keeps a task the server says nothing about as processing and silent", async () => {
    const { url } = await serve(() => ({ status: 200, body: { data: [] } }));
    const { client } = createClient(url);
    try {
      const uuid = randomUUID();
      expect((await client.poll([uuid])).get(uuid)).toEqual({ status: "processing", items: [], silent: true });
    } finally {
      await client.close();
    }
  });
});

describe("submits whose answer cannot be read", () => {
  it("polls before every resend and rejects only once the task is known to be absent", async () => {
    const { url, received } = await serve((tasks) =>
      tasks[0]!.taskType === "getResponse"
        ? { status: 400, body: { errors: [{ code: "taskNotFound", message: "No such task.", taskUUID: tasks[0]!.taskUUID }] } }
        : { status: 200, body: { data: { surprise: true } } },
    );
    const { client } = createClient(url, { maxRetries: 2 });
    try {
      const task = videoTask();
      const [result] = await client.submitVideo([task]);
      expect(result).toMatchObject({ status: "rejected", error: { kind: "protocol" } });
      expect(received.map((tasks) => tasks[0]!.taskType)).toEqual([
        "videoInference", "getResponse", "videoInference", "getResponse", "videoInference", "getResponse",
      ]);
      const sent = received.filter((tasks) => tasks[0]!.taskType === "videoInference");
      expect(new Set(sent.map((tasks) => JSON.stringify(tasks))).size).toBe(1);
    } finally {
      await client.close();
    }
  });
});
