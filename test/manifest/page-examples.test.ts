/**
 * Every real request from the model pages, written as a manifest clip (the request minus
 * taskType/taskUUID; frame image URLs stay URLs), validates without errors. The only warnings
 * allowed are for a positivePrompt on klingai:5@1, whose sources disagree on it.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { emptyLockfile } from "../../src/lockfile/io.js";
import { plan } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { allExamples, requestToClipFields, type Json } from "../helpers/model-pages.js";
import { cleanupProjectsAfterEach, errorsOf, loadOne, valuePos, warningsOf } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const UNDOCUMENTED_PROMPTS = new Set(["klingai:5@1"]);
const manifestOf = (clips: Record<string, Json>) => stringify({ version: 1, clips }, { lineWidth: 0 });

describe("model page examples as manifests", () => {
  for (const ex of allExamples()) {
    it(`${ex.page}: ${ex.title}`, () => {
      const fields = requestToClipFields(ex.request);
      const yaml = manifestOf({ example: fields });
      const project = loadOne(yaml);

      expect(errorsOf(project)).toEqual([]);
      if (UNDOCUMENTED_PROMPTS.has(ex.modelId) && "positivePrompt" in fields) {
        expect(warningsOf(project)).toEqual([
          {
            file: "specs/main.yaml",
            ...valuePos(yaml, "positivePrompt"),
            severity: "warning",
            code: "undocumentedParameter",
            message: expect.stringMatching(new RegExp(`^${ex.modelId} may not take positivePrompt: the sources disagree: .* says it is not; .* says it is taken$`)),
          },
        ]);
      } else {
        expect(warningsOf(project)).toEqual([]);
      }

      expect(project.clips).toHaveLength(1);
      const clip = project.clips[0]!;
      expect(clip.address).toBe("example");
      expect(clip.numberResults).toBe(1);
      const { inputs, ...plain } = fields as Json & { inputs?: { frameImages: { image: string; frame: string }[] } };
      const frames = (inputs?.frameImages ?? []).map((f) => ({ frame: f.frame, image: f.image }));
      expect(clip.generation).toEqual({ outputFormat: "MP4", outputQuality: 95, ...plain, ...(frames.length ? { frameImages: frames } : {}) });
      expect(clip.frameImages).toEqual((inputs?.frameImages ?? []).map((f) => ({ frame: f.frame, kind: "url", ref: f.image })));
      expect(clip.fingerprint).toMatch(/^v1:[0-9a-f]{64}$/);
    });
  }

  it("a klingai:2@1 example given a positivePrompt gets exactly one error, at the prompt (verified: the model takes none)", () => {
    const ex = allExamples().find((e) => e.modelId === "klingai:2@1")!;
    const fields = { ...requestToClipFields(ex.request), positivePrompt: "The windmill sails turn slowly in the sea wind" };
    expect(ex.request).not.toHaveProperty("positivePrompt");
    const yaml = manifestOf({ example: fields });
    const project = loadOne(yaml);
    expect(warningsOf(project)).toEqual([]);
    expect(errorsOf(project).map((d) => ({ line: d.line, col: d.col, code: d.code, message: d.message }))).toEqual([
      { ...valuePos(yaml, "positivePrompt"), code: "unsupportedParameter", message: "klingai:2@1 does not take positivePrompt: remove it" },
    ]);
    expect(project.clips).toHaveLength(0);
  });

  it("one manifest holding all 21 examples, written as JSON inside YAML: no errors, one warning per prompted klingai:5@1 example", () => {
    const examples = allExamples();
    const ids = examples.map((e, i) => `${e.page.replace(/\.(md|txt)$/, "")}-${i}`);
    const lines = ["version: 1", "clips:"];
    examples.forEach((e, i) => lines.push(`  ${ids[i]}: ${JSON.stringify(requestToClipFields(e.request))}`));
    const yaml = lines.join("\n") + "\n";
    const project = loadOne(yaml);

    expect(errorsOf(project)).toEqual([]);
    const prompted = examples.map((e, i) => ({ e, line: i + 3 })).filter(({ e }) => UNDOCUMENTED_PROMPTS.has(e.modelId) && "positivePrompt" in e.request);
    expect(prompted).toHaveLength(5);
    expect(warningsOf(project).map((d) => ({ line: d.line, col: d.col, code: d.code }))).toEqual(
      prompted.map(({ line }) => {
        const text = lines[line - 1]!;
        return { line, col: text.indexOf('"positivePrompt":') + '"positivePrompt":'.length + 1, code: "undocumentedParameter" };
      }),
    );
    expect(project.clips.map((c) => c.address)).toEqual([...ids].sort());
    expect(new Set(project.clips.map((c) => c.fingerprint)).size).toBe(21);
  });
});

describe("the plan's estimate for each model page example", () => {
  it("equals what the API charged in that example", () => {
    const examples = allExamples();
    const clips = Object.fromEntries(examples.map((ex, i) => [`ex-${i}`, requestToClipFields(ex.request)]));
    const project = loadOne(manifestOf(clips));
    expect(errorsOf(project)).toEqual([]);
    const p = plan({ clips: project.clips, lock: emptyLockfile(), prices: priceBook(emptyLockfile()) });
    const estimates = examples.map((ex, i) => ({ example: `${ex.page}: ${ex.title}`, usd: p.changes.find((c) => c.address === `ex-${i}`)!.estimate!.usd }));
    expect(estimates).toEqual(examples.map((ex) => ({ example: `${ex.page}: ${ex.title}`, usd: ex.response.cost })));
  });
});
