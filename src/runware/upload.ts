/**
 * Uploads each distinct image once. Content is keyed by the sha256 of its bytes, so the same
 * picture inlined as a data URI or as raw base64 is one upload, and concurrent requests for the
 * same content share one HTTP task.
 */
import { createHash } from "node:crypto";

export interface ImageUploadTarget {
  uploadImage(image: string): Promise<string>;
}

const DATA_URI_PREFIX = /^data:[^,]*;base64,/;

/** sha256 (hex) of the bytes a data URI or base64 string encodes. */
export function imageContentHash(image: string): string {
  const bytes = Buffer.from(image.replace(DATA_URI_PREFIX, ""), "base64");
  return createHash("sha256").update(bytes).digest("hex");
}

export class ImageUploader {
  readonly #target: ImageUploadTarget;
  readonly #uploads = new Map<string, Promise<string>>();

  constructor(target: ImageUploadTarget) {
    this.#target = target;
  }

  /** The imageUUID for this content, uploading it on first request. A failed upload is not cached. */
  upload(image: string): Promise<string> {
    const key = imageContentHash(image);
    const known = this.#uploads.get(key);
    if (known) return known;
    const upload = this.#target.uploadImage(image);
    this.#uploads.set(key, upload);
    upload.catch(() => this.#uploads.delete(key));
    return upload;
  }
}
