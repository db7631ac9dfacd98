/**
 * The shared request rules, called directly: what each rule rejects, with which code, at which
 * path in the task, and as error or warning. The manifest tests check the same rules end to end
 * with line and column.
 */
import { describe, expect, it } from "vitest";
import { checkVideoRequest, frameImagesOf, normalizeFrame, resolveFramePositions, type RuleIssue } from "../../src/models/rules.js";
import { getModel, modelIds } from "../../src/models/catalog.js";

const base = { model: "klingai:1@2", positivePrompt: "a calm harbor at dawn" };
const brief = (issues: RuleIssue[]) => issues.map((i) => ({ severity: i.severity, code: i.code, path: i.path }));
const only = (req: Record<string, unknown>) => brief(checkVideoRequest(req));

describe("checkVideoRequest", () => {
  it("accepts a minimal text-to-video request and a full one", () => {
    expect(only(base)).toEqual([]);
    expect(
      only({
        ...base,
        negativePrompt: "blur",
        width: 720,
        height: 1280,
        duration: 10,
        CFGScale: 0.63,
        numberResults: 4,
        outputType: "URL",
        outputFormat: "WEBM",
        outputQuality: 20,
        deliveryMethod: "async",
        includeCost: true,
        webhookURL: "https://hooks.example.com/x",
        uploadEndpoint: "http://bucket.example.com/put",
        ttl: 60,
        safety: { checkContent: true, mode: "full" },
        inputs: { frameImages: ["https://x.test/a.jpg", { image: "https://x.test/b.jpg", frame: -1 }] },
      }),
    ).toEqual([]);
  });

  it("requires a model and names the closest one when it is unknown", () => {
    expect(only({ positivePrompt: "hi there" })).toEqual([{ severity: "error", code: "missingModel", path: ["model"] }]);
    const [issue] = checkVideoRequest({ ...base, model: "kling:5@1" });
    expect(issue).toMatchObject({ severity: "error", code: "invalidModel", path: ["model"], allowedValues: modelIds() });
    expect(issue!.message).toMatch(/unknown model "kling:5@1"; did you mean "klingai:5@1"\?/);
    expect(checkVideoRequest({ ...base, model: "runway:gen3" })[0]!.message).not.toMatch(/did you mean/);
  });

  it("pairs width and height", () => {
    expect(only({ ...base, width: 1280 })).toEqual([{ severity: "error", code: "missingHeight", path: ["width"] }]);
    expect(only({ ...base, height: 720 })).toEqual([{ severity: "error", code: "missingWidth", path: ["height"] }]);
  });

  it("rejects sizes outside a verified table", () => {
    expect(only({ ...base, width: 1920, height: 1080 })).toEqual([{ severity: "error", code: "invalidWidth", path: ["width"] }]);
    expect(only({ ...base, width: 720, height: 1280 })).toEqual([]);
    const i2v = { model: "klingai:2@1", inputs: { frameImages: ["https://x.test/a.jpg"] } };
    expect(only({ ...i2v, width: 1920, height: 1080 })).toEqual([{ severity: "error", code: "invalidWidth", path: ["width"] }]);
    expect(only({ ...i2v, width: 1280, height: 720 })).toEqual([]);
    expect(only({ ...base, width: 1280.5, height: 720 })).toEqual([{ severity: "error", code: "invalidWidth", path: ["width"] }]);
  });

  it("allows only the model's durations", () => {
    for (const d of [5, 10]) expect(only({ ...base, duration: d })).toEqual([]);
    for (const d of [7, 0, -5, 5.5, "5"]) expect(only({ ...base, duration: d })).toEqual([{ severity: "error", code: "unsupportedDuration", path: ["duration"] }]);
  });

  it("checks CFGScale range and its 0.01 step", () => {
    for (const v of [0, 0.01, 0.07, 0.29, 0.5, 0.63, 0.99, 1]) expect({ v, issues: only({ ...base, CFGScale: v }) }).toEqual({ v, issues: [] });
    for (const v of [1.5, -0.1, 0.555, 0.001, "0.5"]) {
      expect({ v, issues: only({ ...base, CFGScale: v }) }).toEqual({ v, issues: [{ severity: "error", code: "invalidCFGScale", path: ["CFGScale"] }] });
    }
    expect(checkVideoRequest({ ...base, CFGScale: 0.555 })[0]!.message).toMatch(/not a multiple of 0\.01/);
  });

  it("checks numberResults, outputFormat, outputQuality, outputType, deliveryMethod, ttl, includeCost and URLs", () => {
    const cases: [Record<string, unknown>, string, (string | number)[]][] = [
      [{ numberResults: 5 }, "invalidNumberResults", ["numberResults"]],
      [{ numberResults: 0 }, "invalidNumberResults", ["numberResults"]],
      [{ numberResults: 1.5 }, "invalidNumberResults", ["numberResults"]],
      [{ outputFormat: "GIF" }, "invalidOutputFormat", ["outputFormat"]],
      [{ outputFormat: "mp4" }, "invalidOutputFormat", ["outputFormat"]],
      [{ outputQuality: 10 }, "invalidOutputQuality", ["outputQuality"]],
      [{ outputQuality: 100 }, "invalidOutputQuality", ["outputQuality"]],
      [{ outputType: "base64Data" }, "invalidOutputType", ["outputType"]],
      [{ deliveryMethod: "sync" }, "invalidDeliveryMethod", ["deliveryMethod"]],
      [{ ttl: 30 }, "invalidTtl", ["ttl"]],
      [{ includeCost: "yes" }, "invalidIncludeCost", ["includeCost"]],
      [{ webhookURL: "ftp://x.test/hook" }, "invalidWebhookURL", ["webhookURL"]],
      [{ uploadEndpoint: "not a url" }, "invalidUploadEndpoint", ["uploadEndpoint"]],
      [{ safety: { mode: "paranoid" } }, "invalidSafetyMode", ["safety", "mode"]],
      [{ safety: { checkContent: "yes" } }, "invalidCheckContent", ["safety", "checkContent"]],
      [{ safety: "full" }, "invalidSafety", ["safety"]],
    ];
    for (const [extra, code, path] of cases) {
      expect({ extra, issues: only({ ...base, ...extra }) }).toEqual({ extra, issues: [{ severity: "error", code, path }] });
    }
    const gif = checkVideoRequest({ ...base, outputFormat: "GIF" })[0]!;
    expect(gif.message).toBe('outputFormat "GIF" is not supported (allowed: MP4, WEBM, MOV)');
    expect(gif.allowedValues).toEqual(["MP4", "WEBM", "MOV"]);
  });

  it("checks prompt length 2..2500 and requires positivePrompt where the page says so", () => {
    expect(only({ ...base, positivePrompt: "ab" })).toEqual([]);
    expect(only({ ...base, positivePrompt: "x".repeat(2500) })).toEqual([]);
    expect(only({ ...base, positivePrompt: "a" })).toEqual([{ severity: "error", code: "invalidPositivePrompt", path: ["positivePrompt"] }]);
    expect(only({ ...base, positivePrompt: "x".repeat(2501) })).toEqual([{ severity: "error", code: "invalidPositivePrompt", path: ["positivePrompt"] }]);
    expect(only({ ...base, negativePrompt: "x" })).toEqual([{ severity: "error", code: "invalidNegativePrompt", path: ["negativePrompt"] }]);
    for (const model of ["klingai:1@1", "klingai:1@2", "klingai:3@1"]) {
      expect(only({ model })).toEqual([{ severity: "error", code: "missingPositivePrompt", path: ["positivePrompt"] }]);
    }
  });

  it("rejects a prompt the model verifiably does not take, and warns where the sources disagree", () => {
    const frames = { inputs: { frameImages: ["https://x.test/a.jpg"] } };
    expect(only({ model: "klingai:2@1", positivePrompt: "a heron lifts off", ...frames })).toEqual([{ severity: "error", code: "unsupportedParameter", path: ["positivePrompt"] }]);
    const disputed = checkVideoRequest({ model: "klingai:5@1", positivePrompt: "a heron lifts off", ...frames });
    expect(brief(disputed)).toEqual([{ severity: "warning", code: "undocumentedParameter", path: ["positivePrompt"] }]);
    expect(disputed[0]!.message).toMatch(/the sources disagree: .*says it is not; .*says it is taken/);
    expect(only({ model: "klingai:5@1", negativePrompt: "blur", ...frames })).toEqual([{ severity: "error", code: "unsupportedParameter", path: ["negativePrompt"] }]);
  });

  it("requires a frame image on image-to-video-only models", () => {
    for (const model of ["klingai:2@1", "klingai:5@1"]) {
      expect(only({ model })).toEqual([{ severity: "error", code: "missingFrameImages", path: ["model"] }]);
      expect(only({ model, inputs: { frameImages: [] } })).toEqual([{ severity: "error", code: "missingFrameImages", path: ["inputs", "frameImages"] }]);
    }
  });

  it("checks frame image count, positions and duplicates", () => {
    const with_ = (model: string, frameImages: unknown[]) =>
      only({ model, positivePrompt: "a calm harbor", inputs: { frameImages } }).filter((i) => i.severity === "error");
    expect(with_("klingai:3@1", [{ image: "https://x.test/a.jpg", frame: "last" }])).toEqual([
      { severity: "error", code: "invalidFramePosition", path: ["inputs", "frameImages", 0, "frame"] },
    ]);
    expect(with_("klingai:3@1", [{ image: "https://x.test/a.jpg", frame: -1 }])).toEqual([
      { severity: "error", code: "invalidFramePosition", path: ["inputs", "frameImages", 0, "frame"] },
    ]);
    expect(with_("klingai:3@1", [{ image: "https://x.test/a.jpg", frame: 0 }])).toEqual([]);
    expect(with_("klingai:5@1", ["https://x.test/a.jpg", "https://x.test/b.jpg"])).toEqual([
      { severity: "error", code: "invalidFrameImages", path: ["inputs", "frameImages"] },
      { severity: "error", code: "invalidFramePosition", path: ["inputs", "frameImages", 1] },
    ]);
    expect(with_("klingai:1@2", ["https://x.test/a.jpg", "https://x.test/b.jpg", "https://x.test/c.jpg"])).toEqual([
      { severity: "error", code: "invalidFrameImages", path: ["inputs", "frameImages"] },
    ]);
    expect(
      with_("klingai:1@2", [
        { image: "https://x.test/a.jpg", frame: "first" },
        { image: "https://x.test/b.jpg", frame: 0 },
      ]),
    ).toEqual([{ severity: "error", code: "duplicateFramePosition", path: ["inputs", "frameImages", 1] }]);
    expect(with_("klingai:1@2", [{ image: "https://x.test/a.jpg", frame: "middle" }])).toEqual([
      { severity: "error", code: "invalidFramePosition", path: ["inputs", "frameImages", 0, "frame"] },
    ]);
    expect(with_("klingai:1@2", [{ image: "", frame: "first" }])).toEqual([
      { severity: "error", code: "invalidFrameImage", path: ["inputs", "frameImages", 0, "image"] },
    ]);
  });
});

