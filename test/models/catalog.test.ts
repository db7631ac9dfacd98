/**
 * The built-in definitions (models/*.json) are valid against schemas/model.schema.json, one per
 * model, named after their AIR, and every rule that cites a source names one the file lists.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import { builtinCatalog, modelIds } from "../../src/models/catalog.js";

const dir = fileURLToPath(new URL("../../models/", import.meta.url));
const schema = JSON.parse(readFileSync(fileURLToPath(new URL("../../schemas/model.schema.json", import.meta.url)), "utf8"));
const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

describe("built-in model definitions", () => {
  it("each file validates against the model schema", () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    for (const f of files) {
      const data = JSON.parse(readFileSync(`${dir}/${f}`, "utf8"));
      const ok = validate(data);
      expect({ file: f, errors: ok ? [] : validate.errors }).toEqual({ file: f, errors: [] });
    }
  });

  it("one file per model, named after its AIR", () => {
    expect(files.length).toBe(modelIds().length);
    for (const m of builtinCatalog().all()) expect(m.origin).toBe(`built-in (models/${m.air.replace(/[:@]/g, "-")}.json)`);
  });

  it("every rule's sources are listed in the file's references", () => {
    for (const m of builtinCatalog().all()) {
      const known = new Set(Object.keys(m.references ?? {}));
      for (const [name, rule] of Object.entries(m)) {
        const sources = (rule as { sources?: string[] } | undefined)?.sources ?? [];
        for (const s of sources) expect({ model: m.air, rule: name, source: s, known: known.has(s) }).toEqual({ model: m.air, rule: name, source: s, known: true });
      }
    }
  });
});
