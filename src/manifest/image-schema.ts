/**
 * The `images:` section of a manifest, in zod (published with the manifest schema): keyframe
 * images made by an image model, one imageInference request each. Minimal on purpose: the
 * fields that decide the image, plus variants and a note.
 */
import { z } from "zod";
import { builtinCatalog } from "../models/catalog.js";
import { IMAGE_COMMON } from "../images/rules.js";
import { AIR_PATTERN, ID_PATTERN } from "./fields.js";
import { fanOutSchema } from "./matrix-schema.js";

const imageModels = builtinCatalog().images();

/** The fields that decide an image (what `imageDefaults:` and a matrix value may set). */
const imageFields = {
  model: z
    .string()
    .regex(new RegExp(AIR_PATTERN))
    .describe(`Image model (AIR): ${imageModels.map((m) => `${m.air} (${m.name})`).join(", ")}. \`clipform models\` lists them with their sizes and prices.`),
  positivePrompt: z.string().min(1).describe("What the image should show. ${name} inserts a variable or a matrix value."),
  negativePrompt: z.string().min(1).describe("What to keep out of the image, for models that take one."),
  width: z.number().int().describe("Width in pixels (required): within the model's range and a multiple of its step (`clipform models`)."),
  height: z.number().int().describe("Height in pixels (required): within the model's range and a multiple of its step."),
  steps: z.number().int().positive().describe("Inference steps; more cost more."),
  CFGScale: z.number().min(0).describe("Guidance scale: higher follows the prompt more closely."),
  seed: z.number().int().min(1).describe("Seed: the same seed and request give a similar image."),
  outputFormat: z.enum(["PNG", "JPG", "WEBP"]).describe("File format; PNG by default (a keyframe feeds a video model: lossless)."),
  outputQuality: z.number().int().min(IMAGE_COMMON.outputQuality.min).max(IMAGE_COMMON.outputQuality.max).describe("Compression quality for JPG and WEBP, 20–99."),
  numberResults: z
    .number()
    .int()
    .min(IMAGE_COMMON.numberResults.min)
    .max(IMAGE_COMMON.numberResults.max)
    .describe("Number of variants (1–4), each with its own seed and cost; `clipform pick` chooses among takes."),
};

/** Names an image matrix axis may set (a list axis named after one sets that field). */
export const IMAGE_FIELD_NAMES: readonly string[] = Object.keys(imageFields);

export const imageDefaultsSchema = z
  .object(imageFields)
  .partial()
  .strict()
  .describe("Fields merged into every image of this manifest (an image's own fields win). `defaults:` is for clips: images take none of it.");

const imageOverride = z.object(imageFields).partial().strict().describe("Image fields this matrix value sets.");

export const imageEntrySchema = z
  .object({
    ...imageFields,
    description: z.string().describe("A note for people; never sent, never forces regeneration."),
    matrix: fanOutSchema(imageOverride, { entry: "image", fields: "model, width, steps…", id: "image name", example: "station-key/wide/dusk" }),
  })
  .partial()
  .strict()
  .describe("One keyframe image: one imageInference request (or one per combination of its matrix). Unset fields come from `imageDefaults:`. Its name shares the namespace of clip addresses.");

export const imagesSectionSchema = z
  .record(z.string().regex(new RegExp(ID_PATTERN)).describe("Image name (unique among clips and images in the project)."), imageEntrySchema)
  .describe("Keyframe images made by an image model (imageInference), written to the output folder like clips.");
