/** Commands run in this process through `run(argv, io)`, output collected; a hostile Runware server. */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Writable } from "node:stream";
import { run as runCli } from "../../src/cli/main.js";
import { startTinyServer, type TinyServer } from "../runware/helpers.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], dir: string, env: Record<string, string>): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const sink = (add: (s: string) => void) => new Writable({ write: (c, _e, done) => (add(String(c)), done()) });
  const code = await runCli(args, {
    cwd: dir,
    env: { NO_COLOR: "1", ...env },
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    stdin: process.stdin,
  });
  return { code, stdout, stderr };
}

/** The first bytes of an MP4 file (an `ftyp` box): enough to pass for one. */
export const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypmp42\0\0\0\0mp42isom"), Buffer.alloc(64)]);

export interface HostileApi {
  url: string;
  /** RUNWARE_BASE_URL and a key for it. */
  env: Record<string, string>;
  submits: { taskUUID: string; numberResults: number; headers: IncomingMessage["headers"] }[];
  /** Every task type received, in order. */
  taskTypes: string[];
  downloads: string[];
  close(): Promise<void>;
}

export interface HostileOptions {
  /** The items a poll of `task` answers with (default: its numberResults finished videos). */
  items?: (task: { taskUUID: string; numberResults: number }, videoURL: (n: number) => string) => Record<string, unknown>[];
  /** Answer a request yourself (return true when handled). */
  intercept?: (req: IncomingMessage, body: string, res: ServerResponse) => boolean;
  video?: Buffer;
}

/** A Runware-shaped server: takes every videoInference, finishes it at the first poll. */
export async function startHostileApi(o: HostileOptions = {}): Promise<HostileApi> {
  const submits: HostileApi["submits"] = [];
  const downloads: string[] = [];
  const taskTypes: string[] = [];
  const tasks = new Map<string, { taskUUID: string; numberResults: number }>();
  let server: TinyServer | undefined = undefined;
  server = await startTinyServer((req, body, res) => {
    if (o.intercept?.(req, body, res)) return;
    if (req.method === "GET") {
      downloads.push(req.url ?? "");
      res.writeHead(200, { "content-type": "video/mp4" });
      return void res.end(o.video ?? MP4);
    }
    const list = JSON.parse(body) as { taskType: string; taskUUID: string; numberResults?: number }[];
    const data: Record<string, unknown>[] = [];
    for (const t of list) {
      taskTypes.push(t.taskType);
      if (t.taskType === "videoInference") {
        const task = { taskUUID: t.taskUUID, numberResults: t.numberResults ?? 1 };
        submits.push({ ...task, headers: req.headers });
        tasks.set(t.taskUUID, task);
        data.push({ taskType: t.taskType, taskUUID: t.taskUUID });
      } else if (t.taskType === "getResponse") {
        const task = tasks.get(t.taskUUID);
        if (!task) continue;
        const url = (n: number) => `${server!.url}/videos/${t.taskUUID}-${n}.mp4`;
        const items = o.items?.(task, url) ?? Array.from({ length: task.numberResults }, (_, n) => ({ videoUUID: randomUUID(), videoURL: url(n) }));
        for (const item of items) data.push({ taskType: "getResponse", taskUUID: t.taskUUID, status: "success", cost: 0.1848, ...item });
      } else data.push({ taskType: t.taskType, taskUUID: t.taskUUID });
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data }));
  });
  const url = server.url;
  return { url, env: { RUNWARE_BASE_URL: url, RUNWARE_API_KEY: "sk-hostile-test-0000" }, submits, taskTypes, downloads, close: () => server!.close() };
}
