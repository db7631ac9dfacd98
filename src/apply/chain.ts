/**
 * Chained clips at apply time: a clip made from another clip's frame is held until that clip is
 * done (its picked video generated and downloaded), then its frames are extracted from the picked
 * videos, kept by content under .clipform/frames, and it is sent like any clip, with the request
 * (and fingerprint) that names those pictures. Never before: a held clip whose upstream clip has
 * no video is not sent at all, and says why.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ClipformError } from "../errors.js";
import type { DesiredClip, FrameImageRef } from "../manifest/index.js";
import type { LockStore } from "../lockfile/store.js";
import type { ApplyEvent, GenJob } from "./types.js";
import type { ClipLink } from "../manifest/links.js";
import { pickedResult } from "../lockfile/pick.js";
import { reusableTake, takeAsEntry, takeRef } from "../lockfile/takes.js";
import { snapshot, type Snapshot } from "./reuse.js";
import type { Lockfile, LockResult } from "../lockfile/schema.js";
import { frameIdHash, frameImageId, frameKey, type FramePosition } from "../core/address.js";
import { announceFfmpeg } from "../media/ffmpeg.js";
import { extractFrame, framePath, storeFrame } from "../media/frames.js";
import { recordedFrames, resolveLinks, withFrames, type FrameRecord } from "../plan/links.js";
import type { Change } from "../plan/plan.js";
import { READ_CAPS, readProjectFile } from "../util/safe-fs.js";

export type Materialized = { ok: true; clip: DesiredClip; extracted: number } | { ok: false; reason: string };

/** The clips `clip` takes frames from. */
export const upstreamOf = (clip: DesiredClip): string[] => [...new Set((clip.links ?? []).map((l) => l.target))];

/**
 * `clip` with its references made real: each a PNG of the frame on disk (uploaded by content like
 * any local image) and a request that names the frame by the hash of its pixels.
 */
export async function materialize(clip: DesiredClip, lock: Lockfile, root: string, remember: (address: string, video: LockResult, at: FramePosition, image: string) => void): Promise<Materialized> {
  const records = new Map<ClipLink, FrameRecord>();
  const refs = new Map<number, FrameImageRef>();
  const references: NonNullable<DesiredClip["referenceFiles"]> = {};
  const known = recordedFrames(lock);
  let extracted = 0;
  for (const l of clip.links ?? []) {
    const at = l.frame ?? "last";
    const video = pickedResult(lock, l.target, l.variant);
    if (!video) return { ok: false, reason: `${l.target} has no video${l.variant > 1 ? ` ${l.variant}` : ""} to take a frame from (it failed or was not made): ${clip.address} is made from it, so it was not sent` };
    // A frame taken before is on disk by content: no need to decode again.
    const id = known.get(frameKey(video.videoUUID, at));
    // The id comes from the lockfile: only a content hash names a kept frame (never a path).
    const hash = frameIdHash(id);
    let png = hash !== undefined && /^[0-9a-f]{32,64}$/.test(hash) ? join(root, framePath(hash)) : undefined;
    let image = id;
    if (!png || !existsSync(png)) {
      if (!video.file || !existsSync(join(root, video.file))) return { ok: false, reason: `${l.target}'s video was not downloaded: ${clip.address} is made from its ${at} frame, so it was not sent (the next apply downloads it first)` };
      const frame = await extractFrame(join(root, video.file), at);
      png = join(root, storeFrame(root, frame));
      image = frameImageId(frame.pixelsSha256);
      extracted++;
    }
    if (video.frames?.[at] !== image) remember(l.target, video, at, image!);
    const bytes = readProjectFile(png, { within: root, maxBytes: READ_CAPS.image, shown: png });
    if (bytes === undefined) return { ok: false, reason: `the kept frame ${png} of ${l.target} is gone: ${clip.address} was not sent (the next apply takes the frame again)` };
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (l.input === "frameImages") {
      const position = clip.generation.frameImages![l.index]!.frame;
      records.set(l, { frame: position, image: image!, from: l.target, video: video.videoUUID, at });
      refs.set(l.index, { frame: position as FrameImageRef["frame"], kind: "file", ref: `${l.target} (${at} frame)`, path: png, sha256, link: l });
    } else {
      records.set(l, { frame: "", image: image!, from: l.target, video: video.videoUUID, at });
      references[l.index] = { path: png, sha256 };
    }
  }
  const made = withFrames(clip, records);
  return { ok: true, clip: { ...made, frameImages: clip.frameImages.map((f, i) => refs.get(i) ?? f), ...(Object.keys(references).length ? { referenceFiles: references } : {}) }, extracted };
}

/** The chained clips of one apply: held, then released in dependency order as their upstreams finish. */
export class Chains {
  /** Jobs waiting for the clips they take frames from. */
  readonly held: GenJob[] = [];

