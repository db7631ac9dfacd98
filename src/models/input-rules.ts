/**
 * The rules on what a task gives the model to work from: its prompts, its frame images and its
 * other inputs (reference images, audio, video), each by the model's definition.
 */
import { severityOf, type ModelSpec } from "./catalog.js";
import { fmt, isInt, judge, resolveFramePositions, unsupported, type FrameImage, type Issues, type VideoRequest } from "./request.js";

export function checkPrompts(m: ModelSpec, req: VideoRequest, hasFrames: boolean, issues: Issues): void {
  for (const key of ["positivePrompt", "negativePrompt"] as const) {
    const v = req[key];
    const rule = m[key];
    const Key = `${key[0]!.toUpperCase()}${key.slice(1)}`;
    if (v === undefined) {
      const needed = rule.required || (rule.requiredWithoutFrames && !hasFrames);
      if (rule.supported && needed) {
        const message = `${key} is required for ${m.air}${rule.requiredWithoutFrames && !rule.required ? " without a frame image" : ""}`;
        if (rule.confidence === "verified") issues.push({ severity: "error", path: [key], code: `missing${Key}`, message });
        else issues.push({ severity: "warning", path: [key], code: `missing${Key}`, message: `${message} (${rule.confidence})` });
      }
      continue;
    }
    if (typeof v !== "string") {
      issues.push({ severity: "error", path: [key], code: `invalid${Key}`, message: `${key} must be a string` });
      continue;
    }
    if (!rule.supported) {
      unsupported(issues, m, rule.confidence, key);
      continue;
    }
    const against = rule.readings?.filter((r) => !r.supported) ?? [];
    if (against.length > 0) {
      const readings = rule.readings!.map((r) => `${r.source} says ${r.supported ? "it is taken" : "it is not"}`).join("; ");
      issues.push({ severity: "warning", path: [key], code: "undocumentedParameter", message: `${m.air} may not take ${key}: the sources disagree: ${readings}` });
    }
    const min = rule.min ?? 1;
    if (v.length < min || (rule.max !== undefined && v.length > rule.max)) {
      const range = rule.max !== undefined ? `${min} to ${rule.max}` : `at least ${min}`;
      issues.push({ severity: v.length === 0 ? "error" : severityOf(rule.confidence), path: [key], code: `invalid${Key}`, message: `${key} must be ${range} characters long, got ${v.length}`, min, ...(rule.max !== undefined ? { max: rule.max } : {}) });
    }
  }
}

