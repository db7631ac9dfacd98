/**
 * The live report behind `clipform watch --serve`: the report page, a version that changes with
 * every re-plan (the page polls it and reloads), and the files it shows, on loopback only.
 * Only media files the page links to are served: results (videos, keyframe images) and films
 * whose real path lies inside the output folder, and input pictures whose real path lies inside
 * the project, outside any dot-folder but the kept frames' (`.clipform/frames/`). A lockfile
 * entry naming `.env`, or a link from the project to elsewhere, serves nothing. Only requests
 * addressed to this server by name (`Host: 127.0.0.1:PORT` or `localhost:PORT`) are answered, so
 * a web page that rebinds its own domain to 127.0.0.1 cannot read the report. No request,
 * however malformed, stops the server.
 *
 * Picking a take (POST /__report/pick) writes the lockfile, so it must not be forgeable: besides
 * the Host check, the request must come from this server's own origin and carry a per-server
 * random token that only the served page holds (a custom header, so a cross-origin page cannot
 * even send it without a preflight, which is never granted).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, createReadStream, fstatSync, realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream";
import { extname, normalize, relative, sep } from "node:path";
import { ClipformError } from "../errors.js";
import { PICK_ENDPOINT, PICK_TOKEN_HEADER, VERSION_ENDPOINT } from "../report/index.js";
import { FRAMES_DIR } from "../core/layout.js";
import { containedPath, isInside } from "../core/paths.js";
import { openRegularFile } from "../util/safe-fs.js";

export interface LiveReportSource {
  root: string;
  /** The output folder (absolute): videos are served from there only. */
  outDir: string;
  /**
   * The page for the current version, or undefined before the first good plan. `pickToken` is
   * this server's secret when `pick` is given: the page embeds it to pick takes.
   */
  page(pickToken?: string): string | undefined;
  /**
   * Records that `address` uses take `take` (as `clipform pick` does) and says so; throws
   * ClipformError when it cannot (no such take, an apply running).
   */
  pick?(address: string, take: number): string;
  version(): string;
  /** Whether `relPath` (project-relative, forward slashes) is a result or film the report shows. */
  servable(relPath: string): boolean;
  /** Whether `relPath` is an input picture the report shows (a local keyframe, a kept frame). */
  inputImage?(relPath: string): boolean;
}

