/**
 * Per-model request rules: one function that says what the Runware API would reject in a
 * `videoInference` task. The manifest validator maps each issue to a line and column in the
 * user's YAML; the simulator turns the same issues into Runware error responses. One rule
 * set, two consumers, so clipform and its simulator cannot disagree.
 *
 * Each model rule has a confidence: a `verified` rule rejects (the API would), a `conflict` rule
 * accepts the union of its sources' readings and warns naming them, an `unconfirmed` one warns.
 */
import { builtinCatalog, COMMON, providerOf, severityOf, type Catalog, type ModelSpec } from "./catalog.js";
import { describeDurations, durationsFor, hasDurationRule, inDurationSet, sizeKey } from "./sizes.js";
import { checkSettings } from "./settings.js";
import { closest } from "../util/suggest.js";
import { checkApiFields } from "./api-rules.js";
import { checkFrames, checkOtherInputs, checkPrompts } from "./input-rules.js";
import { fmt, frameImagesOf, isInt, isNum, judge, unsupported, type Issues, type RuleIssue, type VideoRequest } from "./request.js";

export { frameImagesOf, normalizeFrame, resolveFramePositions } from "./request.js";
export type { FrameImage, RuleIssue, Severity, VideoRequest } from "./request.js";

export interface CheckOptions {
  /** The models known to this project (built-in plus the project's own); built-in by default. */
  catalog?: Catalog;
  /** YYYY-MM-DD, for retirement dates; today by default. */
  today?: string;
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

function checkParameters(m: ModelSpec, req: VideoRequest, issues: Issues): void {
  const c = m.CFGScale;
  if (req.CFGScale !== undefined) {
    const v = req.CFGScale;
    if (!c.supported) unsupported(issues, m, c.confidence, "CFGScale");
    else {
      // A range no source gives is not checked: another model's 0–1 would be a guess.
      const min = c.min ?? -Infinity;
      const max = c.max ?? Infinity;
      const sev = severityOf(c.confidence);
      if (!isNum(v)) {
        issues.push({ severity: "error", path: ["CFGScale"], code: "invalidCFGScale", message: `CFGScale must be a number, got ${fmt(v)}` });
      } else if (v < min || v > max) {
        issues.push({ severity: sev, path: ["CFGScale"], code: "invalidCFGScale", message: `CFGScale must be ${c.min === undefined ? `at most ${max}` : c.max === undefined ? `at least ${min}` : `a number from ${min} to ${max}`}, got ${fmt(v)}`, ...(c.min !== undefined ? { min } : {}), ...(c.max !== undefined ? { max } : {}) });
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
