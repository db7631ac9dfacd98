/**
 * The API key never leaves clipform, in any spelling: a server that echoes it back in its error
 * messages (raw, JSON-escaped, URL-encoded, as HTML entities, split by whitespace) leaves no trace
 * of it in any file clipform writes or any stream it prints, even for commands run later without
 * the key (the pull-request job). A key with control characters is refused before anything is sent.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { redactorFor, redactSecrets, registerSecret } from "../../src/util/secrets.js";
import { bareEnv, project } from "../helpers/cli.js";
import { cleanupAfterAll, run as runCli, type RunResult } from "../helpers/apply-sim.js";
import { sendJson, startTinyServer, type TinyServer } from "../runware/helpers.js";

const KEY = "sk-live-7Hq2Xw9Lm4Pz8Rt6-SECRET";

const hex4 = (c: string) => c.charCodeAt(0).toString(16).padStart(4, "0");
/** The spellings a hostile server uses, as they appear in its JSON body. */
const jsonEscaped = (k: string) => [...k].map((c) => `\\u${hex4(c)}`).join("");
const urlEncoded = (k: string) => [...k].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join("");
const htmlEntities = (k: string) => [...k].map((c) => `&#${c.charCodeAt(0)};`).join("");
const split = (k: string) => `${k.slice(0, 7)}\\n  ${k.slice(7, 15)} ${k.slice(15)}`;

