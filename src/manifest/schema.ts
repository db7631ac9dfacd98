/**
 * The manifest schema, written once in zod. `npm run schemas` publishes it as
 * `schemas/manifest.schema.json`; editors read that file through the
 * `# yaml-language-server: $schema=…` line and the CLI validates with ajv against the same
 * file, so the editor and the CLI always agree. A test fails when the committed file is stale.
 *
 * Field names are the Runware API's own, spelled exactly as the model pages spell them.
 */
import { z } from "zod";
import { COMMON, modelIds } from "../models/catalog.js";
import { ID_PATTERN, type ClipFieldName } from "./fields.js";

export { ID_PATTERN } from "./fields.js";
const id = (what: string) =>
  z
    .string()
    .regex(new RegExp(ID_PATTERN))
    .describe(`${what}: letters, digits, '.', '_' and '-', starting with a letter or digit (at most 100 characters).`);

const url = (what: string) =>
  z
    .string()
    .regex(/^https?:\/\/\S+$/)
    .describe(what);

const models = modelIds() as [string, ...string[]];

export const frameImageSchema = z
  .union([
    z
      .string()
      .min(1)
      .describe(
        "Frame image, by position in the list (one image: first frame; two: first and last). A local file path relative to this manifest (uploaded once, tracked by content), an http(s) URL, a data URI, raw base64, or a Runware image UUID.",
      ),
    z
      .object({
        image: z
          .string()
          .min(1)
          .describe("A local file path relative to this manifest, an http(s) URL, a data URI, raw base64, or a Runware image UUID."),
        frame: z
          .union([z.enum(["first", "last"]), z.literal(0), z.literal(-1)])
          .optional()
          .describe("Target frame: first (or 0) or last (or -1). Which positions a model supports is in `clipform models`."),
      })
      .strict(),
  ])
  .describe("A frame image: a plain image reference, or {image, frame}.");

/** Every field a clip may set; all optional here because `defaults:` may supply them. */
export const clipFields = {
  model: z
    .enum(models)
    .describe(`Runware model identifier. Supported: ${models.join(", ")}. See \`clipform models\` for each model's sizes, durations and prices.`),
  positivePrompt: z
    .string()
    .min(COMMON.prompt.min)
    .max(COMMON.prompt.max)
    .describe(`What the video should show (${COMMON.prompt.min}–${COMMON.prompt.max} characters). \${name} inserts a variable or a matrix value.`),
  negativePrompt: z
    .string()
    .min(COMMON.prompt.min)
    .max(COMMON.prompt.max)
    .describe(`What to keep out of the video (${COMMON.prompt.min}–${COMMON.prompt.max} characters). Ignored by the API when CFGScale ≤ 1 disables guidance.`),
  width: z.number().int().describe("Width in pixels; set together with height, as one of the model's supported sizes (e.g. 1280×720, 720×720, 720×1280)."),
  height: z.number().int().describe("Height in pixels; set together with width, as one of the model's supported sizes."),
  duration: z.number().describe("Length of the video in seconds (the Kling models allow 5 or 10). Drives the price."),
  CFGScale: z
    .number()
    .min(COMMON.CFGScale.min)
    .max(COMMON.CFGScale.max)
    .describe("Guidance scale, 0 to 1 in steps of 0.01 (default 0.5): higher follows the prompt more closely."),
  numberResults: z
    .number()
    .int()
    .min(COMMON.numberResults.min)
    .max(COMMON.numberResults.max)
    .describe("Number of variants (1–4), each with its own seed and cost. Raising it generates only the extra variants; lowering it generates nothing."),
  outputType: z.enum(COMMON.outputTypes).describe("Video output type; only URL is supported (clipform downloads the file)."),
  outputFormat: z.enum(COMMON.outputFormats).describe("Container of the generated video: MP4 (default), WEBM or MOV."),
  outputQuality: z
    .number()
    .int()
    .min(COMMON.outputQuality.min)
    .max(COMMON.outputQuality.max)
    .describe("Compression quality, 20–99 (default 95)."),
  deliveryMethod: z.enum(COMMON.deliveryMethods).describe("Always async for video: clipform submits, then polls. Delivery only: never forces regeneration."),
  webhookURL: url("URL that receives a POST for each finished result. Delivery only: never forces regeneration."),
  uploadEndpoint: url("URL the finished video is PUT to (e.g. a presigned bucket URL). Delivery only: never forces regeneration."),
  ttl: z.number().int().min(COMMON.ttl.min).describe("Seconds the video URL stays valid (at least 60). Delivery only: never forces regeneration."),
  safety: z
    .object({
      checkContent: z.boolean().optional().describe("Enable content safety checking (default false; fast mode when enabled)."),
      mode: z.enum(COMMON.safetyModes).optional().describe("none: no check; fast: key frames; full: every frame."),
    })
    .strict()
    .describe("Content safety checking."),
  inputs: z
    .object({
      frameImages: z
        .array(frameImageSchema)
        .min(1)
        .describe("Images that fix given frames of the video. Which models need one, and which positions they accept, is in `clipform models`."),
    })
    .strict()
    .describe("Input resources: frame images."),
} as const satisfies Record<ClipFieldName, z.ZodTypeAny>;

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const clipOverride = z.object(clipFields).partial().strict().describe("Clip fields this matrix value sets.");

export const matrixSchema = z
  .record(
    id("Matrix axis name"),
    z.union([
      z
        .array(scalar)
        .min(1)
        .describe(
          "List of values. When the axis is named after a clip field (model, duration, outputFormat…), each value sets that field; in any case ${axis} inserts it into prompts. Each value's slug joins the clip's address.",
        ),
      z
        .record(id("Matrix value key (part of the address)"), z.union([scalar, clipOverride]))
        .describe("Map from a key (used in the clip's address) to a value: a scalar for ${axis}, or an object of clip fields to set."),
    ]),
  )
  .describe(
    "Fan-out: one clip for every combination of the axes' values. Each gets a stable address: clip id, then one key per axis in order, joined by '/' (e.g. harbor/landscape/cinematic).",
  );

export const clipSchema = z
  .object({
    ...clipFields,
    description: z.string().describe("A note for people; not sent to the API and never forces regeneration."),
    matrix: matrixSchema,
  })
  .partial()
  .strict()
  .describe("One clip: one videoInference request (with numberResults variants). Unset fields come from `defaults:`.");

export const manifestSchema = z
  .object({
    version: z.literal(1).describe("Manifest format version. Always 1."),
    budget: z
      .object({
        maxCost: z.number().positive().describe("Most USD one apply may spend on this manifest's clips; plan and apply refuse beyond it."),
      })
      .strict()
      .optional()
      .describe("Spending limit for this manifest."),
    variables: z
      .record(id("Variable name"), z.union([z.string(), z.number()]))
      .optional()
      .describe("Values for ${name} in prompts and other strings of this manifest's clips."),
    defaults: z.object(clipFields).partial().strict().optional().describe("Fields merged into every clip of this manifest (a clip's own fields win)."),
    clips: z.record(id("Clip id (part of the address; unique in the project)"), clipSchema).describe("The clips, by id."),
  })
  .strict()
  .describe("A clipform manifest: clips to generate with Runware video models.");

export type Manifest = z.infer<typeof manifestSchema>;
export type ClipFields = z.infer<typeof clipOverride>;

