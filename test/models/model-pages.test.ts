/**
 * The reference model pages: the example parser finds every (request, response) pair, and the
 * catalog agrees with what the pages document and what their examples were charged.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getModel, modelIds } from "../../src/models/catalog.js";
import { catalogPrice } from "../../src/models/prices.js";
import { checkVideoRequest } from "../../src/models/rules.js";
import { allExamples, loadModelPages, MODEL_PAGES_DIR, parseMarkdownPage, parseTextPage } from "../helpers/model-pages.js";

/** Counted by hand from the pages' "## Examples" sections (and the .txt page's inline objects). */
const EXPECTED: Record<string, { model: string; examples: number }> = {
  "klingai-1-0-pro.md": { model: "klingai:1@2", examples: 5 },
  "klingai-1-0-standard.md": { model: "klingai:1@1", examples: 3 },
  "klingai-1-5-standard.txt": { model: "klingai:2@1", examples: 4 },
  "klingai-1-6-standard.md": { model: "klingai:3@1", examples: 4 },
  "klingai-2-1-standard.md": { model: "klingai:5@1", examples: 5 },
};

const pageText = (file: string) => readFileSync(join(MODEL_PAGES_DIR, file), "utf8");

describe("model page parser", () => {
  it("resolves the reference folder from test/helpers", () => {
    expect(existsSync(join(MODEL_PAGES_DIR, "klingai-1-0-pro.md"))).toBe(true);
    expect(existsSync(join(MODEL_PAGES_DIR, "klingai-1-5-standard.txt"))).toBe(true);
  });

  it("finds the five pages with the right model and number of examples", () => {
    const pages = loadModelPages();
    expect(pages.map((p) => p.file)).toEqual(Object.keys(EXPECTED).sort());
    for (const p of pages) {
      expect({ file: p.file, model: p.modelId, examples: p.examples.length }).toEqual({ file: p.file, ...EXPECTED[p.file] });
    }
    expect(allExamples()).toHaveLength(21);
  });

  it("pairs each request with its own response, and every response has a cost", () => {
    const uuids = new Set<string>();
    for (const ex of allExamples()) {
      expect(ex.request.taskType).toBe("videoInference");
      expect(ex.response.taskType).toBe("videoInference");
      expect(ex.response.taskUUID).toBe(ex.request.taskUUID);
      expect(typeof ex.response.cost).toBe("number");
      expect(ex.response.cost as number).toBeGreaterThan(0);
      expect(typeof ex.response.videoUUID).toBe("string");
      expect(typeof ex.response.seed).toBe("number");
      expect(ex.response).not.toHaveProperty("model");
      expect(ex.title).not.toBe("");
      uuids.add(String(ex.request.taskUUID));
    }
    expect(uuids.size).toBe(21);
  });

  it("takes the titles from the pages", () => {
    const [pro, , txt] = loadModelPages();
    expect(pro!.examples.map((e) => e.title)).toContain("Lantern Tram Through Floodplain (Text to Video)");
    expect(txt!.examples.map((e) => e.title)).toEqual([
      "Windmill Lighthouse on Basalt",
      "Windblown Carnival Rooftop Chase",
      "Lantern Harbor Fog Regatta",
      "Grand Station Clock Atrium",
    ]);
  });

  it("skips the Markdown fragments and the inline fragments of the text page", () => {
    // Each .md page also has ```json fragments ("frameImages": [...]) that are not examples.
    for (const file of Object.keys(EXPECTED).filter((f) => f.endsWith(".md"))) {
      const blocks = pageText(file).match(/```json/g)!.length;
      expect(blocks).toBeGreaterThan(EXPECTED[file]!.examples * 2);
    }
    // The .txt page's prose holds `{ "image": …, "frame": "first" }` objects before the examples.
    expect(pageText("klingai-1-5-standard.txt")).toContain('{ "image": "aac49721');
  });

  it("rejects a request that is not followed by its response", () => {
    const md = '### T\n\n**Request**:\n\n```json\n{"taskType":"videoInference","taskUUID":"u1","model":"m"}\n```\n';
    expect(() => parseMarkdownPage("x.md", md)).toThrow(/not followed by its response/);
    const txt = 'T\n{"taskType":"videoInference","taskUUID":"u1","model":"m"}{"taskType":"videoInference","taskUUID":"u2","cost":1}';
    expect(() => parseTextPage("x.txt", txt)).toThrow(/not followed by its response/);
  });
});

describe("catalog against the model pages", () => {
  it("has every model that has a page, and the page of every model that names one", () => {
    const pages = loadModelPages();
    for (const p of pages) expect(getModel(p.modelId)?.page).toBe(p.file.replace(/\.(md|txt)$/, ""));
    const withPage = modelIds().filter((id) => getModel(id)!.page);
    expect(withPage.sort()).toEqual(pages.map((p) => p.modelId).sort());
  });

  it("every example request passes the shared rules with no errors", () => {
    for (const ex of allExamples()) {
      const errors = checkVideoRequest(ex.request).filter((i) => i.severity === "error");
      expect({ example: ex.title, errors }).toEqual({ example: ex.title, errors: [] });
    }
  });

  it("prices every example's request at exactly what the example was charged, as observed", () => {
    for (const ex of allExamples()) {
      const r = ex.request as { duration: number; width?: number; height?: number };
      const price = catalogPrice(getModel(ex.modelId)!, r);
      expect({ example: ex.title, usd: price?.usd, source: price?.source }).toEqual({ example: ex.title, usd: ex.response.cost, source: "observed" });
    }
  });

  it("marks a price observed only where an example at that duration exists", () => {
    for (const p of loadModelPages()) {
      const seen = new Set(p.examples.map((e) => e.request.duration as number));
      for (const row of getModel(p.modelId)!.prices.rows.filter((r) => r.per === "clip")) {
        expect({ id: p.modelId, duration: row.duration, observed: row.source === "observed" }).toEqual({ id: p.modelId, duration: row.duration, observed: seen.has(row.duration!) });
      }
    }
  });

  it("has the size table of each page that lists one, as a verified rule", () => {
    for (const p of loadModelPages()) {
      const rows = [...pageText(p.file).matchAll(/^\| `[^`]+` \| `(\d+)x(\d+)` \|$/gm)].map((m) => `${m[1]}x${m[2]}`);
      const model = getModel(p.modelId)!;
      if (rows.length > 0) expect({ page: p.file, sizes: model.sizes.values, confidence: model.sizes.confidence }).toEqual({ page: p.file, sizes: rows, confidence: "verified" });
      else expect(model.sizes.values.length).toBeGreaterThan(0);
    }
  });

  it("documents prompts and frame positions as the pages do", () => {
    for (const p of loadModelPages()) {
      const text = pageText(p.file);
      const model = getModel(p.modelId)!;
      const documentsPrompt = /request-positiveprompt|^positivePrompt$/m.test(text);
      expect({ page: p.file, required: model.positivePrompt.required === true }).toEqual({ page: p.file, required: documentsPrompt });
      const twoImages = /2 images\**: First and last frames/.test(text);
      expect({ page: p.file, max: model.frames.max }).toEqual({ page: p.file, max: twoImages ? 2 : 1 });
      expect(model.durations.values).toEqual([5, 10]);
    }
  });
});
