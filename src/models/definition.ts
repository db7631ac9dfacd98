/**
 * The model definition format, written once in zod: one JSON file per model in `models/` (and in
 * a project's own `models/` folder). `npm run schemas` publishes it as `schemas/model.schema.json`,
 * which the build compiles into the validator that checks a project's definitions; a test fails
 * when the committed file is stale. Runtime code imports only the types (zod stays unloaded).
 *
 * Every rule carries a confidence, as the fact sheet does: `verified` rules reject, `conflict`
 * rules accept the union of their readings and warn naming each, `unconfirmed` rules only warn.
 */
import { z } from "zod";

const confidence = z
  .enum(["verified", "conflict", "unconfirmed"])
  .describe("verified: stated by Runware and not contradicted (rejects); conflict: sources disagree (accepts the union, warns); unconfirmed: third-party or inferred (warns).");

const meta = {
  confidence,
  sources: z.array(z.string()).optional().describe("Where the rule comes from: source tags or URLs."),
  note: z.string().optional().describe("Anything a reader should know about this rule."),
};

const SIZE = /^[1-9]\d{1,4}x[1-9]\d{1,4}$/;
const size = z.string().regex(SIZE).describe("A width×height pair, as 1280x720.");

const durationSet = {
  values: z.array(z.number().positive()).min(1).optional().describe("Allowed durations in seconds."),
  range: z
    .object({ min: z.number().positive(), max: z.number().positive(), step: z.number().positive().optional() })
    .strict()
    .optional()
    .describe("Allowed durations as a range (step optional)."),
};

const reading = <T extends z.ZodRawShape>(extra: T) =>
  z
    .object({ source: z.string().describe("Who says so (source tag and what it is)."), ...extra })
    .strict()
    .describe("One source's reading of a disputed rule.");

const promptRule = z
  .object({
    ...meta,
    supported: z.boolean().describe("Whether the model takes this field."),
    required: z.boolean().optional().describe("Required in every request."),
    requiredWithoutFrames: z.boolean().optional().describe("Required unless a frame image is given."),
    min: z.number().int().nonnegative().optional(),
    max: z.number().int().positive().optional(),
    readings: z.array(reading({ supported: z.boolean() })).optional(),
  })
  .strict();

const priceRow = z
  .object({
    usd: z.number().nonnegative().describe("The price in USD, per `per`."),
    per: z.enum(["second", "clip"]).describe("second: multiplied by the duration; clip: the price of one result."),
    duration: z.number().positive().optional().describe("For per-clip rows: the duration this price is for."),
    resolution: z.string().optional().describe("The size class this row prices (720p, 1080p, 4K…), matched against the request's size or resolution."),
    sizes: z.array(size).optional().describe("The sizes this row prices, when a size class is not precise enough."),
    audio: z.boolean().optional().describe("true: the price with native audio on; false: with audio off."),
    source: z.enum(["documented", "observed", "derived", "third-party"]).describe("documented list price, observed in an example's response, derived from another figure, or third-party."),
    note: z.string().describe("Where the figure comes from, said plainly for people reading a plan."),
  })
  .strict();

const inputRule = z
  .object({
    ...meta,
    kind: z.enum(["image", "video", "audio", "id", "object"]).describe("What each item is."),
    max: z.number().int().positive().optional().describe("At most this many items."),
    list: z.boolean().optional().describe("A list (default) or a single value."),
  })
  .strict();

