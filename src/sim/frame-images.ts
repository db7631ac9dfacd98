/**
 * The images the simulator was given: uploads kept by their imageUUID, and the frame images a
 * videoInference task names (an uploaded imageUUID, a data URI or base64; a URL is ignored, the
 * simulator has no network), so the videos it serves can show them (compose.ts).
 */
import { createHash } from "node:crypto";
import { frameImagesOf, resolveFramePositions } from "../models/request.js";
import { ByteLru } from "./lru.js";

/** Far above what tests and demos upload; a long session forgets its oldest images first. */
export const MAX_KEPT_IMAGE_BYTES = 64 * 1024 * 1024;

export interface KeptImage {
  bytes: Buffer;
  /** sha256 of the bytes: what composed videos are cached by. */
  hash: string;
}

/** Where a video's first and last frames come from: keys into the ImageStore. */
export interface FrameKeys {
  first?: string;
  last?: string;
}

/** "data:image/png;base64,AAAA" and "AAAA" are the same image. */
const DATA_URI_PREFIX = /^data:[^,]*;base64,/i;

/** The base64 payload of a data URI or bare base64 string: what an imageUUID is derived from. */
export function base64Payload(image: string): string {
  return image.replace(DATA_URI_PREFIX, "");
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The bytes of an inline image (base64, bare or in a data URI); undefined for a URL, an imageUUID or anything else. */
function decodeInline(image: string): Buffer | undefined {
  const payload = base64Payload(image);
  if (!BASE64.test(payload)) return undefined;
  const bytes = Buffer.from(payload, "base64");
  return bytes.length > 0 ? bytes : undefined;
}

export class ImageStore {
  readonly #images: ByteLru<KeptImage>;

  constructor(maxBytes = MAX_KEPT_IMAGE_BYTES) {
    this.#images = new ByteLru(maxBytes);
  }

  /** Keeps an uploaded image under the imageUUID its upload returned (a URL upload keeps nothing). */
  keepUpload(imageUUID: string, image: string): void {
    const bytes = decodeInline(image);
    if (bytes) this.#keep(imageUUID, bytes);
  }

  get(key: string): KeptImage | undefined {
    return this.#images.get(key);
  }

  /**
   * The first and last frame images of a videoInference task, kept for its videos; undefined
   * when it names none the simulator can show (no frame images, URLs, unknown imageUUIDs).
   */
  framesOf(task: Record<string, unknown>): FrameKeys | undefined {
    const items = frameImagesOf(task) ?? [];
    const positions = resolveFramePositions(items);
    const frames: FrameKeys = {};
    items.forEach((item, i) => {
      const position = positions[i];
      const image = typeof item === "string" ? item : (item as { image?: unknown } | null)?.image;
      if (!position || frames[position] !== undefined || typeof image !== "string") return;
      const key = this.#keyOf(image);
      if (key !== undefined) frames[position] = key;
    });
    return frames.first !== undefined || frames.last !== undefined ? frames : undefined;
  }

  #keyOf(image: string): string | undefined {
    // An imageUUID (never base64: it has dashes) names an upload still held.
    if (this.#images.has(image)) return image;
    const bytes = decodeInline(image);
    if (!bytes) return undefined;
    const hash = sha256(bytes);
    const key = `inline:${hash}`;
    this.#keep(key, bytes, hash);
    return key;
  }

  #keep(key: string, bytes: Buffer, hash = sha256(bytes)): void {
    this.#images.set(key, { bytes, hash }, bytes.length);
  }
}

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");
