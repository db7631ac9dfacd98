/** Downloads: each result's video fetched to its output path, a few at a time, recorded by video UUID. */
import pLimit from "p-limit";
import type { LockStore } from "../lockfile/store.js";
import { errorInfo } from "./error-info.js";
import { describeHead, readHead, sniff } from "../media/input.js";
import { outputPath, recordedPath } from "./outputs.js";
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

  constructor(
    private readonly o: { store: LockStore; root: string; outDir: string; client: ApiClient; emit: (e: ApplyEvent) => void },
    private readonly tally: DownloadTally,
  ) {}

  /** Fetches the results at these indexes of the entry at `address`; `inline` holds data: URIs by videoUUID. */
  start(address: string, indexes: readonly number[], inline?: ReadonlyMap<string, string>): void {
    for (const [videoUUID, uri] of inline ?? []) this.#inline.set(videoUUID, uri);
    for (const i of indexes) {
      this.#busy.set(address, (this.#busy.get(address) ?? 0) + 1);
      const p = this.#limit(() => this.#one(address, i));
      this.#running.add(p);
      void p.finally(() => {
        this.#running.delete(p);
        const left = (this.#busy.get(address) ?? 1) - 1;
        if (left > 0) this.#busy.set(address, left);
        else this.#busy.delete(address);
      });
    }
  }

  /** Whether a video of `address` is still being fetched. */
  busy(address: string): boolean {
    return this.#busy.has(address);
  }

  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
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
    const dest = outputPath(root, outDir, address, i, format);
    const file = recordedPath(root, dest);
    try {
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
      this.tally.downloadFailed++;
      emit({ type: "download-failed", address, file, message: errorInfo(e).message });
    }
  }
}