  constructor(
    private readonly o: {
      store: LockStore;
      root: string;
      emit: (e: ApplyEvent) => void;
      /** The run's clips: a released clip is replaced by itself with its frames. */
      clips: Map<string, DesiredClip>;
      downloading: (address: string) => boolean;
      /** Records `address` as a copy of `source` (named `from`); returns how many results it copied. */
      copy: (address: string, from: string, source: Snapshot) => number;
      uuid: () => string;
    },
  ) {}

  /** `clip` with its frames; each frame is written into its video's record, so later plans know it without the file. */
  materialize(clip: DesiredClip): Promise<Materialized> {
    const { store, root } = this.o;
    return materialize(clip, store.lock, root, (address, video, at, image) => store.updateResult(address, video.videoUUID, { frames: { ...video.frames, [at]: image } }));
  }

  /** A chained clip the plan resolved from the record (a copy, at $0): its pictures, as the plan named them. */
  resolveFromRecord(address: string, changes: readonly Change[]): void {
    const clip = this.o.clips.get(address);
    if (!clip?.links) return;
    const r = resolveLinks(clip, this.o.store.lock, new Map(changes.map((c) => [c.address, c])), recordedFrames(this.o.store.lock));
    if (r.state === "ready") this.o.clips.set(address, r.clip);
  }

  /**
   * Before a chained clip's recorded task is resumed: its frames, so a task the API never got is
   * resent with them. Without them (a file gone, no decoder) it is only polled, never resent.
   */
  async prepareResume(address: string): Promise<void> {
    const clip = this.o.clips.get(address);
    if (!clip?.links) return;
    const made = await this.materialize(clip).catch((e: unknown) => {
      if (e instanceof ClipformError) return undefined;
      throw e;
    });
    if (made?.ok) this.o.clips.set(address, made.clip);
  }

  /**
   * Releases the held clips whose upstream clips are done in this run (none of them in `busy`:
   * queued or in flight; none held or downloading), with their frames taken from the picked
   * videos, to `send`; those whose upstream left no video go to `skip`. Whether any moved.
   */
  async release(busy: ReadonlySet<string>, send: (job: GenJob) => void, skip: (address: string, reason: string) => void): Promise<boolean> {
    const waiting = new Set(this.held.map((j) => j.address));
    // A clip whose own earlier task is still in flight (resumed), or whose files are being fetched,
    // waits too: its request is known only once released, and the task may bring that very take.
    const ready = this.held.filter((job) => !busy.has(job.address) && !this.o.downloading(job.address) && upstreamOf(job.clip).every((up) => !busy.has(up) && !waiting.has(up) && !this.o.downloading(up)));
    if (ready.length === 0) return false;
    for (const job of ready) this.held.splice(this.held.indexOf(job), 1);
    const { store, emit } = this.o;
    await Promise.all(
      ready.map(async (job) => {
        const made = await this.materialize(job.clip).catch((e: unknown): Materialized => {
          if (e instanceof ClipformError && e.code === "MEDIA") return { ok: false, reason: `${e.message}: not sent` };
          throw e;
        });
        if (!made.ok) return skip(job.address, made.reason);
        this.o.clips.set(job.address, made.clip);
        if (made.extracted > 0) announceFfmpeg(emit);
        emit({ type: "frames-ready", address: job.address, from: upstreamOf(job.clip), extracted: made.extracted });
        const entry = store.entry(job.address);
        if (job.fresh && !job.forced) {
          // Its request is known only now, and may be one paid for already: the clip's own (the new
          // upstream take ends on the very same picture), or a kept take (a revert upstream brought
          // it back), copied at $0. Only the variants neither holds are generated.
          const fingerprint = made.clip.fingerprint;
          const same = entry?.fingerprint === fingerprint && entry.results.length > 0;
          const have = same ? entry.results.length : this.#copyTake(job.address, fingerprint);
          if (same && have >= job.count) emit({ type: "note", message: `${job.address}: its new frame is the same picture as before: nothing to generate` });
          if (have >= job.count) return;
          const count = job.count - have;
          if (have > 0) return send({ ...job, clip: made.clip, count, fresh: false, estimateUsd: job.estimateUsd === undefined ? undefined : (job.estimateUsd * count) / job.count });
        }
        send({ ...job, clip: made.clip });
      }),
    );
    return true;
  }

  /** Copies the kept take of `fingerprint` to `address`, if there is one with results; how many it copied. */
  #copyTake(address: string, fingerprint: string): number {
    const take = reusableTake(this.o.store.lock, fingerprint);
    if (!take) return 0;
    const source = snapshot(this.o.root, this.o.uuid(), takeAsEntry(fingerprint, take, address));
    try {
      return this.o.copy(address, takeRef(fingerprint), source);
    } finally {
      source.cleanup();
    }
  }
}