/** Every form the key could take in a file or stream, checked independently of the redactor. */
function leaks(text: string, key: string): string[] {
  const found: string[] = [];
  const squashed = text.replace(/\s+|\\[nrt]/g, "");
  if (text.includes(key)) found.push("raw");
  if (squashed.includes(key)) found.push("split by whitespace");
  const unescaped = squashed.replace(/\\+u([0-9a-f]{4})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  if (unescaped.includes(key)) found.push("JSON-escaped");
  if (squashed.toLowerCase().includes(urlEncoded(key).toLowerCase())) found.push("URL-encoded");
  if (squashed.includes(htmlEntities(key))) found.push("HTML entities");
  let decoded = squashed;
  try {
    decoded = decodeURIComponent(squashed.replace(/%(?![0-9a-f]{2})/gi, "%25"));
  } catch {
    /* not URL text */
  }
  if (decoded.includes(key)) found.push("decoded");
  return found;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

cleanupAfterAll();

describe("redaction", () => {
  const redact = redactorFor(KEY);
  it.each([
    ["raw", KEY],
    ["JSON-escaped", jsonEscaped(KEY)],
    ["JSON-escaped twice", jsonEscaped(KEY).replace(/\\/g, "\\\\")],
    ["URL-encoded", urlEncoded(KEY)],
    ["URL-encoded, lower case", urlEncoded(KEY).toLowerCase()],
    ["HTML entities", htmlEntities(KEY)],
    ["split by whitespace", split(KEY).replace(/\\n/g, "\n")],
    ["split by JSON line breaks", split(KEY)],
    ["half raw, half escaped", KEY.slice(0, 10) + jsonEscaped(KEY.slice(10))],
  ])("%s", (_name, spelled) => {
    const text = `error: key ${spelled} is not allowed`;
    expect(leaks(text, KEY).length).toBeGreaterThan(0);
    expect(redact(text)).toBe("error: key [redacted] is not allowed");
  });

  it("JSON stays JSON and ordinary text is untouched", () => {
    const body = `{"errors":[{"message":"bad key ${jsonEscaped(KEY)}"}]}`;
    expect(JSON.parse(redact(body))).toEqual({ errors: [{ message: "bad key [redacted]" }] });
    expect(redact("sk-live is a prefix; SECRET alone is a word")).toBe("sk-live is a prefix; SECRET alone is a word");
  });

  it("registered secrets are redacted by redactSecrets", () => {
    const other = "rw-other-key-0000-9999";
    expect(redactSecrets(`x ${other} y`)).toContain(other);
    registerSecret(other);
    expect(redactSecrets(`x ${urlEncoded(other)} y`)).toBe("x [redacted] y");
  });
});

let server: TinyServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const MANIFEST = "version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: A slow drift over a harbor at dawn\n";

describe("a server that echoes the key back", () => {
  it("leaves no trace of it in any file or stream, for every command", async () => {
    let requests = 0;
    server = await startTinyServer((req, body, res) => {
      requests++;
      const key = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
      const tasks = JSON.parse(body) as { taskType: string; taskUUID: string }[];
      if (tasks.some((t) => t.taskType === "videoInference")) {
        return sendJson(res, 200, { data: tasks.map((t) => ({ taskType: t.taskType, taskUUID: t.taskUUID })) });
      }
      // The failure carries the key in every spelling, written into the JSON text by hand.
      const message = `provider refused key ${jsonEscaped(key)} (${urlEncoded(key)}) [${htmlEntities(key)}] {${split(key)}} raw ${key}`;
      const text = `{"errors":[${tasks.map((t) => `{"code":"providerError","message":"${message}","taskType":"getResponse","taskUUID":"${t.taskUUID}"}`).join(",")}]}`;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(text);
    });
    const dir = project({ "specs/main.yaml": MANIFEST });
    const env = { RUNWARE_API_KEY: KEY, RUNWARE_BASE_URL: server.url };
    const runs: [string, RunResult][] = [];
    const run = async (args: string[], withKey = true) => runs.push([args.join(" "), await runCli(args, { cwd: dir, env: withKey ? env : {} })]);

    await run(["apply", "--auto-approve", "--poll-interval", "10"]);
    expect(requests).toBeGreaterThan(1);
    const lock = readFileSync(join(dir, "clipform.lock.json"), "utf8");
    expect(lock).toContain("provider refused key [redacted]"); // the failure is recorded, without the key
    await run(["plan"]);
    await run(["plan", "--json"]);
    await run(["plan", "--markdown"]);
    await run(["plan", "--markdown"], false); // the pull-request job has no key to redact with
    await run(["plan", "--out", "saved.plan.json"]);
    await run(["status"]);
    await run(["status"], false);
    await run(["report"]);
    await run(["report"], false);
    expect(existsSync(join(dir, "clipform-report.html"))).toBe(true);

    const found: string[] = [];
    for (const [args, r] of runs) {
      for (const [name, text] of [["stdout", r.stdout], ["stderr", r.stderr]] as const) {
        for (const form of leaks(text, KEY)) found.push(`${args} ${name}: ${form}`);
      }
    }
    for (const file of filesUnder(dir)) for (const form of leaks(readFileSync(file, "latin1"), KEY)) found.push(`${file}: ${form}`);
    expect(found).toEqual([]);
  });

  it("a key with a line break is refused before anything is sent, and the state lock is released", async () => {
    let requests = 0;
    server = await startTinyServer((_req, _body, res) => {
      requests++;
      sendJson(res, 500, {});
    });
    const dir = project({ "specs/main.yaml": MANIFEST });
    const r = await runCli(["apply", "--auto-approve"], { cwd: dir, env: { RUNWARE_API_KEY: `${KEY}\r\n`, RUNWARE_BASE_URL: server.url } });
    expect(r.stderr).toContain("RUNWARE_API_KEY contains a control character");
    expect(r.code).toBe(1);
    expect(requests).toBe(0);
    expect(existsSync(join(dir, ".clipform", "apply.lock"))).toBe(false);
    expect(leaks(r.stdout + r.stderr, KEY)).toEqual([]);
  });

  it("the state lock is released however the process ends, even on a promise that never settles", () => {
    const dir = project({});
    const script = `import { acquireStateLock } from ${JSON.stringify(new URL("../../dist/lockfile/statelock.js", import.meta.url).href)};
acquireStateLock(${JSON.stringify(dir)}, "test");
await new Promise(() => {});`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env: bareEnv(), encoding: "utf8" });
    expect(r.status).toBe(13); // Node's exit code for a top-level await that never settles
    expect(existsSync(join(dir, ".clipform", "apply.lock"))).toBe(false);
  });
});
