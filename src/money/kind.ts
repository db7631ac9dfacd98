/**
 * A price kind: everything about a request that changes what one result of it costs. Learned
 * prices, the spend gate's probes and the re-pricing after a surprising charge are all keyed by
 * it, so one 1080p charge never prices a 4K clip and one 5 s charge never prices a 10 s one.
 *
 * Splitting too finely is safe (a kind is learned or probed once more); merging two kinds that
 * cost differently is not. So the key holds the model, the task type, the duration, the size
 * (width×height, or the resolution class), the steps of an image, every provider setting (audio
 * among them) and the shape of the inputs (which frames, which other inputs and how many).
 * Prompts, seeds and the input pictures' content never change a price and are left out.
 */
import { canonicalJson } from "../util/canonical.js";

interface Priced {
  taskType?: unknown;
  model?: unknown;
  duration?: unknown;
  width?: unknown;
  height?: unknown;
  resolution?: unknown;
  steps?: unknown;
  providerSettings?: unknown;
  frameImages?: unknown;
  otherInputs?: unknown;
}

const isImage = (g: Priced) => g.taskType === "imageInference";

/** The shape of the inputs: the frame positions given, and each other input with how many values. */
function inputsShape(g: Priced): string {
  const frames = Array.isArray(g.frameImages) ? g.frameImages.map((f) => String((f as { frame?: unknown } | null)?.frame ?? "?")).join(",") : "";
  const other = g.otherInputs && typeof g.otherInputs === "object" ? Object.entries(g.otherInputs).map(([k, v]) => `${k}:${Array.isArray(v) ? v.length : 1}`).sort().join(",") : "";
  return `${frames}/${other}`;
}

/** The price kind of a generation (a manifest clip's `generation`, or a lockfile entry's `request`). */
export function priceKind(generation: object): string {
  const g = generation as Priced;
  const size = `${String(g.width ?? "")}x${String(g.height ?? "")}`;
  const settings = g.providerSettings === undefined ? "" : canonicalJson(g.providerSettings);
  return [isImage(g) ? "image" : "video", String(g.model), String(g.duration ?? ""), size, String(g.resolution ?? ""), String(g.steps ?? ""), settings, inputsShape(g)].join("|");
}

/** A kind for people: "klingai:1@2 (5 s, 1280x720)", "runware:101@1 (image 1280x720)". */
export function describeKind(generation: object): string {
  const g = generation as Priced;
  const size = g.width !== undefined && g.height !== undefined ? `${String(g.width)}x${String(g.height)}` : typeof g.resolution === "string" ? g.resolution : undefined;
  const parts = isImage(g) ? [`image${size ? ` ${size}` : ""}`] : [...(typeof g.duration === "number" ? [`${g.duration} s`] : []), ...(size ? [size] : [])];
  return `${String(g.model)}${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

/**
 * A charge below this fraction of its estimate is not believed for a paid kind: a $0 or
 * near-$0 charge for a generation priced at $0.18 is an error (or a lie), not a price. It counts
 * at its estimate, never teaches a price and never confirms one.
 */
export const IMPLAUSIBLY_LOW_FRACTION = 0.05;

/** Whether `charged` (per result) is too low to believe for a result estimated at `estimateUsd`. */
export function implausiblyLow(charged: number, estimateUsd: number | undefined): boolean {
  return estimateUsd !== undefined && estimateUsd > 0 && charged < estimateUsd * IMPLAUSIBLY_LOW_FRACTION;
}
