/**
 * The tolerant reader: every shape the real API may send (per its docs and SDKs) is read, one
 * odd item never blocks the others, and money that cannot be believed never becomes a charge.
 * Served by small real HTTP servers answering polls with hand-written bodies.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createClient, startTinyServer, videoTask, type TinyServer } from "./helpers.js";

type Task = { taskType: string; taskUUID: string };

let server: TinyServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Serves each poll with `answer(tasks)` as raw text (so 1e400 can be sent); counts requests. */
async function serveText(answer: (tasks: Task[]) => { status: number; text: string }): Promise<{ url: string; received: Task[][] }> {
  const received: Task[][] = [];
  server = await startTinyServer((_req, body, res) => {
    const tasks = JSON.parse(body) as Task[];
    received.push(tasks);
    const { status, text } = answer(tasks);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(text);
  });
  return { url: `${server.url}/v1`, received };
}
const serve = (answer: (tasks: Task[]) => { status: number; body: unknown }) =>
  serveText((tasks) => {
    const { status, body } = answer(tasks);
    return { status, text: JSON.stringify(body) };
  });

const done = (taskUUID: string, extra: Record<string, unknown> = {}) => ({
  taskType: "videoInference",
  taskUUID,
  status: "success",
  videoUUID: randomUUID(),
  videoURL: "https://vm.example/v.mp4",
  seed: 42,
  cost: 0.1848,
  ...extra,
});

async function pollOnce(url: string, tasks: Parameters<ReturnType<typeof createClient>["client"]["poll"]>[0]) {
  const harness = createClient(url, { maxRetries: 0 });
  try {
    return { results: await harness.client.poll(tasks), ...harness };
  } finally {
    await harness.client.close();
  }
}

describe("statuses and nulls", () => {
  it("reads queued, scheduled, waiting and any unknown status as still running", async () => {
    const statuses = ["queued", "scheduled", "waiting", "IN_PROGRESS", "brand-new"];
    const uuids = statuses.map(() => randomUUID());
    const { url } = await serve(() => ({ status: 200, body: { data: uuids.map((taskUUID, i) => ({ taskUUID, status: statuses[i], progress: null })) } }));
    const { results } = await pollOnce(url, uuids);
    expect(uuids.map((u) => results.get(u)!.status)).toEqual(statuses.map(() => "processing"));
  });

  it("reads completed as finished and null optional fields as absent", async () => {
    const uuid = randomUUID();
    const { url } = await serve(() => ({ status: 200, body: { data: [done(uuid, { status: "completed", seed: null, cost: null, NSFWContent: null, progress: null })] } }));
    const { results } = await pollOnce(url, [uuid]);
    const result = results.get(uuid)!;
    expect(result.status).toBe("success");
    expect(Object.keys(result.items[0]!).sort()).toEqual(["videoURL", "videoUUID"]);
  });

  it("keeps unknown fields with the result", async () => {
    const uuid = randomUUID();
    const { url } = await serve(() => ({ status: 200, body: { data: [done(uuid, { mediaType: "video", providerMeta: { region: "eu" } })], meta: { v: 2 } } }));
    const { results } = await pollOnce(url, [uuid]);
    expect(results.get(uuid)!.items[0]!.extra).toEqual({ mediaType: "video", providerMeta: { region: "eu" } });
  });

  it("takes a video sent inline as a data: URI", async () => {
    const uuid = randomUUID();
    const { url } = await serve(() => ({ status: 200, body: { data: [{ taskUUID: uuid, videoUUID: randomUUID(), videoBase64Data: "AAAA" }] } }));
    const { results } = await pollOnce(url, [uuid]);
    expect(results.get(uuid)!.items[0]!.videoURL).toBe("data:video/mp4;base64,AAAA");
  });
});

