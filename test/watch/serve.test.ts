/**
 * `watch --serve` under hostile requests and a hostile lockfile: only recorded video files whose
 * real path lies inside the output folder are served (not `.env`, not a link to it, not a FIFO),
 * input pictures the report shows only from inside the project (no dot-folder but .clipform/frames),
 * only requests addressed to 127.0.0.1:PORT or localhost:PORT are answered, and no request
 * (malformed escapes, NUL bytes, garbage on the socket) stops the server.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startReportServer, type ReportServer } from "../../src/watch/serve.js";
import { project } from "../helpers/cli.js";

let server: ReportServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function get(url: string, path: string, host?: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers: host === undefined ? {} : { host } }, (res) => {
      let body = "";
      res.setEncoding("latin1").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.setTimeout(3_000, () => req.destroy(new Error(`no answer for ${path} within 3 s`)));
    req.end();
  });
}

function raw(url: string, text: string): Promise<void> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.end(text));
    socket.on("error", () => resolve());
    socket.on("close", () => resolve());
    socket.resume();
  });
}

/** The first bytes of a PNG file: enough to be served as one. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("a real enough picture")]);
const VIDEO = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypmp42 a real enough video")]);

describe("watch --serve against hostile requests", () => {
  it("serves recorded videos inside the output folder only, to its own host names, and survives everything", async () => {
    const dir = project({ "clipform-out/harbor.v1.mp4": VIDEO, ".env": "RUNWARE_API_KEY=sk-very-secret\n", "other/outside.mp4": VIDEO });
    symlinkSync(join(dir, ".env"), join(dir, "clipform-out", "link.v1.mp4"));
    mkdirSync(join(dir, "clipform-out", "sub"));
    execFileSync("mkfifo", [join(dir, "clipform-out", "sub", "fifo.v1.mp4")]);
    writeFileSync(join(dir, "clipform-out", "notes.txt"), "not a video");
    const recorded = new Set(["clipform-out/harbor.v1.mp4", ".env", "clipform-out/link.v1.mp4", "clipform-out/sub/fifo.v1.mp4", "other/outside.mp4", "clipform-out/notes.txt"]);
    server = await startReportServer(
      { root: dir, outDir: join(dir, "clipform-out"), page: () => "<html>report</html>", version: () => "1", servable: (rel) => recorded.has(rel) },
      0,
    );
    const url = server.url;
    const port = new URL(url).port;

    const ok = await get(url, "/clipform-out/harbor.v1.mp4");
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(VIDEO.toString("latin1"));
    expect((await get(url, "/", `localhost:${port}`)).status).toBe(200);

    for (const path of ["/.env", "/clipform-out/link.v1.mp4", "/clipform-out/sub/fifo.v1.mp4", "/other/outside.mp4", "/clipform-out/notes.txt", "/clipform-out/../.env", "/..%2F.env"]) {
      const r = await get(url, path);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain("sk-very-secret");
    }
    // DNS rebinding: a page on another name that resolves to 127.0.0.1 gets nothing.
    for (const host of ["evil.example:" + port, "127.0.0.1", `127.0.0.1:${Number(port) + 1}`, "localhost.evil.example:" + port]) {
      expect((await get(url, "/", host)).status, host).toBe(421);
      expect((await get(url, "/clipform-out/harbor.v1.mp4", host)).status, host).toBe(421);
    }
    // Malformed requests are answered (400) or dropped; the server keeps serving.
    expect((await get(url, "/%ff")).status).toBe(400);
    expect((await get(url, "/%E0%A4%A")).status).toBe(400);
    expect((await get(url, "/clipform-out/harbor.v1.mp4%00.mp4")).status).toBe(400);
    await raw(url, "GET /\u0000\u0001 HTTP/1.1\r\nHost: \r\n\r\n");
    await raw(url, "NOT-HTTP AT ALL\r\n\r\n");
    await raw(url, `GET /clipform-out/harbor.v1.mp4 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nRange: bytes=99999999999999999999-\r\n\r\n`);
    expect((await get(url, "/clipform-out/harbor.v1.mp4")).status).toBe(200);
  });

  it("serves the input pictures the report shows, as images, from inside the project only", async () => {
    const outside = project({ "outside.png": PNG });
    const dir = project({ "specs/assets/dusk.png": PNG, ".clipform/frames/0123.png": PNG, ".git/leak.png": PNG, ".hidden.png": PNG, "specs/notes.txt": "not a picture", "clipform-out/key.v1.png": PNG });
    symlinkSync(join(outside, "outside.png"), join(dir, "specs", "assets", "elsewhere.png"));
    symlinkSync(join(dir, "specs", "notes.txt"), join(dir, "specs", "assets", "notes.png"));
    symlinkSync(outside, join(dir, "specs", "linked-folder"));
    const shown = new Set(["specs/assets/dusk.png", ".clipform/frames/0123.png", ".git/leak.png", ".hidden.png", "specs/assets/elsewhere.png", "specs/assets/notes.png", "specs/linked-folder/outside.png", "../outside.png", `${outside}/outside.png`]);
    const results = new Set(["clipform-out/key.v1.png"]);
    server = await startReportServer(
      { root: dir, outDir: join(dir, "clipform-out"), page: () => "<html>report</html>", version: () => "1", servable: (rel) => results.has(rel), inputImage: (rel) => shown.has(rel) },
      0,
    );
    for (const path of ["/specs/assets/dusk.png", "/.clipform/frames/0123.png", "/clipform-out/key.v1.png"]) {
      const res = await fetch(new URL(path, server.url));
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toBe("image/png");
      expect(Buffer.from(await res.arrayBuffer()).equals(PNG), path).toBe(true);
    }
    // Shown nowhere (the picture exists), a dot-folder, a link out of the project or to a non-picture, traversal, absolute paths.
    for (const path of ["/specs/assets/other.png", "/.git/leak.png", "/.hidden.png", "/specs/assets/elsewhere.png", "/specs/assets/notes.png", "/specs/linked-folder/outside.png", "/..%2Foutside.png", `/${encodeURIComponent(`${outside}/outside.png`)}`, `/${outside}/outside.png`, "/specs/notes.txt"]) {
      expect((await get(server.url, path)).status, path).toBe(404);
    }
  });
});
