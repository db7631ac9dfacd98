/**
 * The `images:` section of a manifest, in zod (published with the manifest schema): keyframe
 * images made by an image model, one imageInference request each. Minimal on purpose: the
 * fields that decide the image, plus variants and a note.
 */
import { z } from "zod";
import { builtinCatalog } from "../models/catalog.js";
import { IMAGE_COMMON } from "../images/rules.js";
import { AIR_PATTERN, ID_PATTERN } from "./fields.js";

const imageModels = builtinCatalog().images();

export const imageEntrySchema = z
  .object({
    model: z
      .string()
      .regex(new RegExp(AIR_PATTERN))
      .describe(`Image model (AIR): ${imageModels.map((m) => `${m.air} (${m.name})`).join(", ")}. \`clipform models\` lists them with their sizes and prices.`),
    positivePrompt: z.string().min(1).describe("What the image should show."),
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
    description: z.string().describe("A note for people; never sent, never forces regeneration."),
  })
  .partial()
  .required({ model: true, positivePrompt: true })
  .strict()
  .describe("One keyframe image: one imageInference request. Its name shares the namespace of clip addresses.");

export const imagesSectionSchema = z
  .record(z.string().regex(new RegExp(ID_PATTERN)).describe("Image name (unique among clips and images in the project)."), imageEntrySchema)
  .describe("Keyframe images made by an image model (imageInference), written to the output folder like clips.");
