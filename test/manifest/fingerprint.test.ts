/**
 * The fingerprint covers exactly what changes the video: not delivery fields, not the number of
 * variants, not defaults written out, not where a local image lives or a description; but the
 * prompt, size, duration, guidance, model and an image's content.
 */
import { describe, expect, it } from "vitest";
import { fingerprintOf } from "../../src/manifest/index.js";
import { cleanupProjectsAfterEach, load, png } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const IMAGE = png(512, 512, "harbor at dawn");

interface Variant {
  /** Extra clip lines (four-space indented). */
  extra?: string;
  /** Replacements applied to the base manifest. */
  replace?: [string, string][];
  /** Files besides the manifest (default: the image at specs/assets/harbor.png). */
  files?: Record<string, string | Buffer>;
}

const BASE = `version: 1
clips:
  harbor:
    model: klingai:1@2
    positivePrompt: A quiet harbor at dawn, fishing boats rocking gently
    width: 1280
    height: 720
    inputs:
      frameImages:
        - ./assets/harbor.png
`;

function variant(v: Variant = {}) {
  let yaml = BASE.replace("    inputs:\n", `${v.extra ?? ""}    inputs:\n`);
  for (const [from, to] of v.replace ?? []) {
    expect(yaml).toContain(from);
    yaml = yaml.replace(from, to);
  }
  const project = load({ "specs/main.yaml": yaml, ...(v.files ?? { "specs/assets/harbor.png": IMAGE }) });
  expect(project.diagnostics).toEqual([]);
  expect(project.clips).toHaveLength(1);
  return project.clips[0]!;
}

const base = () => variant();

describe("fingerprint", () => {
  it("is deterministic and versioned", () => {
    expect(base().fingerprint).toBe(base().fingerprint);
    expect(base().fingerprint).toMatch(/^v1:[0-9a-f]{64}$/);
  });

  describe("does not change with", () => {
    const same: [string, Variant][] = [
      ["webhookURL", { extra: "    webhookURL: https://hooks.example.com/clipform\n" }],
      ["ttl", { extra: "    ttl: 3600\n" }],
      ["uploadEndpoint", { extra: "    uploadEndpoint: https://bucket.example.com/upload?sig=abc\n" }],
      ["numberResults", { extra: "    numberResults: 3\n" }],
      ["outputFormat: MP4 written out", { extra: "    outputFormat: MP4\n" }],
      ["CFGScale: 0.5 written out", { extra: "    CFGScale: 0.5\n" }],
      ["duration: 5 written out", { extra: "    duration: 5\n" }],
      ["outputQuality: 95 written out", { extra: "    outputQuality: 95\n" }],
      ["outputType and deliveryMethod", { extra: "    outputType: URL\n    deliveryMethod: async\n" }],
      ["a description", { extra: "    description: Opening shot for the harbor sequence\n" }],
      [
        "the image moved to another path with the same content",
        { replace: [["./assets/harbor.png", "../frames/opening/first-frame.png"]], files: { "frames/opening/first-frame.png": IMAGE } },
      ],
      ["the image written as {image, frame: first}", { replace: [["- ./assets/harbor.png", "- { image: ./assets/harbor.png, frame: first }"]] }],
      ["the frame written as 0", { replace: [["- ./assets/harbor.png", "- { image: ./assets/harbor.png, frame: 0 }"]] }],
      ["the prompt coming from a variable", { replace: [["A quiet harbor at dawn", "A quiet ${place} at dawn"], ["clips:\n", "variables:\n  place: harbor\nclips:\n"]] }],
      ["a prompt written as a folded block", { replace: [["positivePrompt: A quiet harbor at dawn, fishing boats rocking gently", "positivePrompt: >-\n      A quiet harbor at dawn,\n      fishing boats rocking gently"]] }],
    ];
    for (const [name, v] of same) {
      it(name, () => {
        expect(variant(v).fingerprint).toBe(base().fingerprint);
      });
    }
  });

  describe("changes with", () => {
    const different: [string, Variant][] = [
      ["the prompt", { replace: [["fishing boats rocking gently", "fishing boats rocking"]] }],
      ["a negative prompt", { extra: "    negativePrompt: blurry, watermark\n" }],
      ["the size", { replace: [["width: 1280\n    height: 720", "width: 720\n    height: 720"]] }],
      ["the duration", { extra: "    duration: 10\n" }],
      ["CFGScale", { extra: "    CFGScale: 0.51\n" }],
      ["the model", { replace: [["klingai:1@2", "klingai:3@1"]] }],
      ["the output format", { extra: "    outputFormat: WEBM\n" }],
      ["the image's content", { files: { "specs/assets/harbor.png": png(512, 512, "harbor at dusk") } }],
      ["the image's frame position", { replace: [["- ./assets/harbor.png", "- { image: ./assets/harbor.png, frame: last }"]] }],
      ["the image given as a URL instead of the file", { replace: [["./assets/harbor.png", "https://example.com/harbor.png"]] }],
    ];
    for (const [name, v] of different) {
      it(name, () => {
        expect(variant(v).fingerprint).not.toBe(base().fingerprint);
      });
    }
  });

  it("delivery fields and numberResults are kept beside the fingerprint", () => {
    const c = variant({ extra: "    webhookURL: https://hooks.example.com/x\n    ttl: 120\n    uploadEndpoint: https://bucket.example.com/u\n    numberResults: 2\n" });
    expect(c.delivery).toEqual({ webhookURL: "https://hooks.example.com/x", ttl: 120, uploadEndpoint: "https://bucket.example.com/u" });
    expect(c.numberResults).toBe(2);
    expect(base().numberResults).toBe(1);
    expect(base().delivery).toEqual({});
  });

  it("fingerprintOf ignores the local file name and key order", () => {
    const g = { model: "klingai:1@2", duration: 5, CFGScale: 0.5, outputFormat: "MP4", outputQuality: 95, frameImages: [{ frame: "first", image: "sha256:ab", file: "a.png" }] };
    const h = { outputQuality: 95, outputFormat: "MP4", CFGScale: 0.5, duration: 5, model: "klingai:1@2", frameImages: [{ image: "sha256:ab", frame: "first", file: "b/c.png" }] };
    expect(fingerprintOf(g)).toBe(fingerprintOf(h));
    expect(fingerprintOf({ ...g, frameImages: [{ frame: "first", image: "sha256:cd", file: "a.png" }] })).not.toBe(fingerprintOf(g));
  });
});