describe("frame helpers", () => {
  it("normalizes frame positions as the API does", () => {
    expect([normalizeFrame("first"), normalizeFrame(0), normalizeFrame("last"), normalizeFrame(-1)]).toEqual(["first", "first", "last", "last"]);
    expect([normalizeFrame("middle"), normalizeFrame(1), normalizeFrame(undefined)]).toEqual([undefined, undefined, undefined]);
  });

  it("distributes images without a frame: one is first, two are first and last, explicit wins", () => {
    expect(resolveFramePositions(["a"])).toEqual(["first"]);
    expect(resolveFramePositions(["a", "b"])).toEqual(["first", "last"]);
    expect(resolveFramePositions(["a", { image: "b", frame: "first" }])).toEqual(["first", "first"]);
    expect(resolveFramePositions([{ image: "a", frame: -1 }])).toEqual(["last"]);
    expect(resolveFramePositions(["a", "b", "c"])).toEqual([undefined, undefined, undefined]);
  });

  it("reads inputs.frameImages", () => {
    expect(frameImagesOf({ inputs: { frameImages: ["a"] } })).toEqual(["a"]);
    expect(frameImagesOf({})).toBeUndefined();
    expect(frameImagesOf({ inputs: { frameImages: "a" } })).toBeUndefined();
  });

  it("every seed Kling model keeps 5 and 10 s, the family defaults, a page and a price for both", () => {
    for (const id of ["klingai:1@1", "klingai:1@2", "klingai:2@1", "klingai:3@1", "klingai:5@1"]) {
      const m = getModel(id)!;
      expect({ id, durations: m.durations.values, cfg: m.CFGScale.default, defaults: m.defaults }).toEqual({ id, durations: [5, 10], cfg: 0.5, defaults: { outputFormat: "MP4", outputQuality: 95 } });
      expect(m.page).toBeTruthy();
      expect(m.prices.rows.filter((r) => r.per === "clip").map((r) => r.duration).sort((a, b) => a! - b!)).toEqual([5, 10]);
    }
  });
});