describe("one bad item never blocks the others", () => {
  it("records 6 of 8 batched tasks when one has a float seed and one lacks its videoUUID", async () => {
    const uuids = Array.from({ length: 8 }, () => randomUUID());
    const { url, received } = await serve(() => ({
      status: 200,
      body: { data: uuids.map((u, i) => (i === 2 ? done(u, { seed: 4.5 }) : i === 5 ? done(u, { videoUUID: undefined }) : done(u))) },
    }));
    const { results } = await pollOnce(url, uuids);
    expect(received).toHaveLength(1);
    expect(uuids.map((u) => results.get(u)!.status)).toEqual(["success", "success", "success", "success", "success", "error", "success", "success"]);
    expect(results.get(uuids[2]!)!.items[0]).not.toHaveProperty("seed");
    expect(results.get(uuids[5]!)!.error).toMatchObject({ kind: "protocol", apiCode: "malformedResult", taskUUID: uuids[5] });
  });

  it("ignores items that are not objects and items for tasks it did not ask about", async () => {
    const uuid = randomUUID();
    const { url } = await serve(() => ({ status: 200, body: { data: [null, "x", 7, done(randomUUID()), done(uuid)] } }));
    const { results, client } = await pollOnce(url, [uuid]);
    expect(results.get(uuid)!.status).toBe("success");
    expect(client.pollCounters().strays).toBe(1);
  });

  it("never takes a result carrying another taskUUID as the polled task's", async () => {
    const uuid = randomUUID();
    const { url } = await serve(() => ({ status: 200, body: { data: [done(randomUUID())] } }));
    const { results } = await pollOnce(url, [uuid]);
    expect(results.get(uuid)).toEqual({ status: "processing", items: [], silent: true });
  });
});

describe("money enters validated", () => {
  const cases: [string, string, string][] = [
    ["negative", "-100", "negative"],
    ["1e400, JSON's Infinity", "1e400", "not-finite"],
    ["a string", '"0.18"', "not-a-number"],
    ["absurd ($5000)", "5000", "absurd"],
  ];
  for (const [name, raw, reason] of cases) {
    it(`keeps a cost that is ${name} as an anomaly, never as a charge`, async () => {
      const uuid = randomUUID();
      const videoUUID = randomUUID();
      const { url } = await serveText(() => ({
        status: 200,
        text: `{"data":[{"taskUUID":"${uuid}","status":"success","videoUUID":"${videoUUID}","videoURL":"https://vm.example/v.mp4","cost":${raw}}]}`,
      }));
      const { results, events } = await pollOnce(url, [uuid]);
      const item = results.get(uuid)!.items[0]!;
      expect(item).not.toHaveProperty("cost");
      expect(item.costAnomaly).toMatchObject({ reason });
      expect(events).toContainEqual(expect.objectContaining({ type: "anomaly", taskUUID: uuid, message: expect.stringContaining("not counted as a charge") }));
    });
  }
});

describe("completion by count", () => {
  it("waits for all numberResults when finished generations are listed one by one", async () => {
    const uuid = randomUUID();
    const listed: unknown[] = [];
    const { url } = await serve(() => {
      listed.push(done(uuid));
      return { status: 200, body: { data: [...listed] } };
    });
    const { client } = createClient(url, { maxRetries: 0 });
    try {
      const statuses: string[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await client.poll([{ taskUUID: uuid, numberResults: 3 }])).get(uuid)!.status);
      expect(statuses).toEqual(["processing", "processing", "success"]);
      // A fourth result beyond the 3 the client knows were asked for is refused (issue 20).
      expect((await client.poll([uuid])).get(uuid)).toMatchObject({ items: { length: 3 }, refused: 1 });
    } finally {
      await client.close();
    }
  });

  it("counts failures toward numberResults and finishes a task that failed as a whole", async () => {
    const partly = randomUUID();
    const whole = randomUUID();
    const { url } = await serve(() => ({
      status: 200,
      body: {
        data: [done(partly), { taskUUID: partly, status: "error", error: { code: "generationFailed" } }],
        errors: [{ taskUUID: whole, code: "generationFailed", message: "failed" }],
      },
    }));
    const { results } = await pollOnce(url, [{ taskUUID: partly, numberResults: 3 }, { taskUUID: whole, numberResults: 4 }]);
    expect(results.get(partly)!.status).toBe("processing");
    expect(results.get(whole)).toMatchObject({ status: "error", error: { apiCode: "generationFailed" } });
  });

  it("keeps numberResults results, refuses the rest and flags them (issue 20)", async () => {
    const uuid = randomUUID();
    const { url } = await serve(() => ({ status: 200, body: { data: [done(uuid), done(uuid), done(uuid), done(uuid)] } }));
    const { results, events } = await pollOnce(url, [{ taskUUID: uuid, numberResults: 1 }]);
    expect(results.get(uuid)).toMatchObject({ status: "success", items: { length: 1 }, refused: 3 });
    expect(events).toContainEqual(expect.objectContaining({ type: "anomaly", message: expect.stringContaining("4 results for numberResults 1") }));
  });
});