const IMAGE_TYPES: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif" };
const TYPES: Record<string, string> = { ".mp4": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime", ...IMAGE_TYPES };
/** Where chained clips' frames are kept: the one dot-folder input pictures may come from. */
const KEPT_FRAMES_DIR = normalize(FRAMES_DIR);

export interface ReportServer {
  url: string;
  close(): Promise<void>;
}

/** A pick's body is tiny: anything bigger is refused unread. */
const MAX_PICK_BODY = 4096;

interface Guard {
  hosts: Set<string>;
  token: string;
}

export async function startReportServer(src: LiveReportSource, port: number): Promise<ReportServer> {
  const guard: Guard = { hosts: new Set(), token: randomBytes(24).toString("base64url") };
  const server: Server = createServer((req, res) => {
    try {
      handle(src, guard, req, res);
    } catch {
      // A request never takes the watcher down; what went wrong is this request's problem only.
      if (!res.headersSent) send(res, 500, "internal error");
      else res.destroy();
    }
  });
  server.on("clientError", (_e, socket) => socket.destroy());
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => ok());
  });
  const { port: bound } = server.address() as AddressInfo;
  guard.hosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`]);
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function handle(src: LiveReportSource, guard: Guard, req: IncomingMessage, res: ServerResponse): void {
  if (!guard.hosts.has((req.headers.host ?? "").toLowerCase())) return send(res, 421, "clipform serves only http://127.0.0.1:PORT/ and http://localhost:PORT/");
  const path = requestPath(req.url);
  if (path === undefined) return send(res, 400, "bad request");
  if (path === PICK_ENDPOINT) return handlePick(src, guard, req, res);
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed");
  if (path === "/" || path === "/index.html") {
    const page = src.page(src.pick ? guard.token : undefined);
    if (!page) return send(res, 503, "clipform watch has no valid plan yet: fix the manifests and save");
    return send(res, 200, page, "text/html; charset=utf-8");
  }
  if (path === VERSION_ENDPOINT) return send(res, 200, src.version(), "text/plain; charset=utf-8");
  const rel = path.replace(/^\/+/, "");
  const abs = servablePath(src, rel);
  if (!abs) return send(res, 404, "not found");
  serveFile(req, res, abs);
}

/** Why a pick request is refused before it is read, or undefined when it may proceed. */
function pickRefusal(src: LiveReportSource, guard: Guard, req: IncomingMessage): [number, string] | undefined {
  if (req.method !== "POST") return [405, "pick with POST"];
  if (!src.pick) return [404, "not found"];
  // Browsers send Origin with every POST: another site's page (or a sandboxed one, "null") is refused.
  const origin = req.headers.origin;
  if (origin !== undefined && !guard.hosts.has(origin.replace(/^http:\/\//, "").toLowerCase())) return [403, "cross-origin pick refused"];
  if (req.headers["sec-fetch-site"] !== undefined && req.headers["sec-fetch-site"] !== "same-origin") return [403, "cross-site pick refused"];
  if (!/^application\/json(;|$)/i.test(req.headers["content-type"] ?? "")) return [415, "a pick is JSON"];
  const given = Buffer.from(String(req.headers[PICK_TOKEN_HEADER] ?? ""));
  const want = Buffer.from(guard.token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return [403, "this pick does not carry the token of the page this server served: reload the report"];
  return undefined;
}

/** POST {address, take}: recorded as `clipform pick ADDR TAKE` records it. */
function handlePick(src: LiveReportSource, guard: Guard, req: IncomingMessage, res: ServerResponse): void {
  const refused = pickRefusal(src, guard, req);
  if (refused) return send(res, ...refused);
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size > MAX_PICK_BODY) {
      send(res, 413, "a pick is a small JSON object");
      req.destroy();
    } else chunks.push(c);
  });
  req.on("end", () => {
    if (res.headersSent) return;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, "a pick is JSON: {\"address\": ..., \"take\": N}");
    }
    const { address, take } = (body ?? {}) as { address?: unknown; take?: unknown };
    if (typeof address !== "string" || !Number.isSafeInteger(take) || (take as number) < 1) return send(res, 400, "a pick names a clip address and a take number");
    try {
      send(res, 200, src.pick!(address, take as number));
    } catch (e) {
      // A refusal (no such take, an apply holding the lock) is the user's to read; anything else
      // fails this request only (an event handler's throw would take the watcher down).
      if (e instanceof ClipformError) return send(res, e.code === "LOCKED" ? 409 : 400, e.message);
      send(res, 500, `internal error: ${(e as Error).message}`);
    }
  });
  req.on("error", () => res.destroy());
}

/** The decoded path of a request URL, or undefined when it is malformed (bad escapes, NUL bytes). */
function requestPath(url: string | undefined): string | undefined {
  try {
    const path = decodeURIComponent(new URL(url ?? "/", "http://localhost").pathname);
    return path.includes("\0") ? undefined : path;
  } catch {
    return undefined;
  }
}

/** The real path of a file the page links to, inside the folder its kind must lie in, or undefined. */
function servablePath(src: LiveReportSource, rel: string): string | undefined {
  const ext = extname(rel).toLowerCase();
  if (!TYPES[ext]) return undefined;
  const abs = containedPath(src.root, rel);
  if (!abs) return undefined;
  try {
    const real = realpathSync(abs);
    // A link to a file of another kind (a.png → notes.txt) is no media file either.
    if (!TYPES[extname(real).toLowerCase()]) return undefined;
    if (src.servable(rel) && inside(realpathSync(src.outDir), real) !== undefined) return real;
    if (!IMAGE_TYPES[ext] || !src.inputImage?.(rel)) return undefined;
    const back = inside(realpathSync(src.root), real);
    if (back === undefined) return undefined;
    // No dotfile or dot-folder (.git, .env.png…), but the kept frames'.
    return back.startsWith(KEPT_FRAMES_DIR + sep) || !back.split(sep).some((part) => part.startsWith(".")) ? real : undefined;
  } catch {
    return undefined;
  }
}

/** `real`'s path relative to the folder `base`, when it lies strictly inside it. */
function inside(base: string, real: string): string | undefined {
  return isInside(base, real) ? relative(base, real) : undefined;
}

function send(res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** A regular file (never a FIFO or a device) with Range support, so the browser can seek in videos. */
function serveFile(req: IncomingMessage, res: ServerResponse, abs: string): void {
  let fd: number;
  let size: number;
  try {
    fd = openRegularFile(abs);
    size = fstatSync(fd).size;
  } catch {
    return send(res, 404, "not found");
  }
  // pipeline() closes the file when the client goes away mid-video, and never throws.
  const stream = (start: number, end: number) => pipeline(createReadStream("", { fd, start, end }), res, () => undefined);
  const type = TYPES[extname(abs).toLowerCase()] ?? "application/octet-stream";
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
  let start = 0;
  let end = size - 1;
  if (range && (range[1] || range[2])) {
    start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size) {
      closeSync(fd);
      res.writeHead(416, { "content-range": `bytes */${size}` });
      return void res.end();
    }
    res.writeHead(206, { "content-type": type, "accept-ranges": "bytes", "content-range": `bytes ${start}-${end}/${size}`, "content-length": end - start + 1 });
  } else {
    res.writeHead(200, { "content-type": type, "accept-ranges": "bytes", "content-length": size });
  }
  if (req.method === "HEAD" || size === 0) {
    // An empty file has no byte range to stream (createReadStream would refuse end -1 after
    // the headers went out, and the descriptor would stay open).
    closeSync(fd);
    return void res.end();
  }
  stream(start, end);
}
