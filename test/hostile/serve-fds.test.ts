/**
 * `watch --serve` closes every file it opens: a 0-byte video (a download cut short, a hostile
 * server's empty body) leaked one file descriptor per GET until the watcher ran out of them.
 */
import { readdirSync, readlinkSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startReportServer, type ReportServer } from "../../src/watch/serve.js";
import { project } from "../helpers/cli.js";

let server: ReportServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function get(url: string, path: string, { method = "GET", ...headers }: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ method, host: u.hostname, port: u.port, path, headers: { connection: "close", ...headers } }, (res) => {
      let body = "";
      res.setEncoding("latin1").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The files this process holds open (not sockets or pipes, which come and go with requests). */
function openFiles(dir: string): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
    } catch {
      /* closed while listing */
    }
  }
  return n;
}

describe("watch --serve and empty videos", () => {
  it("holds no file open after 50 GETs (plain and ranged) of a 0-byte video", async () => {
    const dir = project({ "clipform-out/empty.v1.mp4": "", "clipform-out/full.v1.mp4": "x".repeat(100) });
    server = await startReportServer(
      { root: dir, outDir: join(dir, "clipform-out"), page: () => "<html>report</html>", version: () => "1", servable: () => true },
      0,
    );
    const before = openFiles(dir);
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const r = await get(server.url, "/clipform-out/empty.v1.mp4");
      statuses.add(r.status);
      expect(r.body).toBe("");
    }
    for (let i = 0; i < 20; i++) statuses.add((await get(server.url, "/clipform-out/empty.v1.mp4", { range: "bytes=0-" })).status);
    for (let i = 0; i < 10; i++) expect((await get(server.url, "/clipform-out/empty.v1.mp4", { method: "HEAD" })).status).toBe(200);
    for (let i = 0; i < 10; i++) statuses.add((await get(server.url, "/clipform-out/full.v1.mp4", { range: "bytes=500-" })).status);
    expect([...statuses].sort()).toEqual([200, 416]);
    expect(openFiles(dir)).toBe(before);
  });
});
