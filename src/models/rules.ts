/**
 * Per-model request rules: one function that says what the Runware API would reject in a
 * `videoInference` task. The manifest validator maps each issue to a line and column in the
 * user's YAML; the simulator turns the same issues into Runware error responses. One rule
 * set, two consumers, so clipform and its simulator cannot disagree.
 */
import { COMMON, getModel, modelIds, type FramePosition, type ModelSpec } from "./catalog.js";
import { closest } from "../util/suggest.js";

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
  image: string;
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
  [key: string]: unknown;
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

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

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== "string") return false;
  try {
    const u = new URL(v);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

function fmt(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

export function checkVideoRequest(req: VideoRequest): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const err = (path: RuleIssue["path"], code: string, message: string, extra: Partial<RuleIssue> = {}) =>
    issues.push({ severity: "error", path, code, message, ...extra });
  const warn = (path: RuleIssue["path"], code: string, message: string) =>
    issues.push({ severity: "warning", path, code, message });

  if (req.model === undefined) {
    err(["model"], "missingModel", "model is required (set it on the clip or in defaults)", { allowedValues: modelIds() });
    return issues;
  }
  const model: ModelSpec | undefined = typeof req.model === "string" ? getModel(req.model) : undefined;
  if (!model) {
    const hint = typeof req.model === "string" ? closest(req.model, modelIds()) : undefined;
    err(
      ["model"],
      "invalidModel",
      `unknown model ${fmt(req.model)}${hint ? `; did you mean "${hint}"?` : ""} (supported: ${modelIds().join(", ")})`,
      { allowedValues: modelIds() },
    );
    return issues;
  }

  // Size: width and height are paired, and the pair must be one the model supports.
  const hasW = req.width !== undefined;
  const hasH = req.height !== undefined;
  if (hasW !== hasH) {
    const missing = hasW ? "height" : "width";
    err([hasW ? "width" : "height"], `missing${missing[0]!.toUpperCase()}${missing.slice(1)}`, `width and height must be set together for ${model.id}: ${missing} is missing`, {
      parameter: missing,
    });
  } else if (hasW && hasH) {
    if (!isInt(req.width)) err(["width"], "invalidWidth", `width must be an integer, got ${fmt(req.width)}`);
    if (!isInt(req.height)) err(["height"], "invalidHeight", `height must be an integer, got ${fmt(req.height)}`);
    if (isInt(req.width) && isInt(req.height)) {
      const ok = model.sizes.values.some((s) => s.width === req.width && s.height === req.height);
      if (!ok) {
        const allowed = model.sizes.values.map((s) => `${s.width}x${s.height}`);
        const msg = `${req.width}x${req.height} is not a supported size for ${model.id} (supported: ${allowed.join(", ")})`;
        if (model.sizes.source === "documented") err(["width"], "invalidWidth", msg, { allowedValues: allowed });
        else warn(["width"], "undocumentedSize", `${msg}; the model page lists no sizes, so this is a guess from the model family`);
      }
    }
  }

  if (req.duration !== undefined && !(isNum(req.duration) && model.durations.includes(req.duration))) {
    err(["duration"], "unsupportedDuration", `duration ${fmt(req.duration)} is not supported by ${model.id} (allowed: ${model.durations.join(", ")} seconds)`, {
      allowedValues: [...model.durations],
    });
  }

  if (req.CFGScale !== undefined) {
    const { min, max, step } = COMMON.CFGScale;
    const v = req.CFGScale;
    if (!isNum(v) || v < min || v > max) {
      err(["CFGScale"], "invalidCFGScale", `CFGScale must be a number from ${min} to ${max}, got ${fmt(v)}`, { min, max });
    } else if (Math.abs(Math.round(v / step) * step - v) > 1e-9) {
      err(["CFGScale"], "invalidCFGScale", `CFGScale ${v} is not a multiple of ${step} (use at most two decimals)`);
    }
  }

  if (req.numberResults !== undefined) {
    const { min, max } = COMMON.numberResults;
    if (!isInt(req.numberResults) || req.numberResults < min || req.numberResults > max) {
      err(["numberResults"], "invalidNumberResults", `numberResults must be an integer from ${min} to ${max}, got ${fmt(req.numberResults)}`, { min, max });
    }
  }
  if (req.outputFormat !== undefined && !(COMMON.outputFormats as readonly unknown[]).includes(req.outputFormat)) {
    err(["outputFormat"], "invalidOutputFormat", `outputFormat ${fmt(req.outputFormat)} is not supported (allowed: ${COMMON.outputFormats.join(", ")})`, {
      allowedValues: [...COMMON.outputFormats],
    });
  }
  if (req.outputQuality !== undefined) {
    const { min, max } = COMMON.outputQuality;
    if (!isInt(req.outputQuality) || req.outputQuality < min || req.outputQuality > max) {
      err(["outputQuality"], "invalidOutputQuality", `outputQuality must be an integer from ${min} to ${max}, got ${fmt(req.outputQuality)}`, { min, max });
    }
  }
  if (req.outputType !== undefined && !(COMMON.outputTypes as readonly unknown[]).includes(req.outputType)) {
    err(["outputType"], "invalidOutputType", `outputType ${fmt(req.outputType)} is not supported (allowed: URL)`, { allowedValues: [...COMMON.outputTypes] });
  }
  if (req.deliveryMethod !== undefined && !(COMMON.deliveryMethods as readonly unknown[]).includes(req.deliveryMethod)) {
    err(["deliveryMethod"], "invalidDeliveryMethod", `deliveryMethod ${fmt(req.deliveryMethod)} is not supported for video (allowed: async)`, {
      allowedValues: [...COMMON.deliveryMethods],
    });
  }
  if (req.ttl !== undefined && (!isInt(req.ttl) || req.ttl < COMMON.ttl.min)) {
    err(["ttl"], "invalidTtl", `ttl must be an integer of at least ${COMMON.ttl.min} seconds, got ${fmt(req.ttl)}`, { min: COMMON.ttl.min });
  }
  if (req.includeCost !== undefined && typeof req.includeCost !== "boolean") {
    err(["includeCost"], "invalidIncludeCost", `includeCost must be true or false, got ${fmt(req.includeCost)}`);
  }
  for (const key of ["webhookURL", "uploadEndpoint"] as const) {
    if (req[key] !== undefined && !isHttpUrl(req[key])) {
      err([key], `invalid${key[0]!.toUpperCase()}${key.slice(1)}`, `${key} must be an http(s) URL, got ${fmt(req[key])}`);
    }
  }
  if (req.safety !== undefined) {
    if (!req.safety || typeof req.safety !== "object" || Array.isArray(req.safety)) {
      err(["safety"], "invalidSafety", "safety must be an object with checkContent and/or mode");
    } else {
      const s = req.safety as Record<string, unknown>;
      if (s.checkContent !== undefined && typeof s.checkContent !== "boolean") {
        err(["safety", "checkContent"], "invalidCheckContent", `safety.checkContent must be true or false, got ${fmt(s.checkContent)}`);
      }
      if (s.mode !== undefined && !(COMMON.safetyModes as readonly unknown[]).includes(s.mode)) {
        err(["safety", "mode"], "invalidSafetyMode", `safety.mode ${fmt(s.mode)} is not supported (allowed: ${COMMON.safetyModes.join(", ")})`, {
          allowedValues: [...COMMON.safetyModes],
        });
      }
    }
  }

  // Prompts.
  const { min: pmin, max: pmax } = COMMON.prompt;
  for (const key of ["positivePrompt", "negativePrompt"] as const) {
    const v = req[key];
    const rule = key === "positivePrompt" ? model.prompts.positive : model.prompts.negative;
    if (v === undefined) {
      if (rule === "required") err([key], `missing${key[0]!.toUpperCase()}${key.slice(1)}`, `${key} is required for ${model.id}`);
      continue;
    }
    if (typeof v !== "string") {
      err([key], `invalid${key[0]!.toUpperCase()}${key.slice(1)}`, `${key} must be a string`);
      continue;
    }
    if (v.length < pmin || v.length > pmax) {
      err([key], `invalid${key[0]!.toUpperCase()}${key.slice(1)}`, `${key} must be ${pmin} to ${pmax} characters long, got ${v.length}`, { min: pmin, max: pmax });
    }
    if (rule === "undocumented") {
      warn([key], "undocumentedParameter", `${model.id}'s model page documents no ${key}; the API accepts it but its effect is not documented`);
    }
  }

  // Frame images: count, positions, required-ness.
  const frames = frameImagesOf(req);
  const framesKey = req.inputs && typeof req.inputs === "object" && "inputImage" in (req.inputs as object) ? "inputImage" : "frameImages";
  if (req.inputs !== undefined && (typeof req.inputs !== "object" || req.inputs === null || Array.isArray(req.inputs))) {
    err(["inputs"], "invalidInputs", "inputs must be an object");
  } else if (req.inputs !== undefined && frames === undefined && (req.inputs as Record<string, unknown>).frameImages !== undefined) {
    err(["inputs", "frameImages"], "invalidFrameImages", "inputs.frameImages must be an array");
  }
  if (!frames || frames.length === 0) {
    if (model.frames.required) {
      err(frames ? ["inputs", framesKey] : ["model"], "missingFrameImages", `${model.id} is image-to-video only: inputs.frameImages needs a first-frame image`, {
        parameter: `inputs.${framesKey}`,
      });
    }
  } else {
    if (frames.length > model.frames.max) {
      err(["inputs", framesKey], "invalidFrameImages", `${model.id} accepts at most ${model.frames.max} frame image${model.frames.max > 1 ? "s" : ""}, got ${frames.length}`, {
        max: model.frames.max,
      });
    }
    const positions = resolveFramePositions(frames);
    const seen = new Map<string, number>();
    frames.forEach((item, i) => {
      const isObj = item !== null && typeof item === "object" && !Array.isArray(item);
      const image = isObj ? (item as FrameImage).image : item;
      if (typeof image !== "string" || image.length === 0) {
        err(isObj ? ["inputs", framesKey, i, "image"] : ["inputs", framesKey, i], "invalidFrameImage", "a frame image must be a non-empty string (file, URL, data URI, base64 or image UUID)");
      }
      const explicit = isObj ? (item as FrameImage).frame : undefined;
      const pos = positions[i];
      if (explicit !== undefined && pos === undefined) {
        err(["inputs", framesKey, i, "frame"], "invalidFramePosition", `frame ${fmt(explicit)} is not a frame position (allowed: first, last, 0, -1)`, {
          allowedValues: ["first", "last", 0, -1],
        });
        return;
      }
      if (pos === undefined) return; // 3+ images without positions: already reported by the count check
      if (!model.frames.positions.includes(pos)) {
        err(explicit !== undefined ? ["inputs", framesKey, i, "frame"] : ["inputs", framesKey, i], "invalidFramePosition", `${model.id} supports only the ${model.frames.positions.join(" and ")} frame, not "${pos}"`, {
          allowedValues: [...model.frames.positions],
        });
        return;
      }
      const prev = seen.get(pos);
      if (prev !== undefined) {
        err(["inputs", framesKey, i], "duplicateFramePosition", `two frame images target the ${pos} frame (items ${prev + 1} and ${i + 1})`);
      }
      seen.set(pos, i);
    });
  }
  return issues;
}
