/**
 * Downloading a generated video: streamed to `dest.part`, resumed with a Range request when a
 * partial file exists, fsynced, checked against an expected sha256 (a resumed file that fails the
 * check is downloaded once more from scratch), then renamed into place, so `dest` either does not
 * exist or is complete and verified.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { partFileFlags } from "../util/safe-fs.js";
import { request, type Dispatcher } from "undici";
import { classify, RunwareError } from "./errors.js";
import { Deadline, header, networkError, userAgent } from "./transport.js";

export interface DownloadProgress {
  /** Bytes in the partial file so far, counting those from an earlier attempt. */
  bytes: number;
  totalBytes?: number;
}

export interface DownloadOptions {
  /** Names what is downloaded (e.g. the video UUID): the partial file is `<dest>.<key>.part`. */
  partKey?: string;
  /** Lower-case hex. On mismatch the download fails and no file is left behind. */
  expectedSha256?: string;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadResult {
  sha256: string;
  bytes: number;
}

/** Every wait and every size has an end; defaults are generous for real videos. */
export interface DownloadLimits {
  /** A video larger than this is refused (and its partial file removed). */
  maxBytes: number;
  /** One attempt, from request to last byte. */
  deadlineMs: number;
  /** After `graceMs`, a body arriving slower than this on average is cut off (and resumed later). */
  minBytesPerSecond: number;
  graceMs: number;
  /** Redirects followed per attempt: to the same scheme, or to https. */
  maxRedirects: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = {
  maxBytes: 2 * 1024 ** 3,
  deadlineMs: 30 * 60_000,
  minBytesPerSecond: 16 * 1024,
  graceMs: 30_000,
  maxRedirects: 5,
};

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface DownloadContext {
  dispatcher: Dispatcher;
  limits: DownloadLimits;
  /** Runs one attempt, again after retryable failures. */
  withRetries: <T>(attempt: () => Promise<T>) => Promise<T>;
}

const PART_SUFFIX = ".part";
const identity = (text: string) => text;

export async function downloadFile(
  url: string,
  dest: string,
  options: DownloadOptions,
  context: DownloadContext,
): Promise<DownloadResult> {
  // A partial file is resumed only into the download it came from: keyed, when the caller can
  // name the content (a video UUID), so a .part left by another video is never continued.
  const part = options.partKey ? `${dest}.${options.partKey.replace(/[^A-Za-z0-9-]/g, "")}${PART_SUFFIX}` : dest + PART_SUFFIX;
  // A URL no download can ever fetch fails now, not after a round of retries.
  const inline = checkVideoUrl(url);
  await mkdir(dirname(dest), { recursive: true });
  const resuming = inline === undefined && (await fileSize(part)) > 0;
  const fetchAndHash = async () => {
    if (inline) await writeInline(inline, part, context.limits);
    else {
      // A file written from its first byte in one attempt was hashed on the way: not read again.
      const hashed = await context.withRetries(() => fetchToPart(url, part, options, context));
      if (hashed) return hashed;
    }
    return hashFile(part);
  };
  const expected = options.expectedSha256?.toLowerCase();
  let result = await fetchAndHash();
  if (expected !== undefined && result.sha256 !== expected && resuming) {
    // The partial file may have come from another version of the video: start over once.
    await rm(part, { force: true });
    result = await fetchAndHash();
  }
  if (expected !== undefined && result.sha256 !== expected) {
    await rm(part, { force: true });
    throw new RunwareError({
      kind: "protocol",
      retryable: false,
      code: "checksumMismatch",
      message: `Downloaded ${url} has sha256 ${result.sha256}, expected ${expected}`,
    });
  }
  try {
    await rename(part, dest);
  } catch (e) {
    // Two writers saving this very video at once (a second apply, after `unlock --force`) share
    // the partial file: the first one's rename takes it. Its bytes are the same video: done.
    if ((e as NodeJS.ErrnoException).code !== "ENOENT" || !(await holdsVideo(dest, result.sha256))) throw e;
  }
  await syncDirectory(dirname(dest));
  return result;
}

/** Whether `path` is a regular file (never a link or a FIFO) with this sha256. */
async function holdsVideo(path: string, sha256: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile() && (await hashFile(path)).sha256 === sha256;
  } catch {
    return false;
  }
}

/**
 * Returns the bytes of a data: URI, undefined for an http(s) URL, and throws a final error
 * (never retried) for anything else.
 */
export function checkVideoUrl(url: string): Buffer | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RunwareError({ kind: "protocol", retryable: false, code: "invalidVideoURL", message: `The video URL ${JSON.stringify(url.slice(0, 100))} is not a valid URL: it cannot be downloaded` });
  }
  if (parsed.protocol === "http:" || parsed.protocol === "https:") {
    if (!parsed.hostname) throw new RunwareError({ kind: "protocol", retryable: false, code: "invalidVideoURL", message: `The video URL ${url.slice(0, 100)} names no host` });
    return undefined;
  }
  if (parsed.protocol === "data:") {
    const match = /^data:[^,]*?(;base64)?,(.*)$/s.exec(url);
    if (match) return match[1] ? Buffer.from(match[2]!, "base64") : Buffer.from(decodeURIComponent(match[2]!));
  }
  throw new RunwareError({
    kind: "protocol",
    retryable: false,
    code: "invalidVideoURL",
    message: `The video URL uses ${parsed.protocol.replace(/:$/, "")}: only http and https (or inline data) can be downloaded`,
  });
}

