/**
 * The address vocabulary, in one place: how clips, their variants, the frames of their takes and
 * the references between clips are named, parsed and written. Plain strings and pure functions,
 * no I/O; every stage imports this instead of splitting on `/` or `#` itself (the shape of
 * Terraform's `internal/addrs`: one package that parses, formats and compares addresses).
 *
 * - A clip's **address** is its id followed by one key per fan-out axis, joined by `/`:
 *   `harbor`, `harbor/wide/foggy`. Ids and keys never contain `/` or `#` (the manifest schema's
 *   id pattern and `slug`), so the separators below are unambiguous.
 * - `ADDR#N` names variant N (1-based) of a clip, as `--replace ADDR#N` takes it; ADDR may be a glob.
 * - A **from-reference** is how one clip uses another's picked take (`image: {from, frame, variant}`);
 *   while the target's video is not known, the request holds the placeholder `from:TARGET#FRAME#N`.
 * - An **image id** names an input picture by content: `sha256:<hex>` for a local file,
 *   `frame:<hex of its pixels>` for a frame taken from a video.
 */

/** Between an address's segments. */
const SEGMENT = "/";
/** Between an address and a variant number, and in frame keys and placeholders. */
const HASH = "#";

/** The address of a clip: its id, then one key per fan-out axis (`harbor/wide/foggy`). */
export function joinAddress(id: string, keys: readonly string[] = []): string {
  return [id, ...keys].join(SEGMENT);
}

/** The segments of an address, in order: `harbor/wide/foggy` → `["harbor", "wide", "foggy"]`. */
export function addressSegments(address: string): string[] {
  return address.split(SEGMENT);
}

/** An address with segment `index` replaced (e.g. by `*`, to group fan-outs that differ only there). */
export function withSegment(address: string, index: number, segment: string): string {
  const s = addressSegments(address);
  s[index] = segment;
  return s.join(SEGMENT);
}

/** `ADDR` or `ADDR#N`: a whole clip, or one of its variants (1-based). */
export interface VariantRef {
  address: string;
  variant?: number;
}

/** Reads `ADDR#N` (variant N of ADDR) or a bare `ADDR`; a `#` not followed by digits alone is part of ADDR. */
export function parseVariantRef(text: string): VariantRef {
  const m = /^(.*)#(\d+)$/.exec(text);
  return m ? { address: m[1]!, variant: Number(m[2]) } : { address: text };
}

/** `harbor/wide`, 2 → `harbor/wide#2`; without a variant, the address itself. */
export function formatVariantRef(ref: VariantRef): string {
  return ref.variant === undefined ? ref.address : `${ref.address}${HASH}${ref.variant}`;
}

/** Which frame of a video a reference or a kept frame means. */
export type FramePosition = "first" | "last";
export const FRAME_POSITIONS: readonly FramePosition[] = ["first", "last"];

/** A reference from one clip to another's picked take, as `image: {from, frame, variant}` writes it. */
export interface FromRef {
  /** The address (or keyframe image name) referred to. */
  target: string;
  /** Which frame of the target's video; absent for an image target (its one picture). */
  frame?: FramePosition;
  /** 1-based variant of the target's picked take. */
  variant: number;
}

const FROM = "from:";

/** The reference as a user wrote it, for messages and listings: `from:arrival`. */
export const fromLabel = (target: string): string => `${FROM}${target}`;

/**
 * The placeholder a downstream request holds for a frame it has not seen yet (its fingerprint
 * holds it while waiting): `from:arrival#last#1`, `from:station-key#image#1` for an image.
 */
export function formatPending(ref: FromRef): string {
  return `${FROM}${ref.target}${HASH}${ref.frame ?? "image"}${HASH}${ref.variant}`;
}

/** Reads a placeholder written by `formatPending`; undefined for anything else. */
export function parsePending(text: string): FromRef | undefined {
  if (!text.startsWith(FROM)) return undefined;
  const parts = text.slice(FROM.length).split(HASH);
  if (parts.length !== 3) return undefined;
  const [target, frame, variant] = parts as [string, string, string];
  if (!target || !/^[1-9]\d*$/.test(variant)) return undefined;
  if (frame === "image") return { target, variant: Number(variant) };
  if (!(FRAME_POSITIONS as readonly string[]).includes(frame)) return undefined;
  return { target, frame: frame as FramePosition, variant: Number(variant) };
}

const FRAME_ID = "frame:";
const FILE_ID = "sha256:";

/** The id of a frame taken from a video, by the sha256 of its pixels. */
export const frameImageId = (pixelsSha256: string): string => `${FRAME_ID}${pixelsSha256}`;

/** The pixels' sha256 of a frame id, or undefined when `image` is not a frame id. */
export function frameIdHash(image: unknown): string | undefined {
  return typeof image === "string" && image.startsWith(FRAME_ID) ? image.slice(FRAME_ID.length) : undefined;
}

/** The id of a local image file, by the sha256 of its bytes. */
export const fileImageId = (sha256: string): string => `${FILE_ID}${sha256}`;

/** The key of one frame of one video (`<videoUUID>#last`), under which its frame id is known. */
export const frameKey = (videoUUID: string, at: FramePosition | string): string => `${videoUUID}${HASH}${at}`;
