/** The image models as data: each definition checked against its schema, its sources cited, listed by `clipform models`. */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/models/catalog.js";
import { imageModelDefinitionSchema } from "../../src/models/image-definition.js";
import { cli, project } from "../helpers/cli.js";

const dir = new URL("../../models/images/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

describe("image model catalog", () => {
  it("has runware:101@1 and a few other FLUX models, each valid against the image model schema", () => {
    expect(builtinCatalog().images().map((m) => m.air)).toEqual(["runware:100@1", "runware:101@1", "runware:107@1"]);
    expect(files).toHaveLength(3);
    for (const f of files) {
      const parsed = imageModelDefinitionSchema.safeParse(JSON.parse(readFileSync(new URL(f, dir), "utf8")));
      expect(parsed.success ? "ok" : `${f}: ${parsed.error.message}`).toBe("ok");
    }
  });

  it("every rule's sources are defined references; every price says where it comes from", () => {
    for (const m of builtinCatalog().images()) {
      const refs = new Set(Object.keys(m.references ?? {}));
      const rules = [m.lifecycle, m.delivery, m.dimensions, m.positivePrompt, m.negativePrompt, m.steps, m.CFGScale, m.seed, m.outputFormats, m.prices];
      for (const r of rules) for (const s of r.sources ?? []) expect(`${m.air} ${s}: ${refs.has(s)}`).toBe(`${m.air} ${s}: true`);
      for (const row of m.prices.rows) expect(row.note.length).toBeGreaterThan(10);
    }
  });

  it("image and video AIRs never overlap, and every image model is sent async (it can be polled)", () => {
    const c = builtinCatalog();
    for (const m of c.images()) {
      expect(c.get(m.air)).toBeUndefined();
      expect(m.delivery.async).toBe(true);
    }
  });

  it("`clipform models` lists them; `clipform models AIR` shows one with its sources", async () => {
    const cwd = project({ "clipform.yaml": "version: 1\n" });
    const list = await cli(["models"], { cwd });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/Image models \(keyframes[^\n]*\n {2}runware:100@1 {2}FLUX\.1 \[schnell\][\s\S]*price unpriced[\s\S]*runware:107@1 {2}FLUX\.1 Krea \[dev\][\s\S]*\$0\.0098 per image \(1024x1024 · 28 steps\) documented/);
    const one = await cli(["models", "runware:101@1"], { cwd });
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/width, height\s+required; 512–2048 px per side, multiples of 16 \[conflict\]/);
    expect(one.stdout).toMatch(/RW-skill-flux-dev\s+https:\/\/github\.com\/Runware\/runware-skills/);
  });
});
