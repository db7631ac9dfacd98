/**
 * The live report behind `clipform watch --serve`: the report page, a version that changes with
 * every re-plan (the page polls it and reloads), and the downloaded videos, on loopback only.
 * Only files recorded in the lockfile are served; nothing else on disk is reachable.
 */
import { createReadStream, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, resolve, sep } from "node:path";
import { VERSION_ENDPOINT } from "../report/index.js";

export interface LiveReportSource {
  root: string;
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
  const server: Server = createServer((req, res) => handle(src, req, res));
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => ok());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function handle(src: LiveReportSource, req: IncomingMessage, res: ServerResponse): void {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed");
  if (path === "/" || path === "/index.html") {
    const page = src.page();
    if (!page) return send(res, 503, "clipform watch has no valid plan yet: fix the manifests and save");
    return send(res, 200, page, "text/html; charset=utf-8");
  }
  if (path === VERSION_ENDPOINT) return send(res, 200, src.version(), "text/plain; charset=utf-8");
  const rel = path.replace(/^\/+/, "");
  const abs = resolve(src.root, rel);
  if (!abs.startsWith(resolve(src.root) + sep) || !src.servable(rel)) return send(res, 404, "not found");
  serveFile(req, res, abs);
}

function send(res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** A file with Range support, so the browser can seek in videos. */
function serveFile(req: IncomingMessage, res: ServerResponse, abs: string): void {
  let size: number;
  try {
    size = statSync(abs).size;
  } catch {
    return send(res, 404, "not found");
  }
  const type = TYPES[extname(abs).toLowerCase()] ?? "application/octet-stream";
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
  let start = 0;
  let end = size - 1;
  if (range && (range[1] || range[2])) {
    start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size) {
      res.writeHead(416, { "content-range": `bytes */${size}` });
      return void res.end();
    }
    res.writeHead(206, { "content-type": type, "accept-ranges": "bytes", "content-range": `bytes ${start}-${end}/${size}`, "content-length": end - start + 1 });
  } else {
    res.writeHead(200, { "content-type": type, "accept-ranges": "bytes", "content-length": size });
  }
  if (req.method === "HEAD") return void res.end();
  createReadStream(abs, { start, end }).pipe(res);
}
