/**
 * Per-model request rules: one function that says what the Runware API would reject in a
 * `videoInference` task. The manifest validator maps each issue to a line and column in the
 * user's YAML; the simulator turns the same issues into Runware error responses. One rule
 * set, two consumers, so clipform and its simulator cannot disagree.
 *
 * Each model rule has a confidence: a `verified` rule rejects (the API would), a `conflict` rule
 * accepts the union of its sources' readings and warns naming them, an `unconfirmed` one warns.
 */
import { builtinCatalog, COMMON, providerOf, severityOf, type Catalog, type Confidence, type FramePosition, type ModelSpec } from "./catalog.js";
import { describeDurations, durationsFor, hasDurationRule, inDurationSet, sizeKey } from "./sizes.js";
import { checkSettings } from "./settings.js";
import { closest } from "../util/suggest.js";
import { checkApiFields } from "./api-rules.js";

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
  seed?: unknown;
  resolution?: unknown;
  providerSettings?: unknown;
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

function fmt(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

export interface CheckOptions {
  /** The models known to this project (built-in plus the project's own); built-in by default. */
  catalog?: Catalog;
  /** YYYY-MM-DD, for retirement dates; today by default. */
  today?: string;
}

type Issues = RuleIssue[];

/** A rule's reading-by-reading view, for conflict warnings: "PG says 8; PY says 4, 6, 8". */
function disagreement(readings: { source: string }[] | undefined, show: (r: never) => string): string {
  if (!readings?.length) return "the sources disagree";
  return `the sources disagree: ${readings.map((r) => `${r.source} says ${show(r as never)}`).join("; ")}`;
}

/**
 * Reports a value a rule does not accept, by the rule's confidence. `inUnion` says whether the
 * value is in the union of the readings (accepted, with a warning, for a conflict rule).
 */
function judge(
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

export function checkVideoRequest(req: VideoRequest, opts: CheckOptions = {}): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const catalog = opts.catalog ?? builtinCatalog();
  const err = (path: RuleIssue["path"], code: string, message: string, extra: Partial<RuleIssue> = {}) =>
    issues.push({ severity: "error", path, code, message, ...extra });

  if (req.model === undefined) {
    err(["model"], "missingModel", "model is required (set it on the clip or in defaults)", { allowedValues: catalog.ids() });
    return issues;
  }
  const model = typeof req.model === "string" ? catalog.get(req.model) : undefined;
  if (!model) {
    const hint = typeof req.model === "string" ? closest(req.model, catalog.ids()) : undefined;
    err(["model"], "invalidModel", `unknown model ${fmt(req.model)}${hint ? `; did you mean "${hint}"?` : ""} (\`clipform models\` lists the ${catalog.ids().length} known models; a project can define more in models/)`, {
      allowedValues: catalog.ids(),
    });
    return issues;
  }
  checkLifecycle(model, opts.today ?? new Date().toISOString().slice(0, 10), issues);
  const frames = frameImagesOf(req);
  const hasFrames = Boolean(frames && frames.length > 0);
  checkSize(model, req, hasFrames, issues);
  checkDuration(model, req, issues);
  checkParameters(model, req, issues);
  checkApiFields(req, issues);
  checkPrompts(model, req, hasFrames, issues);
  checkFrames(model, req, frames, issues);
  checkOtherInputs(model, req, issues);
  return issues;
}

function checkLifecycle(m: ModelSpec, today: string, issues: Issues): void {
  const l = m.lifecycle;
  if (l.retires && today >= l.retires) {
    const message = `${m.air} (${m.name}) was retired on ${l.retires}${l.note ? ` (${l.note})` : ""}`;
    if (l.confidence === "verified") issues.push({ severity: "error", path: ["model"], code: "retiredModel", message: `${message}: the API refuses it` });
    else issues.push({ severity: "warning", path: ["model"], code: "retiredModel", message: `${message}, it seems: the API may refuse it` });
  } else if (l.status === "deprecated") {
    issues.push({ severity: "warning", path: ["model"], code: "deprecatedModel", message: `${m.air} (${m.name}) is deprecated${l.retires ? `: it retires on ${l.retires}` : ""}` });
  } else if (l.status === "unknown") {
    issues.push({ severity: "warning", path: ["model"], code: "unknownLifecycle", message: `${m.air} (${m.name}) may be retired: ${l.note ?? "its status is unconfirmed"}` });
  }
}

function checkSize(m: ModelSpec, req: VideoRequest, hasFrames: boolean, issues: Issues): void {
  const hasW = req.width !== undefined;
  const hasH = req.height !== undefined;
  const s = m.sizes;
  const sev = severityOf(s.confidence);
  if (req.resolution !== undefined) {
    const r = m.resolution;
    if (hasW || hasH) issues.push({ severity: "error", path: ["resolution"], code: "invalidResolution", message: "resolution cannot be combined with width/height: set one or the other" });
    else if (!r) issues.push({ severity: m.coverage === "verified" ? "error" : "warning", path: ["resolution"], code: "unsupportedParameter", message: `${m.air} takes no resolution parameter; set width and height` });
    else if (typeof req.resolution !== "string" || !r.values.some((v) => v.toLowerCase() === String(req.resolution).toLowerCase())) {
      const msg = `resolution ${fmt(req.resolution)} is not supported by ${m.air} (allowed: ${r.values.join(", ")})`;
      issues.push({ severity: severityOf(r.confidence), path: ["resolution"], code: "invalidResolution", message: msg, allowedValues: [...r.values] });
    }
  }
  if (hasW !== hasH) {
    const missing = hasW ? "height" : "width";
    issues.push({ severity: "error", path: [hasW ? "width" : "height"], code: `missing${missing[0]!.toUpperCase()}${missing.slice(1)}`, message: `width and height must be set together for ${m.air}: ${missing} is missing`, parameter: missing });
    return;
  }
  if (!hasW) {
    if (s.required && !hasFrames && req.resolution === undefined) {
      issues.push({ severity: sev, path: ["model"], code: "missingSize", message: `${m.air} needs a size: set width and height${m.resolution ? " (or resolution)" : ""}, or give a frame image`, parameter: "width" });
    }
    return;
  }
  if (!isInt(req.width)) issues.push({ severity: "error", path: ["width"], code: "invalidWidth", message: `width must be an integer, got ${fmt(req.width)}` });
  if (!isInt(req.height)) issues.push({ severity: "error", path: ["height"], code: "invalidHeight", message: `height must be an integer, got ${fmt(req.height)}` });
  if (!isInt(req.width) || !isInt(req.height)) return;
  if (s.fromImage === "always" || (s.fromImage === "withFrames" && hasFrames)) {
    const why = s.fromImage === "always" ? `${m.air} takes its size from the frame image` : `${m.air} takes its size from the frame image when one is given`;
    issues.push({ severity: sev, path: ["width"], code: "sizeFromImage", message: `${why}: remove width and height${sev === "warning" ? " (clipform does not send them)" : ""}`, parameter: "width" });
    return;
  }
  if (s.values.length === 0) return; // no size list known: nothing to check against
  const key = sizeKey(req.width, req.height);
  const allowed = s.values;
  const inUnion = allowed.includes(key);
  const all = inUnion && (s.readings ?? []).every((r) => r.values.includes(key));
  judge(issues, s, { all, inUnion, subject: `${key} on ${m.air}` }, ["width"], "invalidWidth", `${key} is not a supported size for ${m.air} (supported: ${allowed.join(", ")})`, (r: { values: string[] }) => r.values.join(", "), {
    allowedValues: [...allowed],
  });
}

function checkDuration(m: ModelSpec, req: VideoRequest, issues: Issues): void {
  if (req.duration === undefined) return;
  const size = req.width !== undefined ? sizeKey(req.width, req.height) : undefined;
  const set = durationsFor(m, size);
  if (!isNum(req.duration) || req.duration <= 0) {
    issues.push({ severity: "error", path: ["duration"], code: "unsupportedDuration", message: `duration must be a positive number of seconds, got ${fmt(req.duration)}` });
    return;
  }
  if (!hasDurationRule(set)) return;
  const d = req.duration;
  const inUnion = inDurationSet(set, d);
  const all = inUnion && (m.durations.readings ?? []).every((r) => inDurationSet(r, d));
  const allowedValues = set.values ? [...set.values] : undefined;
  judge(
    issues,
    m.durations,
    { all, inUnion, subject: `duration ${d} on ${m.air}` },
    ["duration"],
    "unsupportedDuration",
    `duration ${fmt(d)} is not supported by ${m.air}${set.label ? ` ${set.label}` : ""} (allowed: ${describeDurations(set).replace(/ seconds$/, " seconds")})`,
    (r: Parameters<typeof describeDurations>[0]) => describeDurations(r),
    allowedValues ? { allowedValues } : {},
  );
}

function unsupported(issues: Issues, m: ModelSpec, conf: Confidence, key: string, path: RuleIssue["path"] = [key]): void {
  const message = `${m.air} does not take ${key}: remove it`;
  if (conf === "verified") issues.push({ severity: "error", path, code: "unsupportedParameter", message });
  else issues.push({ severity: "warning", path, code: "undocumentedParameter", message: `${m.air} may not take ${key} (${conf}): clipform does not send it` });
}

function checkParameters(m: ModelSpec, req: VideoRequest, issues: Issues): void {
  const c = m.CFGScale;
  if (req.CFGScale !== undefined) {
    const v = req.CFGScale;
    if (!c.supported) unsupported(issues, m, c.confidence, "CFGScale");
    else {
      const min = c.min ?? 0;
      const max = c.max ?? 1;
      const sev = severityOf(c.confidence);
      if (!isNum(v) || v < min || v > max) {
        issues.push({ severity: isNum(v) ? sev : "error", path: ["CFGScale"], code: "invalidCFGScale", message: `CFGScale must be a number from ${min} to ${max}, got ${fmt(v)}`, min, max });
      } else if (c.step && Math.abs(Math.round(v / c.step) * c.step - v) > 1e-9) {
        issues.push({ severity: sev, path: ["CFGScale"], code: "invalidCFGScale", message: `CFGScale ${v} is not a multiple of ${c.step} (use at most two decimals)` });
      }
    }
  }
  if (req.seed !== undefined) {
    if (!m.seed.supported) unsupported(issues, m, m.seed.confidence, "seed");
    else {
      const min = m.seed.min ?? COMMON.seed.min;
      const max = m.seed.max ?? COMMON.seed.max;
      if (!isInt(req.seed) || req.seed < min || req.seed > max) {
        issues.push({ severity: "error", path: ["seed"], code: "invalidSeed", message: `seed must be an integer from ${min} to ${max}, got ${fmt(req.seed)}`, min, max });
      }
    }
  }
  if (req.providerSettings !== undefined) {
    const ps = m.providerSettings;
    const v = req.providerSettings;
    if (!ps) unsupported(issues, m, m.coverage === "verified" ? "verified" : "unconfirmed", "providerSettings");
    else if (!v || typeof v !== "object" || Array.isArray(v)) {
      issues.push({ severity: "error", path: ["providerSettings"], code: "invalidProviderSettings", message: `providerSettings must be an object keyed by provider (${providerOf(m.air)}: {…})` });
    } else {
      for (const p of checkSettings(ps.schema, v)) {
        // An unknown key may be a gap in the catalog: only a wrong value of a known one rejects.
        const severity = p.kind === "invalid" ? severityOf(ps.confidence) : "warning";
        issues.push({ severity, path: ["providerSettings", ...p.path], code: p.kind === "invalid" ? "invalidProviderSetting" : "unknownProviderSetting", message: p.message });
      }
    }
  }
}

function checkPrompts(m: ModelSpec, req: VideoRequest, hasFrames: boolean, issues: Issues): void {
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

function checkFrames(m: ModelSpec, req: VideoRequest, frames: unknown[] | undefined, issues: Issues): void {
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
    if (typeof image !== "string" || image.length === 0) {
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
function checkOtherInputs(m: ModelSpec, req: VideoRequest, issues: Issues): void {
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
