/**
 * The `images:` section: keyframe images, each one imageInference request. An entry becomes a
 * desired item the planner already understands (a DesiredClip of kind "image"), fingerprinted
 * like a clip with `taskType` in what is hashed, so an image never collides with a video.
 */
import type { Diagnostic } from "../diagnostics.js";
import type { Catalog } from "../models/catalog.js";
import { checkImageRequest } from "../images/rules.js";
import type { DesiredClip, GenerationFields } from "./index.js";
import type { Manifest } from "./schema.js";
import { locate, type ParsedYaml } from "../util/yaml.js";
import { originOf, type ExpandedClip } from "./expand.js";

/** What clipform asks for when `outputFormat` is not set: a keyframe feeds a video model, so lossless. */
export const DEFAULT_IMAGE_FORMAT = "PNG";

type Fingerprint = (g: GenerationFields) => string;

export interface ImageSource {
  file: string;
  manifest?: Manifest;
  parsed: ParsedYaml;
  /** Positions ("line:col") of errors already reported in this file (by the schema): not said twice. */
  errorsAt: Set<string>;
  /** Its `images:`, expanded (imageDefaults merged, matrices fanned out, variables substituted). */
  images: readonly ExpandedClip[];
}

/** The images of one manifest, checked against their model's rules: located problems, or desired items. */
export interface ImageSection {
  /** The valid images, ready to plan. */
  images: DesiredClip[];
  /** Every declared name, valid or not: the namespace check covers them all. */
  declared: Declared[];
  diagnostics: Diagnostic[];
}

export interface Declared {
  address: string;
  location: DesiredClip["location"];
  image?: DesiredClip;
}

export function imageEntries(src: ImageSource, catalog: Catalog, fingerprintOf: Fingerprint): ImageSection {
  const images: DesiredClip[] = [];
  const declared: Declared[] = [];
  const diagnostics: Diagnostic[] = [];
  // Clip defaults are not image defaults: say so where an image misses what `defaults:` has.
  const clipDefaults = src.manifest?.defaults as Record<string, unknown> | undefined;
  for (const e of src.images) {
    const here = locate(src.parsed, e.declaredAt, { key: true });
    const location = { file: src.file, line: here.line, col: here.col };
    declared.push({ address: e.address, location });
    const { fields } = e;
    let errors = 0;
    for (const issue of checkImageRequest(fields, catalog)) {
      const field = issue.path[0];
      const path = typeof field === "string" && field in fields ? originOf(e.origins, field) : [];
      const pos = path.length ? locate(src.parsed, path) : here;
      if (issue.severity === "error") errors++;
      if (src.errorsAt.has(`${pos.line}:${pos.col}`)) continue;
      const hint = issue.code.startsWith("missing") && typeof field === "string" && clipDefaults && field in clipDefaults ? ` (\`defaults:\` sets it for clips only: set it under \`imageDefaults:\` for images)` : "";
      diagnostics.push({ ...location, line: pos.line, col: pos.col, severity: issue.severity, message: `${e.address}: ${issue.message}${hint}`, code: issue.code });
    }
    if (errors > 0 || src.errorsAt.size > 0) continue;
    const generation = imageGeneration(fields);
    const image: DesiredClip = {
      kind: "image",
      address: e.address,
      clipId: e.clipId,
      manifest: src.file,
      matrix: e.matrix,
      ...(e.description !== undefined ? { description: e.description } : {}),
      generation,
      fingerprint: fingerprintOf(generation),
      numberResults: typeof fields.numberResults === "number" ? fields.numberResults : 1,
      delivery: {},
      frameImages: [],
      location,
    };
    images.push(image);
    declared[declared.length - 1]!.image = image;
  }
  return { images, declared, diagnostics };
}

/** Only what is set is sent and fingerprinted, besides the task type and the output format. */
function imageGeneration(f: Record<string, unknown>): GenerationFields {
  const g: GenerationFields = { taskType: "imageInference", model: String(f.model), outputFormat: typeof f.outputFormat === "string" ? f.outputFormat : DEFAULT_IMAGE_FORMAT };
  if (typeof f.positivePrompt === "string") g.positivePrompt = f.positivePrompt;
  if (typeof f.negativePrompt === "string") g.negativePrompt = f.negativePrompt;
  if (typeof f.width === "number") g.width = f.width;
  if (typeof f.height === "number") g.height = f.height;
  if (typeof f.steps === "number") g.steps = f.steps;
  if (typeof f.CFGScale === "number") g.CFGScale = f.CFGScale;
  if (typeof f.seed === "number") g.seed = f.seed;
  if (typeof f.outputQuality === "number") g.outputQuality = f.outputQuality;
  return g;
}

/**
 * Images and clips share one namespace: a name used by both is an error at both places. Returns
 * the images that may be planned (those whose names clash are left out, whatever else is wrong).
 */
export function joinImages(declared: Declared[], byAddress: Map<string, DesiredClip>, diagnostics: Diagnostic[]): DesiredClip[] {
  const at = (d: { location: Declared["location"] }) => `${d.location.file}:${d.location.line}:${d.location.col}`;
  const kept: DesiredClip[] = [];
  const images = new Map<string, Declared>();
  for (const d of declared) {
    const other: { location: Declared["location"]; kind?: string } | undefined = byAddress.get(d.address) ?? images.get(d.address);
    if (!other) {
      images.set(d.address, d);
      if (d.image) kept.push(d.image);
      continue;
    }
    const what = other.kind === "image" || images.has(d.address) ? "image" : "clip";
    diagnostics.push({ ...d.location, severity: "error", message: `image "${d.address}" has the name of a ${what} (defined at ${at(other)}): clip addresses and image names share one namespace` });
    diagnostics.push({ ...other.location, severity: "error", message: `${what} "${d.address}" has the name of an image (defined at ${at(d)}): clip addresses and image names share one namespace` });
    const i = kept.findIndex((k) => k.address === d.address);
    if (i >= 0) kept.splice(i, 1);
  }
  for (const k of kept) byAddress.set(k.address, k);
  return kept;
}
