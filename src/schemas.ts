/** JSON Schemas published from the zod definitions (`npm run schemas` writes them to schemas/). */
import { zodToJsonSchema } from "zod-to-json-schema";
import { manifestSchema } from "./manifest/schema.js";
import { lockfileSchema } from "./lockfile/schema.js";
import { modelDefinitionSchema } from "./models/definition.js";

const BASE_ID = "https://clipform.dev/schemas";

function publish(schema: Parameters<typeof zodToJsonSchema>[0], id: string, title: string): Record<string, unknown> {
  const json = zodToJsonSchema(schema, { $refStrategy: "none", target: "jsonSchema7" }) as Record<string, unknown>;
  return { $schema: json.$schema, $id: `${BASE_ID}/${id}`, title, ...json };
}

export function manifestJsonSchema(): Record<string, unknown> {
  return publish(manifestSchema, "manifest.schema.json", "clipform manifest");
}

export function lockfileJsonSchema(): Record<string, unknown> {
  return publish(lockfileSchema, "lockfile.schema.json", "clipform lockfile");
}

export function modelJsonSchema(): Record<string, unknown> {
  return publish(modelDefinitionSchema, "model.schema.json", "clipform model definition");
}

export const PUBLISHED_SCHEMAS: Record<string, () => Record<string, unknown>> = {
  "manifest.schema.json": manifestJsonSchema,
  "lockfile.schema.json": lockfileJsonSchema,
  "model.schema.json": modelJsonSchema,
};
