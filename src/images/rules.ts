/**
 * The rules of an `imageInference` request, read from the image model's definition: what the
 * manifest stage reports at FILE:LINE:COL and the simulator refuses. Rules carry a confidence
 * as video rules do: verified rejects, conflict accepts the union with a warning, unconfirmed warns.
 */
import type { Catalog, ImageModelSpec } from "../models/catalog.js";
import { judge, type Issues, type RuleIssue } from "../models/request.js";
import { closest } from "../util/suggest.js";

/** Limits of the imageInference API that clipform applies to every image model. */
export const IMAGE_COMMON = {
  outputQuality: { min: 20, max: 99 },
  /** The takes machinery handles up to 4 variants per request, as for clips. */
  numberResults: { min: 1, max: 4 },
} as const;

/** The image fields clipform sends (besides taskType, taskUUID and delivery). */
export interface ImageRequest {
  model?: unknown;
  positivePrompt?: unknown;
  negativePrompt?: unknown;
  width?: unknown;
  height?: unknown;
  steps?: unknown;
  CFGScale?: unknown;
  seed?: unknown;
  outputFormat?: unknown;
  outputQuality?: unknown;
  numberResults?: unknown;
  [key: string]: unknown;
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export function checkImageRequest(req: ImageRequest, catalog: Catalog): Issues {
  const issues: Issues = [];
  if (typeof req.model !== "string") {
    issues.push({ severity: "error", path: ["model"], code: "missingModel", message: "model is required: an image model (`clipform models` lists them)" });
    return issues;
  }
  const m = catalog.image(req.model);
  if (!m) {
    const video = catalog.get(req.model);
    const hint = closest(req.model, catalog.images().map((x) => x.air));
    const message = video
      ? `${req.model} is a video model; an image needs an image model (${catalog.images().map((x) => x.air).join(", ")})`
      : `unknown image model "${req.model}"${hint ? `; did you mean "${hint}"?` : ""} (\`clipform models\` lists them)`;
    issues.push({ severity: "error", path: ["model"], code: "unsupportedModel", message });
    return issues;
  }
  // clipform sends images async and polls them, as videos: the catalog must say the model allows it.
  if (!m.delivery.async) issues.push({ severity: "error", path: ["model"], code: "unsupportedModel", message: `${m.air} takes no async delivery, which clipform needs to poll a paid image (its catalog entry says so)` });
  checkPrompt(issues, m, req);
  checkDimensions(issues, m, req);
  for (const key of ["steps", "CFGScale", "seed"] as const) checkRange(issues, m, key, req[key]);
  const formats = m.outputFormats.values as string[];
  if (req.outputFormat !== undefined && !formats.includes(String(req.outputFormat))) {
    issues.push({ severity: "error", path: ["outputFormat"], code: "invalidOutputFormat", message: `outputFormat must be one of ${formats.join(", ")}`, allowedValues: formats });
  }
  return issues;
}

function checkPrompt(issues: Issues, m: ImageModelSpec, req: ImageRequest): void {
  const p = m.positivePrompt;
  if (typeof req.positivePrompt !== "string") {
    issues.push({ severity: "error", path: ["positivePrompt"], code: "missingPositivePrompt", message: "positivePrompt is required" });
    return;
  }
  const n = req.positivePrompt.length;
  if (n < p.min || n > p.max) {
    issues.push({ severity: "error", path: ["positivePrompt"], code: "invalidPositivePrompt", message: `positivePrompt must be ${p.min}–${p.max} characters for ${m.air}, got ${n}`, min: p.min, max: p.max });
  }
  if (req.negativePrompt !== undefined && !m.negativePrompt.supported) {
    issues.push({ severity: "error", path: ["negativePrompt"], code: "unsupportedParameter", message: `${m.air} does not take negativePrompt: remove it` });
  }
}

function checkDimensions(issues: Issues, m: ImageModelSpec, req: ImageRequest): void {
  const d = m.dimensions;
  for (const key of ["width", "height"] as const) {
    const v = req[key];
    if (v === undefined) {
      issues.push({ severity: "error", path: [key], code: key === "width" ? "missingWidth" : "missingHeight", message: `${key} is required for an image (${d.min}–${d.max}, a multiple of ${d.multipleOf})` });
      continue;
    }
    if (!isInt(v)) continue; // the schema reported it
    const fits = (r: { min: number; max: number; multipleOf: number }) => v >= r.min && v <= r.max && v % r.multipleOf === 0;
    const readings = d.readings ?? [];
    const all = d.confidence === "conflict" ? readings.every(fits) && fits(d) : fits(d);
    const issue: Partial<RuleIssue> = { min: d.min, max: d.max };
    judge(issues, d, { all, inUnion: fits(d), subject: `${key} ${v}` }, [key], key === "width" ? "invalidWidth" : "invalidHeight",
      `${key} ${v} is not accepted by ${m.air}: ${d.min}–${d.max} and a multiple of ${d.multipleOf}`,
      (r: { min: number; max: number; multipleOf: number }) => `${r.min}–${r.max}, multiples of ${r.multipleOf}`, issue);
  }
}

function checkRange(issues: Issues, m: ImageModelSpec, key: "steps" | "CFGScale" | "seed", v: unknown): void {
  if (v === undefined) return;
  const r = m[key];
  if (!r.supported) {
    issues.push({ severity: r.confidence === "verified" ? "error" : "warning", path: [key], code: "unsupportedParameter", message: `${m.air} does not take ${key}: remove it` });
    return;
  }
  if (!isNum(v)) return;
  const ok = (r.min === undefined || v >= r.min) && (r.max === undefined || v <= r.max);
  judge(issues, r, { all: ok, inUnion: ok, subject: `${key} ${v}` }, [key], `invalid${key[0]!.toUpperCase()}${key.slice(1)}`,
    `${key} ${v} is outside ${r.min ?? "…"}–${r.max ?? "…"} for ${m.air}`, () => "", { ...(r.min !== undefined ? { min: r.min } : {}), ...(r.max !== undefined ? { max: r.max } : {}) });
}
