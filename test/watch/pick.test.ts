/**
 * The live report's pick endpoint: only this server's own page can pick (Host, Origin, a JSON
 * body and the per-server token it embeds), refusals say why, and a bad request never stops the
 * server. The real write (recordPick, shared with `clipform pick`) is tested end to end in
 * test/report/gallery.test.ts.
 */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { ClipformError } from "../../src/errors.js";
import { PICK_ENDPOINT, PICK_TOKEN_HEADER } from "../../src/report/index.js";
import { startReportServer, type ReportServer } from "../../src/watch/serve.js";
import { project } from "../helpers/cli.js";

let server: ReportServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(pick?: (address: string, take: number) => string) {
  const dir = project({});
  const tokens: (string | undefined)[] = [];
  server = await startReportServer(
    { root: dir, outDir: dir, page: (t) => (tokens.push(t), `<meta name="token" content="${t ?? ""}">`), version: () => "1", servable: () => false, ...(pick ? { pick } : {}) },
    0,
  );
  const page = await (await fetch(server.url)).text();
  return { url: server.url, token: /content="([^"]*)"/.exec(page)![1]!, tokens };
}

function post(url: string, headers: Record<string, string>, body = JSON.stringify({ address: "harbor/wide", take: 1 })) {
  return fetch(new URL(PICK_ENDPOINT, url), { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}

function rawPost(url: string, headers: Record<string, string>): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: PICK_ENDPOINT, method: "POST", headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(JSON.stringify({ address: "harbor/wide", take: 1 }));
  });
}

describe("watch --serve: picking a take", () => {
  it("embeds a per-server token in the page and accepts a pick that carries it from its own origin", async () => {
    const picks: [string, number][] = [];
    const { url, token } = await serve((address, take) => (picks.push([address, take]), `${address} now uses take ${take}`));
    expect(token).toMatch(/^[\w-]{32}$/);
    const res = await post(url, { [PICK_TOKEN_HEADER]: token, origin: url.replace(/\/$/, "") });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("harbor/wide now uses take 1");
    expect(picks).toEqual([["harbor/wide", 1]]);

    // Another server, another token.
    const first = token;
    await server!.close();
    const second = await serve(() => "ok");
    expect(second.token).not.toBe(first);
  });

  it("refuses forged picks: no or wrong token, another origin, another site, not JSON, not POST, another Host", async () => {
    const picks: string[] = [];
    const { url, token } = await serve((address) => (picks.push(address), "ok"));
    const own = url.replace(/\/$/, "");
    const port = new URL(url).port;
    const cases: [Record<string, string>, number, RegExp][] = [
      [{}, 403, /token/],
      [{ [PICK_TOKEN_HEADER]: "x".repeat(token.length) }, 403, /token/],
      [{ [PICK_TOKEN_HEADER]: token.slice(1) }, 403, /token/],
      [{ [PICK_TOKEN_HEADER]: token, origin: "http://evil.example" }, 403, /cross-origin/],
      [{ [PICK_TOKEN_HEADER]: token, origin: "null" }, 403, /cross-origin/],
      [{ [PICK_TOKEN_HEADER]: token, origin: own, "sec-fetch-site": "cross-site" }, 403, /cross-site/],
      [{ [PICK_TOKEN_HEADER]: token, origin: own, "content-type": "text/plain" }, 415, /JSON/],
    ];
    for (const [headers, status, message] of cases) {
      const res = await post(url, headers);
      expect(res.status, JSON.stringify(headers)).toBe(status);
      expect(await res.text()).toMatch(message);
    }
    // DNS rebinding: another name resolving to 127.0.0.1 (fetch cannot set Host, so node:http).
    expect(await rawPost(url, { host: `evil.example:${port}`, "content-type": "application/json", [PICK_TOKEN_HEADER]: token })).toBe(421);
    const get = await fetch(new URL(PICK_ENDPOINT, url));
    expect(get.status).toBe(405);
    for (const body of ["{", "null", JSON.stringify({ address: "a", take: "1" }), JSON.stringify({ address: "a", take: 0 }), JSON.stringify({ take: 1 }), "x".repeat(10_000)]) {
      const res = await post(url, { [PICK_TOKEN_HEADER]: token }, body);
      expect([400, 413], body.slice(0, 20)).toContain(res.status);
    }
    expect(picks).toEqual([]);
    expect((await fetch(url)).status).toBe(200); // still serving
  });

  it("says why a pick is refused (no such take: 400; an apply running: 409); a page without pick gets no token", async () => {
    const { url, token } = await serve((address, take) => {
      if (take === 9) throw new ClipformError("USAGE", `no take "9" for ${address}`);
      throw new ClipformError("LOCKED", "an apply is running: pick again when it has finished");
    });
    const nine = await post(url, { [PICK_TOKEN_HEADER]: token }, JSON.stringify({ address: "harbor/wide", take: 9 }));
    expect([nine.status, await nine.text()]).toEqual([400, 'no take "9" for harbor/wide']);
    const busy = await post(url, { [PICK_TOKEN_HEADER]: token });
    expect([busy.status, await busy.text()]).toEqual([409, "an apply is running: pick again when it has finished"]);

    await server!.close();
    const { url: plain, tokens } = await serve();
    expect(tokens).toEqual([undefined]);
    expect((await post(plain, { [PICK_TOKEN_HEADER]: "anything" })).status).toBe(404);
  });
});
