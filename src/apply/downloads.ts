/** Downloads: each result's video fetched to its output path, a few at a time, recorded by video UUID. */
import pLimit from "p-limit";
import { ClipformError } from "../errors.js";
import type { LockStore } from "../lockfile/store.js";
import { errorInfo } from "./error-info.js";
import { describeHead, readHead, sniff } from "../media/input.js";
import { keptOutputPath, outputPath, recordedPath } from "./outputs.js";
import { usedResults } from "../lockfile/live.js";
import type { ApiClient, ApplyEvent } from "./types.js";

/** Videos downloaded at once: a wave of 1,000 results is saved well within the next wave's generation time. */
export const DOWNLOAD_CONCURRENCY = 16;

export interface DownloadTally {
  downloaded: number;
  downloadFailed: number;
}

export class Downloads {
  readonly #running = new Set<Promise<void>>();
  readonly #limit = pLimit(DOWNLOAD_CONCURRENCY);
  /** Videos sent inline (data: URIs), by videoUUID: only in memory, never in the lockfile. */
  readonly #inline = new Map<string, string>();
  /** Downloads queued or running, by clip address: a chained clip waits for its upstream's. */
  readonly #busy = new Map<string, number>();
  /** The first error that was no failed download (a bug): drain() throws it to the one boundary. */
  #bug: { error: unknown } | undefined;

  constructor(
    private readonly o: { store: LockStore; root: string; outDir: string; client: ApiClient; emit: (e: ApplyEvent) => void },
    private readonly tally: DownloadTally,
  ) {}

  /**
   * Fetches the results at these indexes of the entry at `address`, and the videos `kept` of its
   * picked take kept among the takes (by video UUID); `inline` holds data: URIs by videoUUID.
   */
  start(address: string, indexes: readonly number[], inline?: ReadonlyMap<string, string>, kept: readonly string[] = []): void {
    for (const [videoUUID, uri] of inline ?? []) this.#inline.set(videoUUID, uri);
    const jobs = [...indexes.map((i) => () => this.#one(address, i)), ...kept.map((v) => () => this.#kept(address, v))];
    for (const job of jobs) {
      this.#busy.set(address, (this.#busy.get(address) ?? 0) + 1);
      // Never rejects: a failed download is told as an event, a bug is kept for drain().
      const p: Promise<void> = this.#limit(job)
        .catch((error: unknown) => {
          this.#bug ??= { error };
        })
        .finally(() => {
          this.#running.delete(p);
          const left = (this.#busy.get(address) ?? 1) - 1;
          if (left > 0) this.#busy.set(address, left);
          else this.#busy.delete(address);
        });
      this.#running.add(p);
    }
  }

  /** Whether a video of `address` is still being fetched. */
  busy(address: string): boolean {
    return this.#busy.has(address);
  }

  /** Waits for every download; then throws the first bug one of them met, if any. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
    const bug = this.#bug;
    this.#bug = undefined;
    if (bug) throw bug.error;
  }

  /** A video of the clip's picked take, kept among the takes: saved again at its per-take path. */
  async #kept(address: string, videoUUID: string): Promise<void> {
    const { store, root, outDir, client, emit } = this.o;
    const entry = store.entry(address);
    const used = usedResults(store.lock, address);
    const i = used.findIndex((r) => r.videoUUID === videoUUID);
    const r = used[i];
    if (!entry || !r) return;
    if (!r.videoURL) {
      this.tally.downloadFailed++;
      emit({ type: "download-failed", address, file: r.file ?? "", message: "no video URL recorded" });
      return;
    }
    const format = typeof entry.request.outputFormat === "string" ? entry.request.outputFormat : "MP4";
    const dest = keptOutputPath(root, outDir, address, i, format, entry.fingerprint, r.taskUUID);
    const file = recordedPath(root, dest);
    try {
      const got = await client.download(r.videoURL, dest, { partKey: r.videoUUID, ...(r.sha256 && r.file === file ? { expectedSha256: r.sha256 } : {}) });
      store.updateKeptResult(address, entry.fingerprint, videoUUID, { file, sha256: got.sha256, bytes: got.bytes });
      this.tally.downloaded++;
      emit({ type: "downloaded", address, file, bytes: got.bytes });
    } catch (e) {
      this.tally.downloadFailed++;
      emit({ type: "download-failed", address, file, message: errorInfo(e).message });
    }
  }

  async #one(address: string, i: number): Promise<void> {
    const { store, root, outDir, client, emit } = this.o;
    const entry = store.entry(address);
    const r = entry?.results[i];
    const url = r?.videoURL ?? (r ? this.#inline.get(r.videoUUID) : undefined);
    if (!entry || !r || !url) {
      if (entry && r) {
        this.tally.downloadFailed++;
        emit({ type: "download-failed", address, file: r.file ?? "", message: "no video URL recorded" });
      }
      return;
    }
    const format = typeof entry.request.outputFormat === "string" ? entry.request.outputFormat : "MP4";
    // Where the file goes is asked inside the try: an address that cannot be a file name, or a
    // link planted on the way, fails this download (told, recorded, tried again next apply).
    let file = r.file ?? address;
    try {
      const dest = outputPath(root, outDir, address, i, format);
      file = recordedPath(root, dest);
      const got = await client.download(url, dest, { partKey: r.videoUUID, ...(r.sha256 && r.file === file ? { expectedSha256: r.sha256 } : {}) });
      store.updateResult(address, r.videoUUID, { file, sha256: got.sha256, bytes: got.bytes });
      this.#inline.delete(r.videoUUID);
      this.tally.downloaded++;
      emit({ type: "downloaded", address, file, bytes: got.bytes });
      // Every byte is the server's: a file that is no video or picture is said at once (ffmpeg
      // refuses it by the same check before it would read it; see media/input.ts).
      const head = readHead(dest);
      if (!sniff(head)) emit({ type: "note", message: `${address}: ${file} is not a video or picture (it starts with ${describeHead(head)}); it is kept as downloaded, and no frame or film is ever made from it` });
    } catch (e) {
      if (!isDownloadProblem(e)) throw e;
      this.tally.downloadFailed++;
      emit({ type: "download-failed", address, file, message: errorInfo(e).message });
    }
  }
}

/**
 * What fails one download and lets the run go on: the API or the network (a RunwareError), a path
 * clipform refuses (a ClipformError), or the disk (a system error with a code). Anything else is a bug.
 */
function isDownloadProblem(e: unknown): boolean {
  return e instanceof ClipformError || (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string");
}
