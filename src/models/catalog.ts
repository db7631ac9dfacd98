/**
 * The model catalog: everything clipform knows about each supported model, as data.
 *
 * Source of truth: Runware's model pages (kept in the repository's reference material).
 * Every rule here is either stated on a model page ("documented"), seen in the page's real
 * request/response examples ("observed"), or inferred from the model family ("derived").
 * Validation treats documented rules as errors and derived ones as warnings, and the plan
 * shows the source of every price it uses.
 */

export type Source = "documented" | "observed" | "derived";

export type FramePosition = "first" | "last";

export interface Size {
  width: number;
  height: number;
  label: string;
}

export interface Price {
  /** USD per result (one video) at this duration. */
  usd: number;
  source: Source;
  /** Where the figure comes from, said plainly for people reading a plan. */
  note: string;
}

export interface ModelSpec {
  id: string;
  name: string;
  capabilities: ReadonlyArray<"text-to-video" | "image-to-video">;
  /** Allowed width×height pairs; `source` says whether the page lists them. */
  sizes: { values: readonly Size[]; source: Source };
  durations: readonly number[];
  defaults: { duration: number; CFGScale: number; outputFormat: string; outputQuality: number };
  prompts: {
    /** Whether the page documents positivePrompt / negativePrompt for this model. */
    positive: "required" | "undocumented";
    negative: "optional" | "undocumented";
  };
  frames: {
    required: boolean;
    max: number;
    positions: readonly FramePosition[];
  };
  /** Price per result by duration in seconds. */
  prices: Readonly<Record<number, Price>>;
  /** Documented list price, for display next to observed figures. */
  listPrice?: string;
  page: string;
}

/** Limits shared by every Kling model page. */
export const COMMON = {
  outputFormats: ["MP4", "WEBM", "MOV"] as const,
  outputTypes: ["URL"] as const,
  deliveryMethods: ["async"] as const,
  safetyModes: ["none", "fast", "full"] as const,
  outputQuality: { min: 20, max: 99 },
  numberResults: { min: 1, max: 4 },
  CFGScale: { min: 0, max: 1, step: 0.01 },
  ttl: { min: 60 },
  prompt: { min: 2, max: 2500 },
  /** Kling input images: 300–2048 px per side, at most 20 MB, PNG/JPG/WEBP. */
  image: { minSide: 300, maxSide: 2048, maxBytes: 20 * 1024 * 1024, formats: ["png", "jpeg", "webp"] as const },
} as const;

const KLING_720P: Size[] = [
  { width: 1280, height: 720, label: "720p (16:9)" },
  { width: 720, height: 720, label: "720p (1:1)" },
  { width: 720, height: 1280, label: "720p (9:16)" },
];

const KLING_DEFAULTS = { duration: 5, CFGScale: 0.5, outputFormat: "MP4", outputQuality: 95 } as const;

function observed(usd: number, note: string): Price {
  return { usd, source: "observed", note };
}
function derived(usd: number, note: string): Price {
  return { usd, source: "derived", note };
}

/** The $0.0370/s models: the 5 s price their pages' examples were charged, 10 s twice that. */
function listPricedAt5s(observed5s: number): Record<number, Price> {
  return {
    5: observed(observed5s, "charged in the model page's examples (list price $0.0370/s)"),
    10: derived(observed5s * 2, "twice the observed 5 s price (list price $0.0370/s)"),
  };
}

const MODELS: ModelSpec[] = [
  {
    id: "klingai:1@1",
    name: "KlingAI 1.0 Standard",
    capabilities: ["text-to-video"],
    sizes: { values: KLING_720P, source: "documented" },
    durations: [5, 10],
    defaults: KLING_DEFAULTS,
    prompts: { positive: "required", negative: "optional" },
    // The page documents frameImages with first and last positions (and an example uses one).
    frames: { required: false, max: 2, positions: ["first", "last"] },
    prices: {
      10: observed(0.1848, "charged in the model page's three 10 s examples"),
      5: derived(0.0924, "half the observed 10 s price; no 5 s example"),
    },
    page: "klingai-1-0-standard",
  },
  {
    id: "klingai:1@2",
    name: "KlingAI 1.0 Pro",
    capabilities: ["text-to-video", "image-to-video"],
    sizes: { values: KLING_720P, source: "documented" },
    durations: [5, 10],
    defaults: KLING_DEFAULTS,
    prompts: { positive: "required", negative: "optional" },
    frames: { required: false, max: 2, positions: ["first", "last"] },
    prices: {
      5: observed(0.3234, "charged in the model page's 5 s examples"),
      10: observed(0.6468, "charged in the model page's 10 s example"),
    },
    page: "klingai-1-0-pro",
  },
  {
    id: "klingai:2@1",
    name: "KlingAI 1.5 Standard",
    capabilities: ["image-to-video"],
    // The 1.5 page lists no size table: the family's sizes are assumed (warnings, not errors).
    sizes: { values: KLING_720P, source: "derived" },
    durations: [5, 10],
    defaults: KLING_DEFAULTS,
    prompts: { positive: "undocumented", negative: "undocumented" },
    frames: { required: true, max: 1, positions: ["first"] },
    prices: {
      5: observed(0.1848, "charged in the model page's 5 s examples"),
      10: derived(0.3696, "twice the observed 5 s price"),
    },
    page: "klingai-1-5-standard",
  },
  {
    id: "klingai:3@1",
    name: "KlingAI 1.6 Standard",
    capabilities: ["text-to-video", "image-to-video"],
    sizes: { values: KLING_720P, source: "documented" },
    durations: [5, 10],
    defaults: KLING_DEFAULTS,
    prompts: { positive: "required", negative: "optional" },
    frames: { required: false, max: 1, positions: ["first"] },
    prices: listPricedAt5s(0.1848),
    listPrice: "$0.0370/s (720p · 5s: $0.185)",
    page: "klingai-1-6-standard",
  },
  {
    id: "klingai:5@1",
    name: "KlingAI 2.1 Standard",
    capabilities: ["image-to-video"],
    sizes: { values: KLING_720P, source: "documented" },
    durations: [5, 10],
    defaults: KLING_DEFAULTS,
    // The 2.1 page lists no prompt parameters, yet its examples send positivePrompt.
    prompts: { positive: "undocumented", negative: "undocumented" },
    frames: { required: true, max: 1, positions: ["first"] },
    prices: listPricedAt5s(0.1848),
    listPrice: "$0.0370/s (1080p · 5s: $0.185)",
    page: "klingai-2-1-standard",
  },
];

export const CATALOG: ReadonlyMap<string, ModelSpec> = new Map(MODELS.map((m) => [m.id, m]));

export function getModel(id: string): ModelSpec | undefined {
  return CATALOG.get(id);
}

export function modelIds(): string[] {
  return [...CATALOG.keys()];
}
