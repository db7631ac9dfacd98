/**
 * The committed JSON Schemas (what editors and the CLI's ajv validation read) are exactly what
 * the zod definitions produce now, and they are not the silently empty output that
 * zod-to-json-schema gives for the wrong zod version. Run `npm run schemas` after changing the
 * zod schemas.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lockfileJsonSchema, manifestJsonSchema, modelJsonSchema, PUBLISHED_SCHEMAS } from "../../src/schemas.js";
import { CLIP_FIELD_NAMES } from "../../src/manifest/fields.js";
import { Ajv } from "ajv";
import { loadValidator } from "../../src/util/validators.js";
import { modelIds } from "../../src/models/catalog.js";

type Schema = Record<string, any>;

const committed = (name: string): Schema => JSON.parse(readFileSync(fileURLToPath(new URL(`../../schemas/${name}`, import.meta.url)), "utf8"));

describe("published schemas", () => {
  it("schemas/manifest.schema.json is what manifestJsonSchema() produces now", () => {
    expect(committed("manifest.schema.json")).toEqual(JSON.parse(JSON.stringify(manifestJsonSchema())));
  });

  it("schemas/lockfile.schema.json is what lockfileJsonSchema() produces now", () => {
    expect(committed("lockfile.schema.json")).toEqual(JSON.parse(JSON.stringify(lockfileJsonSchema())));
  });

  it("schemas/model.schema.json is what modelJsonSchema() produces now", () => {
    expect(committed("model.schema.json")).toEqual(JSON.parse(JSON.stringify(modelJsonSchema())));
  });

  it("publishes exactly those four files", () => {
    expect(Object.keys(PUBLISHED_SCHEMAS).sort()).toEqual(["image-model.schema.json", "lockfile.schema.json", "manifest.schema.json", "model.schema.json"]);
  });

  it("the CLI's precompiled manifest validator (dist/validators) agrees with the committed schema", async () => {
    const cli = await loadValidator("manifest");
    const fresh = new Ajv({ allErrors: true, strict: false }).compile(committed("manifest.schema.json"));
    const clip = { model: "klingai:1@2", positivePrompt: "A quiet harbor" };
    const corpus: unknown[] = [
      { version: 1, clips: { a: clip } },
      { version: 1, clips: { a: { ...clip, outputFormat: "GIF", colour: "teal" } } },
      { version: 2, clips: {} },
      { version: 1, clips: { a: { ...clip, inputs: { frameImages: [{ image: "x.png", frame: "middle" }] } } } },
      { version: 1, clips: { a: { ...clip, matrix: { style: ["noir"], size: { hd: { width: 1920, height: 1080 } } } } } },
      { version: 1, defaults: { ttl: 30 }, variables: { v: 1 }, budget: { maxCost: 0 }, clips: { "bad id!": clip } },
      { version: 1, clips: { a: { ...clip, description: "note", numberResults: 5, CFGScale: 1.5, outputQuality: 10 } } },
      { version: 1, clips: { a: { ...clip, model: "klingai:9@9", webhookURL: "ftp://x", safety: { mode: "paranoid" } } } },
    ];
    const summary = (v: { (d: unknown): boolean; errors?: { instancePath: string; keyword: string }[] | null }, d: unknown) =>
      v(d) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`).sort();
    for (const data of corpus) expect(summary(cli as never, data)).toEqual(summary(fresh as never, data));
    expect(summary(cli as never, corpus[0])).toEqual([]);
    expect(summary(cli as never, corpus[1]).length).toBeGreaterThan(0);
  });

  describe("are not empty", () => {
    const manifest = manifestJsonSchema() as Schema;
    const clip = manifest.properties?.clips?.additionalProperties as Schema | undefined;

    it("the manifest schema has its top-level properties and ids", () => {
      expect(manifest.$schema).toBe("http://json-schema.org/draft-07/schema#");
      expect(manifest.$id).toBe("https://clipform.dev/schemas/manifest.schema.json");
      expect(Object.keys(manifest.properties ?? {}).sort()).toEqual(["budget", "clips", "defaults", "imageDefaults", "images", "sequences", "variables", "version", "warnings"]);
      expect(manifest.required).toEqual(["version"]);
      expect(manifest.additionalProperties).toBe(false);
    });

    it("a clip has every clip field, plus description and matrix, each with a non-empty description", () => {
      expect(clip).toBeDefined();
      const props = clip!.properties as Record<string, Schema>;
      expect(Object.keys(props).sort()).toEqual([...CLIP_FIELD_NAMES, "description", "matrix"].sort());
      for (const [name, p] of Object.entries(props)) {
        expect({ name, description: typeof p.description === "string" && p.description.trim().length > 0 }).toEqual({ name, description: true });
      }
      expect(clip!.additionalProperties).toBe(false);
    });

    it("defaults accept the same clip fields, with descriptions", () => {
      const props = manifest.properties.defaults.properties as Record<string, Schema>;
      expect(Object.keys(props).sort()).toEqual([...CLIP_FIELD_NAMES].sort());
      for (const p of Object.values(props)) expect(String(p.description ?? "")).not.toBe("");
    });

    it("the model field offers every built-in model, each with its own hover text, and accepts a project's own", () => {
      const branches = clip!.properties.model.anyOf as Schema[];
      const literals = branches.filter((b) => "const" in b);
      expect(literals.map((b) => b.const)).toEqual(modelIds());
      for (const b of literals) expect(String(b.description)).toMatch(/Sizes: .*Durations: .*Price: /);
      expect(branches.filter((b) => !("const" in b))).toEqual([expect.objectContaining({ type: "string", pattern: expect.any(String) })]);
    });

    it("editors get each model's durations, sizes and provider settings when the clip names it (hints only)", () => {
      const blocks = clip!.allOf as Schema[];
      expect(blocks.map((b) => b.if.properties.model.const)).toEqual(modelIds());
      const veo = blocks.find((b) => b.if.properties.model.const === "google:3@3")!.then.properties;
      expect(veo.duration.examples).toEqual([4, 6, 7, 8]);
      expect(veo.width.examples).toEqual(expect.arrayContaining([1280, 1920, 3840]));
      expect(veo.providerSettings.properties.google.properties.generateAudio).toEqual({ description: expect.stringContaining("boolean"), examples: [true, false] });
      expect(veo.CFGScale.description).toMatch(/takes no CFGScale/);
      // Annotations only: no keyword in a hint block may reject anything.
      const constraining = JSON.stringify(blocks.map((b) => b.then)).match(/"(type|enum|const|minimum|maximum|pattern|required|additionalProperties)"/g);
      expect(constraining).toBeNull();
      expect((manifest.properties.defaults.allOf as Schema[]).length).toBe(modelIds().length);
    });

    it("the model schema is not empty and names every rule of a definition", () => {
      const model = modelJsonSchema() as Schema;
      expect(model.$id).toBe("https://clipform.dev/schemas/model.schema.json");
      expect(Object.keys(model.properties ?? {})).toEqual(expect.arrayContaining(["air", "sizes", "durations", "frames", "CFGScale", "seed", "providerSettings", "prices", "lifecycle"]));
      expect(model.required).toEqual(expect.arrayContaining(["air", "sizes", "durations", "prices"]));
    });

    it("the lockfile schema has clips and the format version", () => {
      const lock = lockfileJsonSchema() as Schema;
      expect(lock.$id).toBe("https://clipform.dev/schemas/lockfile.schema.json");
      expect(lock.properties?.clips).toBeDefined();
      expect(lock.properties?.format_version).toBeDefined();
      expect(Object.keys(lock.properties?.clips?.additionalProperties?.properties ?? {}).length).toBeGreaterThan(3);
      expect(String(lock.description ?? "")).not.toBe("");
    });
  });
});