export const modelDefinitionSchema = z
  .object({
    $schema: z.string().optional(),
    air: z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9._-]+@[A-Za-z0-9._-]+$/).describe("The model's AIR identifier, as sent in `model`."),
    extends: z.string().optional().describe("In a project's models/ folder: start from this built-in model (its AIR) and change only what the file sets."),
    name: z.string().min(1),
    family: z.string().min(1).describe("Grouping for `clipform models` (Kling, Google Veo…)."),
    docsUrl: z.string().regex(/^https?:\/\/\S+$/).optional(),
    page: z.string().optional().describe("The model page kept in clipform's reference material, when there is one."),
    coverage: z.enum(["verified", "partial"]).describe("verified: the core rules come from Runware's own pages; partial: some are missing or third-party."),
    releaseDate: z.string().optional(),
    lifecycle: z
      .object({
        ...meta,
        status: z.enum(["active", "deprecated", "unknown"]),
        retires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().describe("Deactivation date (YYYY-MM-DD): warns before, rejects after when verified."),
      })
      .strict(),
    capabilities: z
      .object({
        ...meta,
        textToVideo: z.boolean(),
        imageToVideo: z.boolean(),
        audio: z.boolean().optional().describe("Generates native audio (usually through a provider setting)."),
      })
      .strict(),
    sizes: z
      .object({
        ...meta,
        values: z.array(size).describe("Allowed width×height pairs (the union, for a conflict)."),
        fromImage: z
          .enum(["never", "withFrames", "always"])
          .optional()
          .describe("always: never send width/height, the size comes from the frame image; withFrames: not with frame images; never: width/height are always allowed."),
        required: z.boolean().optional().describe("width/height (or resolution) must be sent."),
        readings: z.array(reading({ values: z.array(size) })).optional(),
      })
      .strict(),
    resolution: z
      .object({ ...meta, values: z.array(z.string()).min(1) })
      .strict()
      .optional()
      .describe("The `resolution` request parameter (720p…), never combined with width/height."),
    durations: z
      .object({
        ...meta,
        ...durationSet,
        bySize: z
          .array(z.object({ sizes: z.array(size).min(1), ...durationSet }).strict())
          .optional()
          .describe("Durations that depend on the size; sizes not listed use `values`/`range`."),
        default: z.number().positive().optional(),
        readings: z.array(reading(durationSet)).optional(),
      })
      .strict()
      .describe("Allowed durations: a list, a range, or per size. With none of them, any positive duration is accepted."),
    frames: z
      .object({
        ...meta,
        supported: z.boolean(),
        required: z.boolean(),
        max: z.number().int().nonnegative(),
        positions: z.array(z.enum(["first", "last"])),
        readings: z.array(reading({ positions: z.array(z.enum(["first", "last"])), max: z.number().int().optional() })).optional(),
      })
      .strict(),
    inputs: z.record(z.string(), inputRule).optional().describe("Other inputs (inputs.referenceImages, inputs.audio…) with their limits."),
    positivePrompt: promptRule,
    negativePrompt: promptRule,
    CFGScale: z
      .object({
        ...meta,
        supported: z.boolean(),
        min: z.number().optional(),
        max: z.number().optional(),
        step: z.number().positive().optional(),
        default: z.number().optional(),
      })
      .strict(),
    seed: z.object({ ...meta, supported: z.boolean(), min: z.number().int().optional(), max: z.number().int().optional() }).strict(),
    providerSettings: z
      .object({ ...meta, schema: z.record(z.string(), z.unknown()).describe("A JSON Schema for `providerSettings` (per provider key).") })
      .strict()
      .optional(),
    imageLimits: z
      .object({
        ...meta,
        minSide: z.number().int().positive().optional(),
        maxSide: z.number().int().positive().optional(),
        maxBytes: z.number().int().positive().optional(),
        formats: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    defaults: z
      .object({ outputFormat: z.string(), outputQuality: z.number().int() })
      .strict()
      .describe("What the API uses when a field is not sent."),
    prices: z
      .object({
        ...meta,
        audioSetting: z.string().optional().describe("The providerSettings path that turns native audio on (e.g. google.generateAudio)."),
        audioDefault: z.boolean().optional(),
        rows: z.array(priceRow),
      })
      .strict()
      .describe("Prices; none means unpriced (never counted as $0)."),
    disagreements: z.array(z.string()).optional().describe("Where the sources disagree, in words."),
    references: z
      .record(
        z.string(),
        z.object({ url: z.string().optional(), ref: z.string().optional(), date: z.string().optional(), note: z.string().optional() }).strict(),
      )
      .optional()
      .describe("The sources that rules cite by tag."),
  })
  .strict()
  .describe("A clipform model definition: what one Runware video model accepts and costs, with the source and confidence of each rule.");

export type ModelDefinition = z.infer<typeof modelDefinitionSchema>;
export type Confidence = z.infer<typeof confidence>;
export type PriceRow = z.infer<typeof priceRow>;
export type PromptRule = z.infer<typeof promptRule>;
export type DurationSet = { values?: number[]; range?: { min: number; max: number; step?: number } };