export function checkFrames(m: ModelSpec, req: VideoRequest, frames: unknown[] | undefined, issues: Issues): void {
  const f = m.frames;
  const framesKey = req.inputs && typeof req.inputs === "object" && "inputImage" in (req.inputs as object) ? "inputImage" : "frameImages";
  if (req.inputs !== undefined && (typeof req.inputs !== "object" || req.inputs === null || Array.isArray(req.inputs))) {
    issues.push({ severity: "error", path: ["inputs"], code: "invalidInputs", message: "inputs must be an object" });
  } else if (req.inputs !== undefined && frames === undefined && (req.inputs as Record<string, unknown>).frameImages !== undefined) {
    issues.push({ severity: "error", path: ["inputs", "frameImages"], code: "invalidFrameImages", message: "inputs.frameImages must be an array" });
  }
  if (!frames || frames.length === 0) {
    if (f.required) {
      const message = `${m.air} is image-to-video only: inputs.frameImages needs a first-frame image`;
      if (f.confidence === "verified") issues.push({ severity: "error", path: frames ? ["inputs", framesKey] : ["model"], code: "missingFrameImages", message, parameter: `inputs.${framesKey}` });
      else issues.push({ severity: "warning", path: frames ? ["inputs", framesKey] : ["model"], code: "missingFrameImages", message: `${message} (${f.confidence})`, parameter: `inputs.${framesKey}` });
    }
    return;
  }
  if (!f.supported) {
    unsupported(issues, m, f.confidence, "inputs.frameImages", ["inputs", framesKey]);
    return;
  }
  const readings = f.readings ?? [];
  const showReading = (r: { positions: string[]; max?: number }) => `${r.positions.join(" and ")}${r.max !== undefined ? ` (at most ${r.max})` : ""}`;
  judge(
    issues,
    f,
    { inUnion: frames.length <= f.max, all: frames.length <= f.max && readings.every((r) => r.max === undefined || frames.length <= r.max), subject: `${frames.length} frame images on ${m.air}` },
    ["inputs", framesKey],
    "invalidFrameImages",
    `${m.air} accepts at most ${f.max} frame image${f.max > 1 ? "s" : ""}, got ${frames.length}`,
    showReading,
    { max: f.max },
  );
  const positions = resolveFramePositions(frames);
  const seen = new Map<string, number>();
  frames.forEach((item, i) => {
    const isObj = item !== null && typeof item === "object" && !Array.isArray(item);
    const image = isObj ? (item as FrameImage).image : item;
    // {from: CLIP} names another clip's frame: the manifest stage checks the reference itself.
    const link = image !== null && typeof image === "object" && typeof (image as { from?: unknown }).from === "string";
    if (!link && (typeof image !== "string" || image.length === 0)) {
      issues.push({ severity: "error", path: isObj ? ["inputs", framesKey, i, "image"] : ["inputs", framesKey, i], code: "invalidFrameImage", message: "a frame image must be a non-empty string (file, URL, data URI, base64 or image UUID)" });
    }
    const explicit = isObj ? (item as FrameImage).frame : undefined;
    const pos = positions[i];
    if (explicit !== undefined && pos === undefined) {
      issues.push({ severity: "error", path: ["inputs", framesKey, i, "frame"], code: "invalidFramePosition", message: `frame ${fmt(explicit)} is not a frame position (allowed: first, last, 0, -1)`, allowedValues: ["first", "last", 0, -1] });
      return;
    }
    if (pos === undefined) return; // 3+ images without positions: already reported by the count check
    const at = explicit !== undefined ? ["inputs", framesKey, i, "frame"] : ["inputs", framesKey, i];
    const inUnion = f.positions.includes(pos);
    const all = inUnion && readings.every((r) => r.positions.includes(pos));
    const before = issues.length;
    judge(issues, f, { inUnion, all, subject: `a ${pos} frame image on ${m.air}` }, at, "invalidFramePosition", `${m.air} supports only the ${f.positions.join(" and ")} frame, not "${pos}"`, showReading, {
      allowedValues: [...f.positions],
    });
    if (issues.length > before && issues[issues.length - 1]!.severity === "error") return;
    const prev = seen.get(pos);
    if (prev !== undefined) {
      issues.push({ severity: "error", path: ["inputs", framesKey, i], code: "duplicateFramePosition", message: `two frame images target the ${pos} frame (items ${prev + 1} and ${i + 1})` });
    }
    seen.set(pos, i);
  });
}

/** inputs.* besides frame images: known to the model, and within its limits. */
export function checkOtherInputs(m: ModelSpec, req: VideoRequest, issues: Issues): void {
  if (!req.inputs || typeof req.inputs !== "object" || Array.isArray(req.inputs)) return;
  for (const [name, value] of Object.entries(req.inputs as Record<string, unknown>)) {
    if (name === "frameImages" || name === "inputImage") continue;
    const rule = m.inputs?.[name];
    if (!rule) {
      unsupported(issues, m, m.coverage === "verified" ? "verified" : "unconfirmed", `inputs.${name}`, ["inputs", name]);
      continue;
    }
    if (rule.list !== false && !Array.isArray(value)) {
      issues.push({ severity: "error", path: ["inputs", name], code: "invalidInputs", message: `inputs.${name} must be a list` });
    } else if (Array.isArray(value) && rule.max !== undefined && value.length > rule.max) {
      issues.push({ severity: severityOf(rule.confidence), path: ["inputs", name], code: "invalidInputs", message: `${m.air} accepts at most ${rule.max} inputs.${name}, got ${value.length}`, max: rule.max });
    }
  }
}