/**
 * Downloading a generated video: streamed to `dest.part`, resumed with a Range request when a
 * partial file exists, fsynced, checked against an expected sha256 (a resumed file that fails the
 * check is downloaded once more from scratch), then renamed into place, so `dest` either does not
 * exist or is complete and verified.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { partFileFlags } from "../util/safe-fs.js";
import { request, type Dispatcher } from "undici";
import { classify, RunwareError } from "./errors.js";
import { header, networkError } from "./transport.js";

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

export interface DownloadContext {
  dispatcher: Dispatcher;
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
  await mkdir(dirname(dest), { recursive: true });
  const resuming = (await fileSize(part)) > 0;
  const fetchAndHash = async () => {
    await context.withRetries(() => fetchToPart(url, part, options, context.dispatcher));
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
  await rename(part, dest);
  await syncDirectory(dirname(dest));
  return result;
}

/** One attempt: completes `part` from where it stops, or rewrites it when the server ignores Range. */
async function fetchToPart(url: string, part: string, options: DownloadOptions, dispatcher: Dispatcher): Promise<void> {
  const offset = await fileSize(part);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, { method: "GET", dispatcher, headers: offset > 0 ? { range: `bytes=${offset}-` } : {} });
  } catch (cause) {
    throw networkError(cause, identity, new URL(url).host);
  }
  const status = response.statusCode;
  const range = parseContentRange(header(response.headers["content-range"]));
  if (status === 416 && offset > 0) {
    await response.body.dump();
    if (range?.total === offset) return; // the partial file was already complete
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
  const total = resuming ? range?.total : Number(header(response.headers["content-length"])) || undefined;
  const onChunk = (bytes: number) => options.onProgress?.({ bytes, totalBytes: total });
  const bytes = await appendBody(url, response.body, part, resuming ? offset : 0, onChunk);
  if (total !== undefined && bytes !== total) {
    throw new RunwareError({ kind: "network", retryable: true, message: `Download of ${url} stopped after ${bytes} of ${total} bytes` });
  }
}

/** Writes the body to `part`: appended to its first `start` bytes, or from scratch when 0. Returns the size. */
async function appendBody(
  url: string,
  body: Dispatcher.ResponseData["body"],
  part: string,
  start: number,
  onChunk: (bytes: number) => void,
): Promise<number> {
  const file = await open(part, partFileFlags(start > 0));
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
      bytes += next.value.length;
      onChunk(bytes);
    }
    await file.sync();
  } finally {
    await file.close();
  }
  return bytes;
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
