/**
 * The live report behind `clipform watch --serve`: the report page, a version that changes with
 * every re-plan (the page polls it and reloads), and the downloaded videos, on loopback only.
 * Only video files recorded as results and lying (real path) inside the output folder are served:
 * a lockfile entry naming `.env` serves nothing. Only requests addressed to this server by name
 * (`Host: 127.0.0.1:PORT` or `localhost:PORT`) are answered, so a web page that rebinds its own
 * domain to 127.0.0.1 cannot read the report. No request, however malformed, stops the server.
 */
import { closeSync, createReadStream, fstatSync, realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream";
import { extname, isAbsolute, relative, resolve } from "node:path";
import { VERSION_ENDPOINT } from "../report/index.js";
import { containedPath, openRegularFile } from "../util/safe-fs.js";

export interface LiveReportSource {
  root: string;
  /** The output folder (absolute): videos are served from there only. */
  outDir: string;
  /** The page for the current version, or undefined before the first good plan. */
  page(): string | undefined;
  version(): string;
  /** Whether `relPath` (project-relative, forward slashes) is a file the report may show. */
  servable(relPath: string): boolean;
}

const TYPES: Record<string, string> = { ".mp4": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime" };

export interface ReportServer {
  url: string;
  close(): Promise<void>;
}

export async function startReportServer(src: LiveReportSource, port: number): Promise<ReportServer> {
  let hosts = new Set<string>();
  const server: Server = createServer((req, res) => {
    try {
      handle(src, hosts, req, res);
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
  hosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`]);
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function handle(src: LiveReportSource, hosts: Set<string>, req: IncomingMessage, res: ServerResponse): void {
  if (!hosts.has((req.headers.host ?? "").toLowerCase())) return send(res, 421, "clipform serves only http://127.0.0.1:PORT/ and http://localhost:PORT/");
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed");
  const path = requestPath(req.url);
  if (path === undefined) return send(res, 400, "bad request");
  if (path === "/" || path === "/index.html") {
    const page = src.page();
    if (!page) return send(res, 503, "clipform watch has no valid plan yet: fix the manifests and save");
    return send(res, 200, page, "text/html; charset=utf-8");
  }
  if (path === VERSION_ENDPOINT) return send(res, 200, src.version(), "text/plain; charset=utf-8");
  const rel = path.replace(/^\/+/, "");
  const abs = servablePath(src, rel);
  if (!abs) return send(res, 404, "not found");
  serveFile(req, res, abs);
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

/** The real path of a recorded video inside the real output folder, or undefined. */
function servablePath(src: LiveReportSource, rel: string): string | undefined {
  if (!TYPES[extname(rel).toLowerCase()] || !src.servable(rel)) return undefined;
  const abs = containedPath(src.root, rel);
  if (!abs) return undefined;
  try {
    const real = realpathSync(abs);
    const back = relative(realpathSync(src.outDir), real);
    if (back === "" || back.startsWith("..") || isAbsolute(back)) return undefined;
    return real;
  } catch {
    return undefined;
  }
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
  if (req.method === "HEAD") {
    closeSync(fd);
    return void res.end();
  }
  stream(start, end);
}
