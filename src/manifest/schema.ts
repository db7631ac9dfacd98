/**
 * The manifest schema, written once in zod. `npm run schemas` publishes it as
 * `schemas/manifest.schema.json`; editors read that file through the
 * `# yaml-language-server: $schema=…` line and the CLI validates with ajv against the same
 * file, so the editor and the CLI always agree. A test fails when the committed file is stale.
 *
 * Field names are the Runware API's own, spelled exactly as the model pages spell them.
 */
import { z } from "zod";
import { builtinCatalog, COMMON, type ModelSpec } from "../models/catalog.js";
import { AIR_PATTERN } from "./fields.js";
import { modelSummary } from "../models/describe.js";
import { ID_PATTERN, type ClipFieldName } from "./fields.js";
import { imageDefaultsSchema, imagesSectionSchema } from "./image-schema.js";
import { fanOutSchema } from "./matrix-schema.js";
import { MAX_SEQUENCE_MEMBERS, SEQUENCE_NAME_PATTERN } from "./sequence-names.js";

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

const catalog = builtinCatalog().all();

/** One literal per built-in model, each with its own hover text; any other AIR may be a project's own model. */
const modelField = z
  .union([
    ...(catalog.map((m: ModelSpec) => z.literal(m.air).describe(modelSummary(m))) as unknown as [z.ZodLiteral<string>, z.ZodLiteral<string>]),
    z.string().regex(new RegExp(AIR_PATTERN)).describe("A model defined in this project's models/ folder (provider:model@version)."),
  ])
  .describe(`Runware model identifier (AIR), e.g. klingai:5@3. \`clipform models\` lists the ${catalog.length} built-in models with their sizes, durations and prices; a project can define more in models/.`);

/** A frame of another clip (or an image of `images:`): shots that feed shots. */
export const clipLinkSchema = z
  .object({
    from: z.string().min(1).describe("The address of the clip whose picked take gives the frame (in a fan-out, e.g. arrival/${aspect}), or the name of an entry of images:."),
    frame: z.enum(["first", "last"]).optional().describe("Which frame of that clip's video: first or last (default: last). Not for images."),
    variant: z.number().int().min(1).optional().describe("Which variant of the picked take (1-based; default 1)."),
  })
  .strict()
  .describe("A frame of another clip's picked take, extracted and uploaded at apply time once that clip exists.");

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
          .union([
            z
              .string()
              .min(1)
              .describe("A local file path relative to this manifest, an http(s) URL, a data URI, raw base64, or a Runware image UUID."),
            clipLinkSchema,
          ])
          .describe("An image: a file, URL, data URI, base64 or image UUID, or {from: CLIP, frame} for a frame of another clip's picked take."),
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
  model: modelField,
  positivePrompt: z
    .string()
    .min(1)
    .describe("What the video should show (its length limits depend on the model: 2–2500 characters for Kling). ${name} inserts a variable or a matrix value."),
  negativePrompt: z
    .string()
    .min(1)
    .describe("What to keep out of the video, for models that take one (Kling: 2–2500 characters)."),
  width: z.number().int().describe("Width in pixels; set together with height, as one of the model's supported sizes (`clipform models AIR`). Leave out for models that take the size from the frame image."),
  height: z.number().int().describe("Height in pixels; set together with width, as one of the model's supported sizes."),
  duration: z.number().positive().describe("Length of the video in seconds (which ones depend on the model: `clipform models AIR`). Drives the price."),
  CFGScale: z
    .number()
    .min(0)
    .max(1)
    .describe("Guidance scale, 0 to 1 in steps of 0.01 (default 0.5), for the models that take it (Kling up to 2.5): higher follows the prompt more closely."),
  seed: z.number().int().min(COMMON.seed.min).max(COMMON.seed.max).describe("Seed, for the models that take one (Veo, Seedance, PixVerse, Vidu, Runway, Wan…): the same seed and request give a similar video."),
  resolution: z.string().describe("Size class (720p, 1080p, 4K…) for models that take `resolution` instead of width/height; never with width/height."),
  providerSettings: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .describe("Settings of the model's provider, under its name: { google: { generateAudio: true } }. Which ones a model takes: `clipform models AIR`."),
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
        .optional()
        .describe("Images that fix given frames of the video. Which models need one, and which positions they accept, is in `clipform models`."),
      referenceImages: z
        .array(z.union([z.string().min(1), clipLinkSchema]))
        .min(1)
        .optional()
        .describe("Reference images (URLs or Runware image UUIDs, or {from: CLIP, frame} for a frame of another clip's picked take), for models that take them."),
      referenceVideos: z.array(z.string().min(1)).min(1).optional().describe("Reference videos (URLs or Runware UUIDs), for models that take them."),
      referenceAudios: z.array(z.string().min(1)).min(1).optional().describe("Reference audio (URLs or Runware UUIDs), for models that take them."),
      audio: z.string().min(1).optional().describe("An audio track (URL or Runware UUID), for models that take one."),
      video: z.string().min(1).optional().describe("A source video to extend or edit (URL or Runware UUID), for models that take one."),
      videoId: z.string().min(1).optional().describe("An earlier video of the same provider to remix or extend, for models that take one."),
    })
    .strict()
    .describe("Input resources: frame images, and for some models reference images, video or audio."),
} as const satisfies Record<ClipFieldName, z.ZodTypeAny>;

const clipOverride = z.object(clipFields).partial().strict().describe("Clip fields this matrix value sets.");

export const matrixSchema = fanOutSchema(clipOverride, { entry: "clip", fields: "model, duration, outputFormat…", id: "clip id", example: "harbor/landscape/cinematic" });

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
    warnings: z
      .object({ ignore: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/)).describe("Warning codes, as shown in brackets after each warning (e.g. undocumentedParameter).") })
      .strict()
      .optional()
      .describe("Warnings silenced in this manifest, by code (clipform.yaml's `warnings:` silences them in the whole project). Errors are never silenced."),
    defaults: z.object(clipFields).partial().strict().optional().describe("Fields merged into every clip of this manifest (a clip's own fields win)."),
    clips: z
      .record(id("Clip id (part of the address; unique in the project)"), clipSchema)
      .optional()
      .describe("The clips, by id. A manifest may hold only images:, only sequences:, or both."),
    imageDefaults: imageDefaultsSchema.optional(),
    images: imagesSectionSchema.optional(),
    sequences: z
      .record(
        z
          .string()
          .regex(new RegExp(SEQUENCE_NAME_PATTERN))
          .describe("Sequence name, the name of its film (clipform-out/<name>.mp4): lower-case letters, digits, '.', '_' and '-', starting with a letter or digit; unique in the project."),
        z
          .array(z.string().min(1).describe("A clip address (a fan-out's clip by its full address, e.g. arrival/wide)."))
          .min(1)
          .max(MAX_SEQUENCE_MEMBERS)
          .describe(`The clips to cut together, in order (a clip may appear more than once; at most ${MAX_SEQUENCE_MEMBERS}). Each uses its picked take's first variant.`),
      )
      .optional()
      .describe("Films cut from the clips' picked takes, one file per sequence, rebuilt only when a member's picked video changes. Local and free."),
  })
  .strict()
  .describe("A clipform manifest: clips to generate with Runware video models.");

export type Manifest = z.infer<typeof manifestSchema>;
export type ClipFields = z.infer<typeof clipOverride>;

