/** JSON Schemas published from the zod definitions (`npm run schemas` writes them to schemas/). */
import { zodToJsonSchema } from "zod-to-json-schema";
import { manifestSchema } from "./manifest/schema.js";
import { lockfileSchema } from "./lockfile/schema.js";
import { modelDefinitionSchema } from "./models/definition.js";
import { imageModelDefinitionSchema } from "./models/image-definition.js";
import { builtinCatalog } from "./models/catalog.js";
import { perModelHints } from "./models/editor-schema.js";

/** The parts of a published JSON Schema this file adds to. */
interface SchemaNode {
  [key: string]: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  allOf?: unknown[];
}

const BASE_ID = "https://clipform.dev/schemas";

function publish(schema: Parameters<typeof zodToJsonSchema>[0], id: string, title: string): Record<string, unknown> {
  const json = zodToJsonSchema(schema, { $refStrategy: "none", target: "jsonSchema7" }) as Record<string, unknown>;
  return { $schema: json.$schema, $id: `${BASE_ID}/${id}`, title, ...json };
}

export function manifestJsonSchema(): Record<string, unknown> {
  const schema = publish(manifestSchema, "manifest.schema.json", "clipform manifest") as SchemaNode;
  // Editors: per-model completions and hover (annotations only; the model rules decide).
  const hints = perModelHints(builtinCatalog().all());
  const clip = schema.properties?.clips?.additionalProperties;
  const defaults = schema.properties?.defaults;
  // The schema drift test fails first if the manifest schema ever loses these.
  if (typeof clip !== "object" || !defaults) throw new Error("the manifest schema has no clips or defaults to annotate");
  clip.allOf = hints;
  defaults.allOf = hints;
  return schema;
}

export function lockfileJsonSchema(): Record<string, unknown> {
  return publish(lockfileSchema, "lockfile.schema.json", "clipform lockfile");
}

export function modelJsonSchema(): Record<string, unknown> {
  return publish(modelDefinitionSchema, "model.schema.json", "clipform model definition");
}

export function imageModelJsonSchema(): Record<string, unknown> {
  return publish(imageModelDefinitionSchema, "image-model.schema.json", "clipform image model definition");
}

export const PUBLISHED_SCHEMAS: Record<string, () => Record<string, unknown>> = {
  "manifest.schema.json": manifestJsonSchema,
  "lockfile.schema.json": lockfileJsonSchema,
  "model.schema.json": modelJsonSchema,
  "image-model.schema.json": imageModelJsonSchema,
};
