/**
 * The definition format of an image model (an `imageInference` model, for keyframes), written
 * once in zod like the video one (definition.ts): one JSON file per model in `models/images/`,
 * published as schemas/image-model.schema.json. Rules carry a confidence as video rules do:
 * `verified` rejects, `conflict` accepts the union of its readings and warns, `unconfirmed` warns.
 */
import { z } from "zod";

const confidence = z.enum(["verified", "conflict", "unconfirmed"]);
const meta = {
  confidence,
  sources: z.array(z.string()).optional().describe("Where the rule comes from: source tags (see `references`)."),
  note: z.string().optional(),
};

const dimensionReading = z
  .object({ source: z.string(), min: z.number().int().positive(), max: z.number().int().positive(), multipleOf: z.number().int().positive() })
  .strict();

const range = (what: string) =>
  z
    .object({ ...meta, supported: z.boolean(), min: z.number().optional(), max: z.number().optional(), default: z.number().optional() })
    .strict()
    .describe(what);

const imagePriceRow = z
  .object({
    usd: z.number().nonnegative().describe("USD for one image of `width`×`height` at `steps` steps."),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    steps: z.number().int().positive().optional().describe("The step count the figure is for; other counts scale linearly with steps."),
    source: z.enum(["documented", "observed", "derived", "third-party"]),
    note: z.string(),
  })
  .strict()
  .describe("One price point. Other sizes and step counts are derived from it by pixel count × steps (labelled derived).");

export const imageModelDefinitionSchema = z
  .object({
    $schema: z.string().optional(),
    kind: z.literal("image").describe("An image model: its requests are imageInference tasks."),
    air: z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9._-]+@[A-Za-z0-9._-]+$/),
    name: z.string().min(1),
    family: z.string().min(1),
    docsUrl: z.string().regex(/^https?:\/\/\S+$/).optional(),
    coverage: z.enum(["verified", "partial"]),
    lifecycle: z.object({ ...meta, status: z.enum(["active", "deprecated", "unknown"]) }).strict(),
    delivery: z
      .object({ ...meta, async: z.boolean().describe("deliveryMethod async is accepted, with getResponse polling.") })
      .strict(),
    dimensions: z
      .object({
        ...meta,
        min: z.number().int().positive(),
        max: z.number().int().positive(),
        multipleOf: z.number().int().positive(),
        readings: z.array(dimensionReading).optional().describe("For a conflict: each source's range and multiple; `min`/`max`/`multipleOf` hold their union."),
      })
      .strict()
      .describe("width and height: both required, each in min–max and a multiple of multipleOf."),
    positivePrompt: z.object({ ...meta, min: z.number().int().positive(), max: z.number().int().positive() }).strict(),
    negativePrompt: z.object({ ...meta, supported: z.boolean(), min: z.number().int().positive().optional(), max: z.number().int().positive().optional() }).strict(),
    steps: range("Inference steps."),
    CFGScale: range("Guidance scale."),
    seed: range("Seed (an input; every result reports the one used)."),
    outputFormats: z.object({ ...meta, values: z.array(z.enum(["JPG", "PNG", "WEBP"])).min(1), default: z.enum(["JPG", "PNG", "WEBP"]) }).strict(),
    prices: z.object({ ...meta, rows: z.array(imagePriceRow) }).strict().describe("Prices; none means unpriced (never counted as $0)."),
    disagreements: z.array(z.string()).optional(),
    references: z.record(z.string(), z.object({ url: z.string().optional(), date: z.string().optional(), note: z.string().optional() }).strict()).optional(),
  })
  .strict()
  .describe("A clipform image model definition: what one Runware image model (imageInference) accepts and costs, with the source and confidence of each rule.");

export type ImageModelDefinition = z.infer<typeof imageModelDefinitionSchema>;
export type ImagePriceRow = z.infer<typeof imagePriceRow>;