describe("errors that name a task are that task's", () => {
  for (const status of [200, 400, 402, 500, 503]) {
    it(`under HTTP ${status}`, async () => {
      const [failed, fine] = [randomUUID(), randomUUID()];
      const { url } = await serve(() => ({
        status,
        body: { data: [done(fine)], errors: [{ taskUUID: failed, code: "insufficientCreditsQuota", message: "unauthorized provider" }] },
      }));
      const { results } = await pollOnce(url, [failed, fine]);
      expect(results.get(failed)).toMatchObject({ status: "error", error: { apiCode: "insufficientCreditsQuota", taskUUID: failed } });
      expect(results.get(fine)!.status).toBe("success");
    });
  }

  it("still treats a task-less 401 as the request's", async () => {
    const { url } = await serve(() => ({ status: 401, body: { errors: [{ code: "invalidApiKey", message: "bad key" }] } }));
    const { client } = createClient(url, { maxRetries: 0 });
    try {
      await expect(client.poll([randomUUID()])).rejects.toMatchObject({ kind: "auth" });
    } finally {
      await client.close();
    }
  });
});

describe("safe batching", () => {
  it("re-polls left-out tasks one per request, then polls singly for the rest of the run, counting it", async () => {
    const uuids = Array.from({ length: 4 }, () => randomUUID());
    const { url, received } = await serve((tasks) => ({ status: 200, body: { data: tasks.slice(0, 2).map((t) => ({ taskUUID: t.taskUUID, status: "processing" })) } }));
    const { client, events } = createClient(url, { maxRetries: 0 });
    try {
      const first = await client.poll(uuids);
      expect(uuids.map((u) => first.get(u)!.status)).toEqual(["processing", "processing", "processing", "processing"]);
      expect(received.map((r) => r.length)).toEqual([4, 1, 1]);
      await client.poll(uuids);
      expect(received.map((r) => r.length)).toEqual([4, 1, 1, 1, 1, 1, 1]);
      expect(client.pollCounters()).toEqual({ requests: 7, repolls: 2, strays: 0, oneByOne: true });
      expect(events.filter((e) => e.type === "pollFallback")).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});

describe("submits answered for another task", () => {
  it("are not taken as acknowledgements: the task is looked up before it is ever sent again", async () => {
    let submits = 0;
    const { url, received } = await serve((tasks) => {
      if (tasks[0]!.taskType === "getResponse") return { status: 200, body: { data: [{ taskUUID: tasks[0]!.taskUUID, status: "processing" }] } };
      submits++;
      return { status: 200, body: { data: [{ taskType: "videoInference", taskUUID: randomUUID() }] } };
    });
    const { client } = createClient(url, { maxRetries: 3 });
    try {
      const [result] = await client.submitVideo([videoTask()]);
      expect(result).toMatchObject({ status: "accepted" });
      expect(submits).toBe(1);
      expect(received.map((r) => r[0]!.taskType)).toEqual(["videoInference", "getResponse"]);
    } finally {
      await client.close();
    }
  });
});

describe("the error boundary", () => {
  it("never retries a programming error as if the network failed", async () => {
    const { url, received } = await serve(() => ({ status: 200, body: { data: [done(randomUUID())] } }));
    const { client } = createClient(url, {
      maxRetries: 5,
      onEvent: () => {
        throw new TypeError("a bug in an event handler");
      },
    });
    try {
      await expect(client.poll([randomUUID(), randomUUID()])).rejects.toBeInstanceOf(TypeError);
      expect(received).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
