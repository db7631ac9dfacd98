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
  if (name === "manifest") {
    // The per-model if/then blocks are editor hints (annotations only, src/models/editor-schema.ts):
    // they never change a result, and compiled they would triple the validator's load time.
    delete schema.properties.clips.additionalProperties.allOf;
    delete schema.properties.defaults.allOf;
    // `model` lists every built-in AIR (one literal each, for hover) beside the AIR pattern they
    // all match: for validation the pattern alone gives the same answer.
    const collapse = (node) => {
      if (!node || typeof node !== "object") return;
      if (Array.isArray(node.anyOf) && node.anyOf.every((b) => "const" in b || b.pattern)) {
        const pattern = node.anyOf.find((b) => b.pattern);
        if (pattern && node.anyOf.every((b) => b === pattern || new RegExp(pattern.pattern).test(b.const))) {
          delete node.anyOf;
          Object.assign(node, pattern);
        }
      }
      for (const v of Object.values(node)) collapse(v);
    };
    collapse(schema);
  }
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
