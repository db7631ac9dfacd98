#!/usr/bin/env node
// Compiles the committed JSON Schemas (schemas/*.json) into standalone ajv validators in
// dist/validators/, so the CLI validates with exactly the schema editors use, without paying
// ajv's compile time on every run.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "validators");
mkdirSync(out, { recursive: true });
for (const name of ["manifest", "lockfile"]) {
  const schema = JSON.parse(readFileSync(join(root, "schemas", `${name}.schema.json`), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true, esm: true } });
  ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  const validate = ajv.compile(schema);
  // ajv's ESM output still require()s its small runtime helpers: give the module a require.
  const header = `// Generated from schemas/${name}.schema.json by scripts/build-validators.js. Do not edit.\nimport { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);\n`;
  writeFileSync(join(out, `${name}.js`), header + standaloneCode.default(ajv, validate).replace(/^"use strict";/, ""));
}

// A project's own model definitions are rare: that validator is CommonJS, so it can be required
// synchronously on demand instead of being imported by every run.
{
  const schema = JSON.parse(readFileSync(join(root, "schemas", "model.schema.json"), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true } });
  const validate = ajv.compile(schema);
  writeFileSync(join(out, "model.cjs"), `// Generated from schemas/model.schema.json by scripts/build-validators.js. Do not edit.\n${standaloneCode.default(ajv, validate)}`);
}
