/**
 * The shape of a `videoInference` task as the rules read it, the frame helpers both clipform and
 * its simulator use, and how a rule's confidence turns into an error or a warning.
 */
import type { Confidence, FramePosition, ModelSpec } from "./catalog.js";

export type Severity = "error" | "warning";

export interface RuleIssue {
  severity: Severity;
  /** Path inside the task object, e.g. ["inputs", "frameImages", 1, "frame"]. */
  path: (string | number)[];
  /** The API parameter concerned, when it differs from `path` (which points where to report it). */
  parameter?: string;
  /** Runware-style error code (invalidWidth, unsupportedDuration, …). */
  code: string;
  message: string;
  allowedValues?: unknown[];
  min?: number;
  max?: number;
}

export interface FrameImage {
  /** A reference as written, or {from, frame, variant}: a frame of another clip (src/manifest/links.ts). */
  image: string | { from: string; frame?: string; variant?: number };
  frame?: FramePosition | 0 | -1 | string | number;
}

/** The request fields clipform sends in a videoInference task (besides taskType/taskUUID). */
export interface VideoRequest {
  model?: unknown;
  positivePrompt?: unknown;
  negativePrompt?: unknown;
  width?: unknown;
  height?: unknown;
  duration?: unknown;
  CFGScale?: unknown;
  numberResults?: unknown;
  outputType?: unknown;
  outputFormat?: unknown;
  outputQuality?: unknown;
  deliveryMethod?: unknown;
  includeCost?: unknown;
  webhookURL?: unknown;
  uploadEndpoint?: unknown;
  ttl?: unknown;
  safety?: unknown;
  inputs?: unknown;
  seed?: unknown;
  resolution?: unknown;
  providerSettings?: unknown;
  [key: string]: unknown;
}

export const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
export const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);


/** Normalizes a frame position ("first" | "last" | 0 | -1) to "first" / "last"; undefined if invalid. */
export function normalizeFrame(frame: unknown): FramePosition | undefined {
  if (frame === "first" || frame === 0) return "first";
  if (frame === "last" || frame === -1) return "last";
  return undefined;
}

/**
 * Resolves the frame positions of a frameImages array as the API does: explicit `frame`
 * wins; otherwise one image is the first frame and two are first and last.
 */
export function resolveFramePositions(items: readonly unknown[]): (FramePosition | undefined)[] {
  return items.map((item, i) => {
    if (item && typeof item === "object" && "frame" in item && (item as FrameImage).frame !== undefined) {
      return normalizeFrame((item as FrameImage).frame);
    }
    if (items.length === 1) return "first";
    if (items.length === 2) return i === 0 ? "first" : "last";
    return undefined;
  });
}

export function frameImagesOf(req: VideoRequest): unknown[] | undefined {
  const inputs = req.inputs;
  if (!inputs || typeof inputs !== "object") return undefined;
  const inp = inputs as Record<string, unknown>;
  const list = inp.frameImages ?? inp.inputImage;
  return Array.isArray(list) ? list : undefined;
}


export function fmt(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

export type Issues = RuleIssue[];

/** A rule's reading-by-reading view, for conflict warnings: "PG says 8; PY says 4, 6, 8". */
function disagreement(readings: { source: string }[] | undefined, show: (r: never) => string): string {
  if (!readings?.length) return "the sources disagree";
  return `the sources disagree: ${readings.map((r) => `${r.source} says ${show(r as never)}`).join("; ")}`;
}

/**
 * Reports a value a rule does not accept, by the rule's confidence. `inUnion` says whether the
 * value is in the union of the readings (accepted, with a warning, for a conflict rule).
 */
export function judge(
  issues: Issues,
  rule: { confidence: Confidence; readings?: { source: string }[] },
  ok: { all: boolean; inUnion: boolean; subject: string },
  at: RuleIssue["path"],
  code: string,
  message: string,
  show: (r: never) => string,
  extra: Partial<RuleIssue> = {},
): void {
  if (ok.all) return;
  if (rule.confidence === "conflict") {
    if (ok.inUnion) issues.push({ severity: "warning", path: at, code: "disputedRule", message: `${ok.subject} is disputed, ${disagreement(rule.readings, show)}; accepted, as one reading allows it` });
    else issues.push({ severity: "error", path: at, code, message, ...extra });
    return;
  }
  if (rule.confidence === "unconfirmed") {
    issues.push({ severity: "warning", path: at, code: "unconfirmedRule", message: `${message} (an unconfirmed rule: the API may accept it)` });
    return;
  }
  issues.push({ severity: "error", path: at, code, message, ...extra });
}


export function unsupported(issues: Issues, m: ModelSpec, conf: Confidence, key: string, path: RuleIssue["path"] = [key]): void {
  const message = `${m.air} does not take ${key}: remove it`;
  if (conf === "verified") issues.push({ severity: "error", path, code: "unsupportedParameter", message });
  else issues.push({ severity: "warning", path, code: "undocumentedParameter", message: `${m.air} may not take ${key} (${conf}): clipform does not send it` });
}
