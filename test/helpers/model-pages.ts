/**
 * The Runware model pages kept in the shared reference material, and the real
 * request/response examples they contain.
 *
 * Two formats:
 * - `.md` pages: each example is a `**Request**:` fenced ```json block followed by a
 *   `**Response**:` block, under a `### Title` heading. Other ```json blocks on the page are
 *   fragments (`"frameImages": [...]`) and are not examples.
 * - `.txt` pages (klingai-1-5-standard.txt): the JSON objects are inline; each example is a
 *   request object immediately followed by its response object (`}{`), after a title line.
 *
 * Shared with other test suites (the simulator's tests may use it too).
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const MODEL_PAGES_DIR = fileURLToPath(new URL("../../../shared/reference/models/", import.meta.url));

export type Json = Record<string, unknown>;

export interface PageExample {
  /** The example's title on the page. */
  title: string;
  request: Json;
  response: Json;
}

export interface ModelPage {
  /** File name, e.g. "klingai-1-0-pro.md". */
  file: string;
  /** Model id from the examples' requests, e.g. "klingai:1@2". */
  modelId: string;
  examples: PageExample[];
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** Finds the end (exclusive) of the balanced JSON object that starts at `start` (a `{`); -1 if none. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function pair(file: string, items: { title: string; obj: Json }[]): PageExample[] {
  const out: PageExample[] = [];
  for (let i = 0; i < items.length; i++) {
    const req = items[i]!;
    if (!("model" in req.obj)) throw new Error(`${file}: expected a request (with "model") for "${req.title}"`);
    const res = items[i + 1];
    if (!res || "model" in res.obj || res.obj.taskUUID !== req.obj.taskUUID) {
      throw new Error(`${file}: request ${String(req.obj.taskUUID)} ("${req.title}") is not followed by its response`);
    }
    out.push({ title: req.title, request: req.obj, response: res.obj });
    i++;
  }
  return out;
}

/** Examples of a Markdown page: the ```json blocks right after **Request**: / **Response**:. */
export function parseMarkdownPage(file: string, text: string): PageExample[] {
  const items: { title: string; obj: Json }[] = [];
  const re = /\*\*(Request|Response)\*\*:\s*```json\n([\s\S]*?)\n```/g;
  for (const m of text.matchAll(re)) {
    const before = text.slice(0, m.index);
    const heading = [...before.matchAll(/^### (.+)$/gm)].pop();
    const obj: unknown = JSON.parse(m[2]!);
    if (!isObject(obj)) throw new Error(`${file}: ${m[1]} block is not a JSON object`);
    const isRequest = m[1] === "Request";
    if (isRequest !== "model" in obj) throw new Error(`${file}: block labelled ${m[1]} does not look like one`);
    items.push({ title: heading ? heading[1]!.trim() : "", obj });
  }
  return pair(file, items);
}

/**
 * Examples of a plain-text page: every top-level JSON object with a `taskType` (fragments such
 * as `{ "image": …, "frame": "first" }` inside prose are skipped); the title is the text on the
 * line before the request's `{`.
 */
export function parseTextPage(file: string, text: string): PageExample[] {
  const items: { title: string; obj: Json }[] = [];
  let i = 0;
  while ((i = text.indexOf("{", i)) !== -1) {
    const end = objectEnd(text, i);
    if (end === -1) break;
    let obj: unknown;
    try {
      obj = JSON.parse(text.slice(i, end));
    } catch {
      obj = undefined;
    }
    if (isObject(obj) && typeof obj.taskType === "string") {
      const lineStart = text.lastIndexOf("\n", i - 1);
      const prevLineStart = text.lastIndexOf("\n", lineStart - 1);
      // A response starts right after its request's "}" on the same line; a request after its title line.
      const title = text.slice(prevLineStart + 1, lineStart).replace(/^.*\}/, "").trim();
      items.push({ title, obj });
      i = end;
    } else {
      i++;
    }
  }
  return pair(file, items);
}

export function parseModelPage(file: string, text: string): ModelPage {
  const examples = file.endsWith(".md") ? parseMarkdownPage(file, text) : parseTextPage(file, text);
  const ids = new Set(examples.map((e) => String(e.request.model)));
  if (ids.size !== 1) throw new Error(`${file}: expected one model id in the examples, got ${[...ids].join(", ")}`);
  return { file, modelId: [...ids][0]!, examples };
}

let cache: ModelPage[] | undefined;

/** Every model page in the reference folder, sorted by file name. */
export function loadModelPages(): ModelPage[] {
  if (!cache) {
    cache = readdirSync(MODEL_PAGES_DIR)
      .filter((f) => /\.(md|txt)$/.test(f))
      .sort()
      .map((f) => parseModelPage(f, readFileSync(join(MODEL_PAGES_DIR, f), "utf8")));
  }
  return cache;
}

/** Every example of every page, with its page. */
export function allExamples(): (PageExample & { page: string; modelId: string })[] {
  return loadModelPages().flatMap((p) => p.examples.map((e) => ({ ...e, page: p.file, modelId: p.modelId })));
}

/** A request as manifest clip fields: the request minus taskType and taskUUID. */
export function requestToClipFields(request: Json): Json {
  const { taskType: _t, taskUUID: _u, ...fields } = request;
  return fields;
}
