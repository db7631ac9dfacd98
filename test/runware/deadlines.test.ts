/**
 * Every wait has an end and every size a cap: slow and silent servers, trickling and huge
 * downloads, redirects, odd URLs. Real loopback servers; limits set small so each test is quick.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RunwareError } from "../../src/runware/index.js";
import { deadlineFor, MIN_UPLOAD_BYTES_PER_SECOND } from "../../src/runware/transport.js";
import { createClient, sendJson, startTinyServer, videoTask, type TinyServer } from "./helpers.js";

let server: TinyServer | undefined;
let dir: string;
const timers: NodeJS.Timeout[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "clipform-deadlines-"));
});
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const VIDEO = Buffer.alloc(3000, 7);

describe("API requests", () => {
  it("give a large upload more time, in proportion to its size", () => {
    expect(deadlineFor(0, 1_000)).toBe(1_000);
    expect(deadlineFor(MIN_UPLOAD_BYTES_PER_SECOND * 30, 1_000)).toBe(31_000);
  });

  it("send User-Agent clipform/<version>", async () => {
    const agents: (string | undefined)[] = [];
    server = await startTinyServer((req, _body, res) => {
      agents.push(req.headers["user-agent"]);
      sendJson(res, 200, { data: [] });
    });
    const { client } = createClient(`${server.url}/v1`);
    try {
      await client.poll([randomUUID()]);
      expect(agents[0]).toMatch(/^clipform\/\d+\.\d+\.\d+/);
    } finally {
      await client.close();
    }
  });

  it("cut off an answer trickled slower than the whole-request deadline, then give up after bounded retries", async () => {
    let requests = 0;
    server = await startTinyServer((_req, _body, res) => {
      requests++;
      res.writeHead(200, { "content-type": "application/json" });
      res.write("{");
      timers.push(setInterval(() => res.write(" "), 20)); // always under the 1 s between-chunks timeout
    });
    const { client, sleeps } = createClient(`${server.url}/v1`, { timeoutMs: 1_000, requestDeadlineMs: 150, maxRetries: 2 });
    try {
      const started = performance.now();
      const error = (await client.poll([randomUUID()]).catch((e: unknown) => e)) as RunwareError;
      expect(error).toBeInstanceOf(RunwareError);
      expect(error).toMatchObject({ kind: "timeout", retryable: true });
      expect(error.message).toMatch(/no complete answer within 15\d ms/);
      expect(requests).toBe(3);
      expect(sleeps).toHaveLength(2);
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      await client.close();
    }
  });

  it("end with a final error against a server that never answers", async () => {
    server = await startTinyServer(() => {});
    const { client } = createClient(`${server.url}/v1`, { timeoutMs: 80, maxRetries: 0 });
    try {
      const [result] = await client.submitVideo([videoTask()]);
      // The submit may have reached the server: it is reported accepted-unconfirmed, to be polled.
      expect(result).toMatchObject({ status: "accepted", unconfirmed: { kind: "timeout" } });
    } finally {
      await client.close();
    }
  });
});

describe("downloads", () => {
  const serveVideo = (handler: Parameters<typeof startTinyServer>[0]) => startTinyServer(handler);

  it("follow up to 5 redirects, relative or absolute", async () => {
    server = await serveVideo((req, _body, res) => {
      const hop = Number(/\/hop\/(\d+)/.exec(req.url ?? "")?.[1] ?? -1);
      if (hop >= 0 && hop < 5) {
        res.writeHead(hop % 2 ? 302 : 307, { location: hop % 2 ? `/hop/${hop + 1}` : `http://${req.headers.host}/hop/${hop + 1}` });
        return res.end();
      }
      res.writeHead(200, { "content-length": VIDEO.length });
      res.end(VIDEO);
    });
    const { client } = createClient(`${server.url}/v1`);
    try {
      const dest = join(dir, "v.mp4");
      await client.download(`${server.url}/hop/0`, dest);
      expect(await readFile(dest)).toEqual(VIDEO);
    } finally {
      await client.close();
    }
  });

  it("refuse a sixth redirect and a redirect to another scheme, at once", async () => {
    server = await serveVideo((req, _body, res) => {
      const hop = Number(/\/hop\/(\d+)/.exec(req.url ?? "")?.[1] ?? 0);
      res.writeHead(302, { location: req.url?.startsWith("/ftp") ? "ftp://example.com/v.mp4" : `/hop/${hop + 1}` });
      res.end();
    });
    const { client, sleeps } = createClient(`${server.url}/v1`);
    try {
      await expect(client.download(`${server.url}/hop/0`, join(dir, "a.mp4"))).rejects.toThrow(/more than 5 redirects/);
      await expect(client.download(`${server.url}/ftp`, join(dir, "b.mp4"))).rejects.toThrow(/from http: to ftp:/);
      expect(sleeps).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("fail at once, with a clear message, for a URL no download can fetch", async () => {
    const { client, sleeps } = createClient("http://127.0.0.1:9/v1");
    try {
      await expect(client.download("ftp://files.example/v.mp4", join(dir, "a.mp4"))).rejects.toThrow("only http and https");
      await expect(client.download("not a url", join(dir, "b.mp4"))).rejects.toThrow("not a valid URL");
      await expect(client.download("javascript:alert(1)", join(dir, "c.mp4"))).rejects.toMatchObject({ retryable: false, apiCode: "invalidVideoURL" });
      expect(sleeps).toEqual([]);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("write a video sent inline", async () => {
    const { client } = createClient("http://127.0.0.1:9/v1");
    try {
      const dest = join(dir, "inline.mp4");
      const got = await client.download(`data:video/mp4;base64,${VIDEO.toString("base64")}`, dest);
      expect(got.bytes).toBe(VIDEO.length);
      expect(await readFile(dest)).toEqual(VIDEO);
    } finally {
      await client.close();
    }
  });

  it("refuse a video over the size cap, declared or streamed, and leave nothing behind", async () => {
    server = await serveVideo((req, _body, res) => {
      if (req.url === "/declared") res.writeHead(200, { "content-length": VIDEO.length });
      else res.writeHead(200); // chunked: the size shows only while reading
      res.end(VIDEO);
    });
    const { client } = createClient(`${server.url}/v1`, { download: { maxBytes: 1000 } });
    try {
      for (const path of ["/declared", "/streamed"]) {
        await expect(client.download(`${server.url}${path}`, join(dir, "v.mp4"), { partKey: randomUUID() })).rejects.toMatchObject({ apiCode: "downloadTooLarge", retryable: false });
      }
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("cut off a trickling body and give up after bounded retries", async () => {
    let requests = 0;
    server = await serveVideo((_req, _body, res) => {
      requests++;
      res.writeHead(200, { "content-length": VIDEO.length });
      timers.push(setInterval(() => res.write(Buffer.alloc(1, 1)), 10));
    });
    const { client } = createClient(`${server.url}/v1`, { maxRetries: 1, download: { graceMs: 100, minBytesPerSecond: 10_000 } });
    try {
      const dest = join(dir, "v.mp4");
      await expect(client.download(`${server.url}/v.mp4`, dest)).rejects.toMatchObject({ kind: "timeout", message: expect.stringContaining("slower than") });
      expect(requests).toBe(2);
      expect(existsSync(dest)).toBe(false);
    } finally {
      await client.close();
    }
  });

  it("end a download that outlives its deadline", async () => {
    server = await serveVideo((_req, _body, res) => {
      res.writeHead(200, { "content-length": VIDEO.length });
      timers.push(setInterval(() => res.write(Buffer.alloc(100, 1)), 10));
    });
    const { client } = createClient(`${server.url}/v1`, { maxRetries: 0, download: { deadlineMs: 60 } });
    try {
      await expect(client.download(`${server.url}/v.mp4`, join(dir, "v.mp4"))).rejects.toMatchObject({ kind: "timeout", message: expect.stringContaining("60 ms") });
    } finally {
      await client.close();
    }
  });
});
