/**
 * One HTTP exchange with the Runware endpoint: POST a JSON body, read a bounded response.
 * It reports, besides the outcome, whether a failed request may have reached the server, which
 * is what decides between "resend" and "find out first" for paid submissions.
 */
import { readFileSync } from "node:fs";
import { Agent, request, type Dispatcher } from "undici";
import { isSuccessStatus, RunwareError, type Redact } from "./errors.js";
import { parseRetryAfter } from "./backoff.js";

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Largest response body accepted; a poll of 50 tasks × 4 results is a few tens of KB. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** API connections per origin: a submit round of 1,000 tasks is 20 requests of 50, sent side by side. */
export const MAX_CONNECTIONS_PER_ORIGIN = 16;
/** Connections per origin for video downloads, a pool of their own (see Transport.downloads). */
export const MAX_DOWNLOAD_CONNECTIONS_PER_ORIGIN = 16;
/**
 * Whole-request deadline for an API call, on top of the connect / headers / between-chunks
 * timeouts: a server that trickles its answer a byte at a time is cut off here.
 */
export const DEFAULT_REQUEST_DEADLINE_MS = 120_000;
/** Uploads get this much more time per byte sent: 64 KiB/s is a slow uplink, not a stalled one. */
export const MIN_UPLOAD_BYTES_PER_SECOND = 64 * 1024;
const KEEP_ALIVE_MS = 30_000;
const ERROR_SNIPPET_CHARS = 200;

/** Socket failures that happen before any byte of the request could have reached the server. */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "CLIPFORM_DEADLINE"]);

export type Exchange =
  | {
      ok: true;
      status: number;
      /** Parsed JSON, or undefined when an error response was not JSON. */
      body: unknown;
      /** The start of the body, for error messages. */
      text: string;
      retryAfterMs?: number;
    }
  | { ok: false; error: RunwareError; reachedServer: boolean };

export interface TransportOptions {
  url: string;
  apiKey: string;
  timeoutMs: number;
  /** Deadline for a whole exchange with a small body; larger bodies get more (see deadlineFor). */
  requestDeadlineMs: number;
  maxResponseBytes: number;
  redact: Redact;
}

let cachedUserAgent: string | undefined;
/** `clipform/<version>`, as the official clients name themselves. */
export function userAgent(): string {
  if (cachedUserAgent === undefined) {
    let version = "unknown";
    try {
      // package.json sits two levels up from both src/runware/ and dist/runware/.
      version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? version;
    } catch {
      // a missing package.json only costs the version in the header
    }
    cachedUserAgent = `clipform/${version}`;
  }
  return cachedUserAgent;
}

/** The deadline for sending `bytes` and reading the answer: scales with the body. */
export function deadlineFor(bytes: number, baseMs: number): number {
  return baseMs + Math.ceil((bytes / MIN_UPLOAD_BYTES_PER_SECOND) * 1000);
}

