/**
 * The model catalog: one JSON definition per model in the package's `models/` folder (the format
 * is src/models/definition.ts, published as schemas/model.schema.json), plus whatever a project
 * defines or overrides in its own `models/` folder (src/manifest/project-models.ts).
 *
 * The built-in definitions are read once, on first use: about 50 small JSON files, a few
 * milliseconds, next to the seconds a big manifest takes to parse.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Confidence, ModelDefinition } from "./definition.js";
import type { ImageModelDefinition } from "./image-definition.js";

export type { Confidence, ModelDefinition } from "./definition.js";
export type ModelSpec = ModelDefinition & { /** Where the definition was read from. */ origin: string };
export type FramePosition = "first" | "last";
/** An image model (imageInference, for keyframes): built-in only, from `models/images/`. */
export type ImageModelSpec = ImageModelDefinition & { origin: string };

/** Limits of the videoInference API itself, the same for every model. */
export const COMMON = {
  outputFormats: ["MP4", "WEBM", "MOV"] as const,
  outputTypes: ["URL"] as const,
  deliveryMethods: ["async"] as const,
  safetyModes: ["none", "fast", "full"] as const,
  outputQuality: { min: 20, max: 99 },
  numberResults: { min: 1, max: 4 },
  ttl: { min: 60 },
  seed: { min: 1, max: 2147483647 },
  /** Input images when a model's definition gives no limits: the common Runware ones. */
  image: { minSide: 300, maxSide: 2048, maxBytes: 20 * 1024 * 1024, formats: ["png", "jpeg", "webp"] as const },
} as const;

/** The package's `models/` folder: two levels up from both src/models/ and dist/models/. */
export const BUILTIN_MODELS_DIR = new URL("../../models/", import.meta.url);

export interface Catalog {
  /** A video model. */
  get(air: string): ModelSpec | undefined;
  ids(): string[];
  all(): ModelSpec[];
  /** An image model (for `images:` entries); video and image AIRs never overlap. */
  image(air: string): ImageModelSpec | undefined;
  images(): ImageModelSpec[];
}

export function catalogOf(models: Iterable<ModelSpec>, imageModels: Iterable<ImageModelSpec> = []): Catalog {
  const map = new Map<string, ModelSpec>();
  for (const m of models) map.set(m.air, m);
  const ids = [...map.keys()].sort(compareAir);
  const imageMap = new Map<string, ImageModelSpec>();
  for (const m of imageModels) imageMap.set(m.air, m);
  const images = [...imageMap.values()].sort((a, b) => compareAir(a.air, b.air));
  return { get: (air) => map.get(air), ids: () => ids, all: () => ids.map((id) => map.get(id)!), image: (air) => imageMap.get(air), images: () => images };
}

/** Orders AIRs by provider, then version numbers as numbers (klingai:5@1 before klingai:10@1). */
export function compareAir(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

let builtin: Catalog | undefined;

/** The definitions shipped with clipform (checked against the schema by the test suite). */
export function builtinCatalog(): Catalog {
  if (!builtin) {
    const dir = BUILTIN_MODELS_DIR;
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    const imageDir = new URL("images/", dir);
    const imageFiles = readdirSync(imageDir).filter((f) => f.endsWith(".json"));
    builtin = catalogOf(
      files.map((f) => ({ ...(JSON.parse(readFileSync(new URL(f, dir), "utf8")) as ModelDefinition), origin: `built-in (models/${f})` })),
      imageFiles.map((f) => ({ ...(JSON.parse(readFileSync(new URL(f, imageDir), "utf8")) as ImageModelDefinition), origin: `built-in (models/images/${f})` })),
    );
  }
  return builtin;
}

export function getModel(id: string): ModelSpec | undefined {
  return builtinCatalog().get(id);
}

export function modelIds(): string[] {
  return builtinCatalog().ids();
}

/** Rules of this confidence reject; the others warn. */
export const severityOf = (c: Confidence): "error" | "warning" => (c === "verified" ? "error" : "warning");

/** The provider part of an AIR: `google` in `google:3@1`, the key of its providerSettings. */
export const providerOf = (air: string): string => air.slice(0, air.indexOf(":"));

/** Defaults clipform fills in (and fingerprints) when a clip leaves a field out. */
export function defaultDuration(m: ModelSpec): number {
  const d = m.durations;
  return d.default ?? d.values?.[0] ?? d.bySize?.[0]?.values?.[0] ?? d.range?.min ?? 5;
}

/** Only a verified CFGScale default is filled in: a model that may not take CFGScale never gets one sent. */
export function defaultCFGScale(m: ModelSpec): number | undefined {
  const c = m.CFGScale;
  return c.supported && c.confidence === "verified" ? c.default : undefined;
}