async function writeInline(bytes: Buffer, part: string, limits: DownloadLimits): Promise<void> {
  if (bytes.length > limits.maxBytes) throw tooLarge("an inline video", limits.maxBytes);
  // Like every .part file: a link planted at the path is never followed.
  const file = await open(part, partFileFlags(false), 0o644);
  try {
    await file.write(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
}

function tooLarge(what: string, maxBytes: number): RunwareError {
  return new RunwareError({ kind: "protocol", retryable: false, code: "downloadTooLarge", message: `Downloading ${what} stopped: larger than the ${maxBytes}-byte download cap` });
}

/**
 * GETs `url`, following up to maxRedirects redirects to the same scheme or to https (never from
 * https down to http). The Range header goes along on every hop.
 */
async function openFollowingRedirects(url: string, headers: Record<string, string>, context: DownloadContext, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  let current = new URL(url);
  for (let hops = 0; ; hops++) {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(current, { method: "GET", dispatcher: context.dispatcher, headers: { "user-agent": userAgent(), ...headers }, signal });
    } catch (cause) {
      throw networkError(cause, identity, current.host);
    }
    const location = header(response.headers.location);
    if (!REDIRECT_STATUSES.has(response.statusCode) || location === undefined) return response;
    await response.body.dump();
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new RunwareError({ kind: "protocol", retryable: false, message: `Downloading ${url}: redirected to an invalid URL` });
    }
    if (next.protocol !== "https:" && next.protocol !== current.protocol) {
      throw new RunwareError({ kind: "protocol", retryable: false, message: `Downloading ${url}: refused a redirect from ${current.protocol} to ${next.protocol}` });
    }
    if (hops >= context.limits.maxRedirects) {
      throw new RunwareError({ kind: "protocol", retryable: false, message: `Downloading ${url}: more than ${context.limits.maxRedirects} redirects` });
    }
    current = next;
  }
}

/**
 * One attempt: completes `part` from where it stops, or rewrites it when the server ignores Range.
 * Returns the file's hash when this attempt wrote all of it (else the caller hashes the file).
 */
async function fetchToPart(url: string, part: string, options: DownloadOptions, context: DownloadContext): Promise<DownloadResult | undefined> {
  const deadline = new Deadline(context.limits.deadlineMs);
  try {
    return await fetchWithin(url, part, options, context, deadline);
  } catch (cause) {
    if (deadline.fired && !(cause instanceof RunwareError && cause.kind === "timeout")) throw networkError(deadline.explain(cause), identity, new URL(url).host);
    throw cause;
  } finally {
    deadline.clear();
  }
}