function createAgent(timeoutMs: number, connections = MAX_CONNECTIONS_PER_ORIGIN): Agent {
  return new Agent({
    connections,
    keepAliveTimeout: KEEP_ALIVE_MS,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}

export class Transport {
  readonly dispatcher: Agent;
  /**
   * Video downloads go through a pool of their own: a poll or a paid submit never waits for a
   * connection behind a queue of videos (when the videos are served from the API's own host).
   */
  readonly downloads: Agent;
  readonly #url: string;
  readonly #authorization: string;
  readonly #maxResponseBytes: number;
  readonly #redact: Redact;
  readonly #timeoutMs: number;
  readonly #deadlineMs: number;
  /**
   * No exchange runs past this moment (epoch ms): the whole-task deadline of the caller, which a
   * server trickling its answers cannot stretch. Undefined: only each request's own deadline.
   */
  #cutoff: number | undefined;
  /** Aborts every exchange under way (SIGTERM): nothing is waited for any more. */
  #stop = new AbortController();

  constructor(options: TransportOptions) {
    this.dispatcher = createAgent(options.timeoutMs);
    this.downloads = createAgent(options.timeoutMs, MAX_DOWNLOAD_CONNECTIONS_PER_ORIGIN);
    this.#timeoutMs = options.timeoutMs;
    this.#deadlineMs = options.requestDeadlineMs;
    this.#url = options.url;
    this.#authorization = `Bearer ${options.apiKey}`;
    this.#maxResponseBytes = options.maxResponseBytes;
    this.#redact = options.redact;
  }

  /** See #cutoff; `now` is the clock the caller measures deadlines with. */
  setCutoff(atMs: number | undefined, now = Date.now()): void {
    this.#cutoff = atMs === undefined ? undefined : Date.now() + (atMs - now);
  }

  /** Milliseconds left before the cutoff (Infinity without one; 0 once stopped). */
  timeLeft(): number {
    if (this.#stop.signal.aborted) return 0;
    return this.#cutoff === undefined ? Infinity : Math.max(0, this.#cutoff - Date.now());
  }

  /** Every exchange under way ends now, and no new one starts. */
  stop(): void {
    this.#stop.abort();
  }

  async post(body: string, extraHeaders: Record<string, string> = {}): Promise<Exchange> {
    const bytes = Buffer.byteLength(body);
    const left = this.timeLeft();
    if (left <= 0) {
      // Nothing is sent past the deadline: the caller records what is in flight and moves on.
      const cause = Object.assign(new Error(this.#stop.signal.aborted ? "apply is stopping" : "the task deadline has passed"), { code: DEADLINE_CODE });
      return { ok: false, error: networkError(cause, this.#redact), reachedServer: false };
    }
    const deadline = new Deadline(Math.min(deadlineFor(bytes, this.#deadlineMs), left), this.#stop.signal);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.#url, {
        method: "POST",
        dispatcher: this.dispatcher,
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "user-agent": userAgent(),
          ...extraHeaders,
          authorization: this.#authorization,
        },
        // A big upload is still being sent when the headers clock would run out.
        headersTimeout: deadlineFor(bytes, this.#timeoutMs),
        signal: deadline.signal,
        body,
      });
    } catch (cause) {
      deadline.clear();
      return { ok: false, error: networkError(deadline.explain(cause), this.#redact), reachedServer: mayHaveReachedServer(cause) };
    }
    const status = response.statusCode;
    let raw: Buffer | undefined;
    try {
      raw = await readLimited(response, this.#maxResponseBytes);
    } catch (cause) {
      return { ok: false, error: networkError(deadline.explain(cause), this.#redact), reachedServer: true };
    } finally {
      deadline.clear();
    }
    if (raw === undefined) {
      // Bounded retries: a padded answer may be a hiccup; a server that always sends one ends the run.
      return failure(`Runware response larger than the ${this.#maxResponseBytes}-byte limit (HTTP ${status})`, status, true);
    }
    // Every string from the server passes here: a key it echoes back goes no further.
    const text = this.#redact(raw.toString("utf8"));
    const retryAfterMs = parseRetryAfter(header(response.headers["retry-after"]), Date.now());
    const snippet = text.slice(0, ERROR_SNIPPET_CHARS);
    try {
      return { ok: true, status, body: JSON.parse(text), text: snippet, retryAfterMs };
    } catch {
      // Garbage from a proxy or a hiccup: worth asking again, a bounded number of times.
      if (isSuccessStatus(status)) return failure(`Runware response is not JSON (HTTP ${status})`, status, true);
      return { ok: true, status, body: undefined, text: snippet, retryAfterMs };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.dispatcher.close(), this.downloads.close()]);
  }
}

/**
 * An overall deadline as an AbortSignal, and what to say when it fired: undici reports an abort
 * as a bare AbortError, which would read as a network failure.
 */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #ms: number;
  #fired = false;

  constructor(ms: number, stop?: AbortSignal) {
    this.#ms = ms;
    this.#timer = setTimeout(() => {
      this.#fired = true;
      this.#controller.abort();
    }, ms);
    // A deadline never keeps the process alive on its own.
    this.#timer.unref();
    if (stop) {
      const onStop = () => {
        this.#fired = true;
        this.#controller.abort();
      };
      if (stop.aborted) onStop();
      else {
        stop.addEventListener("abort", onStop, { once: true });
        this.#unlisten = () => stop.removeEventListener("abort", onStop);
      }
    }
  }

  #unlisten: () => void = () => undefined;

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get fired(): boolean {
    return this.#fired;
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#unlisten();
  }

  /** The cause, or a timeout naming the deadline when the deadline is why it failed. */
  explain(cause: unknown): unknown {
    if (!this.#fired) return cause;
    return Object.assign(new Error(`no complete answer within ${this.#ms} ms`), { code: DEADLINE_CODE });
  }
}

const DEADLINE_CODE = "CLIPFORM_DEADLINE";

/** A socket-level failure as a retryable RunwareError (kind "timeout" or "network"). */
export function networkError(cause: unknown, redact: Redact, peer = "Runware"): RunwareError {
  const code = errorCode(cause);
  const detail = redact(cause instanceof Error ? cause.message : String(cause));
  const timedOut = code !== undefined && TIMEOUT_CODES.has(code);
  return new RunwareError({
    kind: timedOut ? "timeout" : "network",
    retryable: true,
    code,
    message: `${timedOut ? "Timed out" : "Network error"} talking to ${peer}${code ? ` (${code})` : ""}: ${detail}`,
  });
}

/** False only for failures that happen before any byte of the request can reach the server. */
function mayHaveReachedServer(cause: unknown): boolean {
  const code = errorCode(cause);
  return code === undefined || !NOT_SENT_CODES.has(code);
}

function failure(message: string, status: number, retryable = false): Exchange & { ok: false } {
  return { ok: false, reachedServer: true, error: new RunwareError({ kind: "protocol", retryable, status, message }) };
}

/** Reads the whole body, or returns undefined (and drops the connection) past `limit` bytes. */
async function readLimited(response: Dispatcher.ResponseData, limit: number): Promise<Buffer | undefined> {
  const declared = Number(header(response.headers["content-length"]));
  if (declared > limit) {
    discard(response.body);
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      discard(response.body);
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Drops a body we will not read; the connection goes with it, and so does undici's AbortError. */
function discard(body: Dispatcher.ResponseData["body"]): void {
  body.on("error", () => {});
  body.destroy();
}

export function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function errorCode(cause: unknown): string | undefined {
  // A RunwareError's own `code` is clipform's ("API"); the API's or the socket's is `apiCode`.
  if (cause instanceof RunwareError) return cause.apiCode;
  if (typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string") {
    return cause.code;
  }
  return undefined;
}
