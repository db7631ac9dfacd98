/**
 * The JSON Schema validators: ajv code generated at build time (scripts/build-validators.js)
 * from the committed schemas/*.json, the same files editors use. Loaded from dist/ both when
 * running the built CLI and under the test runner (npm test builds first).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ErrorObject } from "ajv";

export interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export type SchemaName = "manifest" | "lockfile" | "model";

const ROOT = new URL("../../", import.meta.url);

export async function loadValidator(name: SchemaName): Promise<Validator> {
  const url = new URL(`dist/validators/${name}.js`, ROOT);
  try {
    return ((await import(url.href)) as { validate: Validator }).validate;
  } catch (e) {
    throw new Error(`clipform is not built: ${url.pathname} is missing (run \`npm run build\`): ${(e as Error).message}`);
  }
}

/**
 * The same, loaded synchronously (a CommonJS build of the validator): for schemas needed only
 * sometimes, such as a project's own model definitions, so that runs without them never load it.
 */
export function loadValidatorSync(name: SchemaName): Validator {
  const url = new URL(`dist/validators/${name}.cjs`, ROOT);
  try {
    return createRequire(import.meta.url)(url.pathname) as Validator;
  } catch (e) {
    throw new Error(`clipform is not built: ${url.pathname} is missing (run \`npm run build\`): ${(e as Error).message}`);
  }
}

const schemas = new Map<SchemaName, Record<string, unknown>>();

/** The schema itself, for turning validator errors into messages (read only when there are errors). */
export function loadSchema(name: SchemaName): Record<string, unknown> {
  let s = schemas.get(name);
  if (!s) {
    s = JSON.parse(readFileSync(new URL(`schemas/${name}.schema.json`, ROOT), "utf8")) as Record<string, unknown>;
    schemas.set(name, s);
  }
  return s;
}