async function fetchWithin(url: string, part: string, options: DownloadOptions, context: DownloadContext, deadline: Deadline): Promise<DownloadResult | undefined> {
  const { limits } = context;
  const offset = await fileSize(part);
  const response = await openFollowingRedirects(url, offset > 0 ? { range: `bytes=${offset}-` } : {}, context, deadline.signal);
  const status = response.statusCode;
  const range = parseContentRange(header(response.headers["content-range"]));
  if (status === 416 && offset > 0) {
    await response.body.dump();
    if (range?.total === offset) return undefined; // the partial file was already complete
    await rm(part, { force: true });
    throw new RunwareError({ kind: "protocol", retryable: true, status, message: `Partial download of ${url} no longer matches the file; starting over` });
  }
  const resuming = status === 206 && offset > 0 && range?.start === offset;
  if (!resuming && status !== 200) {
    await response.body.dump();
    if (status === 206) {
      await rm(part, { force: true });
      throw new RunwareError({ kind: "protocol", retryable: true, status, message: `Unexpected range from ${url}; starting over` });
    }
    throw new RunwareError({ ...classify(status, undefined), status, message: `Downloading ${url} failed: HTTP ${status}` });
  }
  const total = resuming ? range.total : Number(header(response.headers["content-length"])) || undefined;
  if (total !== undefined && total > limits.maxBytes) {
    await response.body.dump().catch(() => undefined);
    await rm(part, { force: true });
    throw tooLarge(url, limits.maxBytes);
  }
  const start = resuming ? offset : 0;
  const startedAt = performance.now();
  const onChunk = (bytes: number) => {
    if (bytes > limits.maxBytes) throw tooLarge(url, limits.maxBytes);
    const elapsed = performance.now() - startedAt;
    if (elapsed > limits.graceMs && ((bytes - start) / elapsed) * 1000 < limits.minBytesPerSecond) {
      throw new RunwareError({ kind: "timeout", retryable: true, message: `Download of ${url} is slower than ${limits.minBytesPerSecond} bytes/s: cut off (it resumes from here)` });
    }
    options.onProgress?.({ bytes, totalBytes: total });
  };
  let bytes: number;
  let sha256: string | undefined;
  try {
    ({ bytes, sha256 } = await appendBody(url, response.body, part, start, onChunk));
  } catch (error) {
    response.body.on("error", () => {});
    response.body.destroy();
    if (error instanceof RunwareError && error.apiCode === "downloadTooLarge") await rm(part, { force: true });
    throw error;
  }
  if (total !== undefined && bytes !== total) {
    throw new RunwareError({ kind: "network", retryable: true, message: `Download of ${url} stopped after ${bytes} of ${total} bytes` });
  }
  return sha256 === undefined ? undefined : { sha256, bytes };
}

/**
 * Writes the body to `part`: appended to its first `start` bytes, or from scratch when 0. Returns
 * the size, and the hash when written from scratch (hashed on the way, so never read back).
 */
async function appendBody(
  url: string,
  body: Dispatcher.ResponseData["body"],
  part: string,
  start: number,
  onChunk: (bytes: number) => void,
): Promise<{ bytes: number; sha256?: string }> {
  const file = await open(part, partFileFlags(start > 0));
  const hash = start === 0 ? createHash("sha256") : undefined;
  let bytes = start;
  try {
    const chunks = body[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (cause) {
        throw networkError(cause, identity, new URL(url).host);
      }
      if (next.done) break;
      await file.write(next.value);
      hash?.update(next.value);
      bytes += next.value.length;
      onChunk(bytes);
    }
    await file.sync();
  } finally {
    await file.close();
  }
  return { bytes, ...(hash ? { sha256: hash.digest("hex") } : {}) };
}

/** Parses Content-Range: "bytes 100-199/1000" gives start 100, total 1000; "bytes *\/1000" gives total 1000. */
function parseContentRange(value: string | undefined): { start?: number; total?: number } | undefined {
  const match = value?.match(/^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/);
  if (!match) return undefined;
  return {
    start: match[1] === undefined ? undefined : Number(match[1]),
    total: match[2] === "*" ? undefined : Number(match[2]),
  };
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function hashFile(path: string): Promise<DownloadResult> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

/** Makes the rename durable. Some file systems refuse to fsync a directory; the rename stands anyway. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort: see above
  }
}
