/**
 * A clip's request as clipform sends and fingerprints it: the manifest's fields normalized for
 * its model (defaults filled in, what the model does not take left out), and its fingerprint.
 */
import { defaultCFGScale, defaultDuration, type Catalog } from "../models/catalog.js";
import { canonicalJson, sha256Hex } from "../util/canonical.js";
import type { FrameImageRef, GenerationFields } from "./index.js";
import { fileImageId, formatPending } from "../core/address.js";

const FINGERPRINT_VERSION = "v1";

export function normalizeGeneration(fields: Record<string, unknown>, images: FrameImageRef[], catalog: Catalog): GenerationFields {
  const model = catalog.get(String(fields.model))!;
  const g: GenerationFields = {
    model: model.air,
    duration: (fields.duration as number | undefined) ?? defaultDuration(model),
    outputFormat: (fields.outputFormat as string | undefined) ?? model.defaults.outputFormat,
    outputQuality: (fields.outputQuality as number | undefined) ?? model.defaults.outputQuality,
  };
  // What the model does not take is neither sent nor fingerprinted (the rules warned or refused);
  // fields are added only when present, so earlier fingerprints stay valid.
  const cfg = (fields.CFGScale as number | undefined) ?? defaultCFGScale(model);
  if (cfg !== undefined && model.CFGScale.supported) g.CFGScale = cfg;
  if (fields.seed !== undefined && model.seed.supported) g.seed = fields.seed as number;
  if (fields.resolution !== undefined) g.resolution = fields.resolution as string;
  if (fields.providerSettings !== undefined) g.providerSettings = fields.providerSettings as Record<string, unknown>;
  const { frameImages: _f, ...other } = (fields.inputs ?? {}) as Record<string, unknown>;
  if (Object.keys(other).length > 0) g.otherInputs = other;
  if (fields.positivePrompt !== undefined) g.positivePrompt = fields.positivePrompt as string;
  if (fields.negativePrompt !== undefined && model.negativePrompt.supported) g.negativePrompt = fields.negativePrompt as string;
  const sizeFromImage = model.sizes.fromImage === "always" || (model.sizes.fromImage === "withFrames" && images.length > 0);
  if (fields.width !== undefined && !sizeFromImage) g.width = fields.width as number;
  if (fields.height !== undefined && !sizeFromImage) g.height = fields.height as number;
  if (fields.safety !== undefined) g.safety = fields.safety as GenerationFields["safety"];
  if (images.length > 0) {
    g.frameImages = images.map((i) =>
      i.kind === "file" ? { frame: i.frame, image: fileImageId(i.sha256!), file: i.ref } : i.link ? { frame: i.frame, image: formatPending(i.link) } : { frame: i.frame, image: i.ref },
    );
  }
  return g;
}

/** What the fingerprint covers: the generation fields, with local images by content only. */
export function fingerprintOf(g: GenerationFields): string {
  const { frameImages, ...rest } = g;
  const stripped = frameImages ? { ...rest, frameImages: frameImages.map(({ frame, image }) => ({ frame, image })) } : rest;
  return `${FINGERPRINT_VERSION}:${sha256Hex(canonicalJson(stripped))}`;
}
