/**
 * HTTP routing: the Runware API (with its injected faults), the stats endpoint and the
 * generated videos. Faults touch POST /v1 only; stats and downloads are always served.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { handleApiRequest, type ApiContext } from "./api.js";
import { SLOW_CHUNK_BYTES, SLOW_CHUNK_PAUSE_MS, type Dialect } from "./dialects.js";
import type { Fault } from "./faults.js";
import { CODES, type ApiBody } from "./protocol.js";
import { snapshotStats } from "./stats.js";
import { builtinCatalog } from "../models/catalog.js";
import { toRequestSchema } from "../models/runware-schema.js";
import type { VideoComposer } from "./compose.js";
import { VIDEO_FORMATS, sendVideo } from "./videos.js";

export interface ServerContext extends ApiContext {
  nextFault: () => Fault;
  videos: VideoComposer;
}

/** The API's answers, in the simulator's dialect: garbled, padded or trickled when it says so. */
async function sendApi(res: ServerResponse, status: number, body: ApiBody, dialect: Dialect, poll: boolean): Promise<void> {
  const text = dialect.text(dialect.envelope(body as Record<string, unknown>), poll);
  if (!dialect.has("slow-body")) {
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  res.writeHead(status, { "Content-Type": "application/json" });
  for (let i = 0; i < text.length; i += SLOW_CHUNK_BYTES) {
    if (res.destroyed) return;
    res.write(text.slice(i, i + SLOW_CHUNK_BYTES));
    await new Promise((resolve) => setTimeout(resolve, SLOW_CHUNK_PAUSE_MS));
  }
  res.end();
}

/** Large enough for a Kling input image at its 20 MB limit, base64-encoded, in one upload. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** What 429 and 503 answers ask clients to wait, in seconds. */
export const RETRY_AFTER_SECONDS = 1;

const API_PATHS = new Set(["/v1", "/"]);
const STATS_PATH = "/__sim/stats";
const VIDEO_PATH = /^\/videos\/([0-9a-f-]{36})\.([a-z0-9]+)$/;
const IMAGE_PATH = /^\/images\/([0-9a-f-]{36})\.png$/;
/** The `redirect` dialect's video URLs: /redirect/HOPS/<videoUUID>.<ext>, one 302 per hop. */
const REDIRECT_PATH = /^\/redirect\/(\d)\/([0-9a-f-]{36}\.[a-z0-9]+)$/;
/** Runware's per-model schemas (schemas.runware.ai/resolve/<AIR>), served from the catalog. */
const RESOLVE_PATH = /^\/resolve\/([^/]+)$/;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

const errorBody = (code: string, message: string): ApiBody => ({ errors: [{ code, message }] });

/** The body as text, or undefined past `limit` bytes (the rest is read and dropped so the client gets the answer). */
async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    else chunks.length = 0;
  }
  return size > limit ? undefined : Buffer.concat(chunks).toString("utf8");
}

async function handleApi(req: IncomingMessage, res: ServerResponse, ctx: ServerContext): Promise<void> {
  const { stats } = ctx;
  stats.requests++;
  const fault = ctx.nextFault();
  const text = await readBody(req, MAX_BODY_BYTES);
  const reset = () => {
    stats.resets++;
    req.socket.destroy();
  };

  switch (fault.kind) {
    case "reset":
      if (fault.when === "before") return reset();
      break;
    case "rateLimit":
      stats.rateLimited++;
      return sendJson(res, 429, errorBody(CODES.rateLimitExceeded, "Too many requests: the queue is at capacity. Retry later."), {
        "Retry-After": String(RETRY_AFTER_SECONDS),
      });
    case "serverError":
      stats.serverErrors++;
      return fault.status === 503
        ? sendJson(res, 503, errorBody(CODES.serviceUnavailable, "The service is temporarily unavailable."), {
            "Retry-After": String(RETRY_AFTER_SECONDS),
          })
        : sendJson(res, 500, errorBody(CODES.internalServerError, "Internal server error."));
    case "none":
      break;
  }

  if (text === undefined) {
    return sendJson(res, 413, errorBody(CODES.payloadTooLarge, `The request body exceeds ${MAX_BODY_BYTES} bytes.`));
  }
  // Runware's documented dry run: validate and price, run nothing, charge nothing.
  const dryRun = req.headers["x-runware-dry-run"] === "1" && !ctx.dialect.has("ignores-dry-run");
  const reply = handleApiRequest(req.headers.authorization, text, { ...ctx, dryRun });
  if (fault.kind === "reset") return reset(); // "after": the request was acted on, its answer is lost
  await sendApi(res, reply.status, reply.body, ctx.dialect, reply.poll === true);
}

async function handleVideo(req: IncomingMessage, res: ServerResponse, ctx: ServerContext, videoUUID: string, ext: string): Promise<void> {
  const look = ctx.generations.videoLook(videoUUID);
  if (look === undefined || VIDEO_FORMATS[look.format].ext !== ext) {
    return sendJson(res, 404, errorBody(CODES.notFound, `No video ${videoUUID}.${ext}.`));
  }
  ctx.stats.videoDownloads++;
  sendVideo(req, res, await ctx.videos.bytes(look), look.format);
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: ServerContext): Promise<void> {
  const { pathname } = new URL(req.url ?? "/", "http://sim.invalid");
  const method = req.method ?? "GET";
  const readOnly = method === "GET" || method === "HEAD";

  if (API_PATHS.has(pathname)) {
    if (method === "POST") return handleApi(req, res, ctx);
    return sendJson(res, 405, errorBody(CODES.methodNotAllowed, "Use POST with a JSON array of tasks."), { Allow: "POST" });
  }
  if (pathname === STATS_PATH && readOnly) return sendJson(res, 200, snapshotStats(ctx.stats));
  const hop = REDIRECT_PATH.exec(pathname);
  if (hop && readOnly) {
    const left = Number(hop[1]) - 1;
    res.writeHead(302, { Location: left > 0 ? `/redirect/${left}/${hop[2]}` : `/videos/${hop[2]}`, "Content-Length": 0 });
    return void res.end();
  }
  const image = IMAGE_PATH.exec(pathname);
  const png = image && readOnly ? ctx.keyframes?.png(image[1]!) : undefined;
  if (png) {
    ctx.stats.imageDownloads++;
    res.writeHead(200, { "Content-Type": "image/png", "Content-Length": png.length });
    return void res.end(method === "HEAD" ? undefined : png);
  }
  const video = VIDEO_PATH.exec(pathname);
  if (video && readOnly) return handleVideo(req, res, ctx, video[1]!, video[2]!);
  const resolve = RESOLVE_PATH.exec(pathname);
  if (resolve && readOnly) {
    const model = (ctx.catalog ?? builtinCatalog()).get(decodeURIComponent(resolve[1]!));
    if (!model) return sendJson(res, 404, { error: `no schema for ${decodeURIComponent(resolve[1]!)}` });
    return sendJson(res, 200, { requestSchema: toRequestSchema(model), responseSchema: null, documentation: model.docsUrl ?? null });
  }
  sendJson(res, 404, errorBody(CODES.notFound, `Nothing at ${method} ${pathname}.`));
}

export function createRequestHandler(ctx: ServerContext): RequestListener {
  return (req, res) => {
    route(req, res, ctx).catch((error: unknown) => {
      // A client that went away mid-body lands here too; anything else is a simulator bug, said out loud.
      if (res.headersSent || req.socket.destroyed) return void req.socket.destroy();
      sendJson(res, 500, errorBody(CODES.internalServerError, `Simulator error: ${String(error)}`));
    });
  };
}
