/**
 * Rules by confidence, end to end in a manifest: each kind of verified rule rejects at the line
 * and column of what the user wrote; a conflict accepts the union of its readings and warns
 * naming each; an unconfirmed rule only warns. All problems of a file are reported at once.
 */
import { describe, expect, it } from "vitest";
import { cleanupProjectsAfterEach, keyPos, loadOne, posOf, valuePos } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const PROMPT = "    positivePrompt: A slow dolly shot across a quiet harbor at dawn\n";
const FRAME = "    inputs:\n      frameImages:\n        - { image: https://example.com/a.jpg, frame: first }\n";
const oneClip = (body: string) => `version: 1\nclips:\n  harbor:\n${body}`;
const diags = (yaml: string) => loadOne(yaml).diagnostics.map((d) => ({ line: d.line, col: d.col, severity: d.severity, code: d.code }));

describe("verified rules reject at the right line", () => {
  type Case = { name: string; body: string; at: (y: string) => { line: number; col: number }; code: string };
  const cases: Case[] = [
    { name: "a duration Veo 3.1 Fast does not take", body: `    model: google:3@3\n${PROMPT}    width: 1920\n    height: 1080\n    duration: 5\n`, at: (y) => valuePos(y, "duration"), code: "unsupportedDuration" },
    { name: "a size Wan 2.6 does not list", body: `    model: alibaba:wan@2.6\n${PROMPT}    width: 1280\n    height: 1280\n`, at: (y) => valuePos(y, "width"), code: "invalidWidth" },
    { name: "CFGScale on LTX-2 Fast, which has none", body: `    model: lightricks:2@1\n${PROMPT}    width: 1920\n    height: 1080\n    duration: 6\n    CFGScale: 0.5\n`, at: (y) => valuePos(y, "CFGScale"), code: "unsupportedParameter" },
    { name: "seed on Kling 2.1 Master, where it is an output only", body: `    model: klingai:5@3\n${PROMPT}    seed: 7\n`, at: (y) => valuePos(y, "seed"), code: "unsupportedParameter" },
    { name: "negativePrompt on Veo 3.1 Fast", body: `    model: google:3@3\n${PROMPT}    negativePrompt: blurry\n    width: 1920\n    height: 1080\n`, at: (y) => valuePos(y, "negativePrompt"), code: "unsupportedParameter" },
    { name: "width/height on Kling 2.5 Turbo Standard, whose size comes from the image", body: `    model: klingai:6@0\n${PROMPT}    width: 1280\n    height: 720\n${FRAME}`, at: (y) => valuePos(y, "width"), code: "sizeFromImage" },
    { name: "width/height with a frame image on Veo 2", body: `    model: google:2@0\n${PROMPT}    width: 1280\n    height: 720\n${FRAME}`, at: (y) => valuePos(y, "width"), code: "sizeFromImage" },
    { name: "a resolution Veo 3 does not list", body: `    model: google:3@0\n${PROMPT}    resolution: 4K\n    duration: 8\n`, at: (y) => valuePos(y, "resolution"), code: "invalidResolution" },
    { name: "no size and no frame image on Veo 3 Fast", body: `    model: google:3@1\n${PROMPT}    duration: 8\n`, at: (y) => valuePos(y, "model"), code: "missingSize" },
    { name: "a wrong value of a provider setting on Vidu Q2 Pro", body: `    model: vidu:3@1\n${PROMPT}    width: 1280\n    height: 720\n    providerSettings:\n      vidu:\n        movementAmplitude: huge\n`, at: (y) => valuePos(y, "movementAmplitude"), code: "invalidProviderSetting" },
    { name: "a last frame on Veo 3, which takes the first only", body: `    model: google:3@0\n${PROMPT}    duration: 8\n    inputs:\n      frameImages:\n        - { image: https://example.com/a.jpg, frame: last }\n`, at: (y) => posOf(y, "last"), code: "invalidFramePosition" },
    { name: "no frame image on Hailuo 01 Live (image-to-video only)", body: `    model: minimax:2@3\n${PROMPT}`, at: (y) => keyPos(y, "harbor"), code: "missingFrameImages" },
    { name: "eight reference images on Vidu Q2 Pro (at most 7)", body: `    model: vidu:3@1\n${PROMPT}    width: 1280\n    height: 720\n    inputs:\n      referenceImages: [a, b, c, d, e, f, g, h]\n`, at: (y) => valuePos(y, "referenceImages"), code: "invalidInputs" },
    { name: "Sora 2, retired on 2026-09-24", body: `    model: openai:3@1\n${PROMPT}    width: 1280\n    height: 720\n    duration: 4\n`, at: (y) => valuePos(y, "model"), code: "retiredModel" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const yaml = oneClip(c.body);
      const errors = diags(yaml).filter((d) => d.severity === "error");
      expect(errors).toEqual([{ ...c.at(yaml), severity: "error", code: c.code }]);
    });
  }

  it("all of them at once, in one file, sorted by line", () => {
    const yaml = `version: 1\nclips:\n${cases.map((c, i) => `  c${i}:\n${c.body.replace(/^ {4}/gm, "    ")}`).join("")}`;
    const errors = loadOne(yaml).diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((e) => e.code)).toEqual(cases.map((c) => c.code));
    expect(errors.map((e) => e.line)).toEqual([...errors.map((e) => e.line)].sort((a, b) => a - b));
  });
});

describe("conflict and unconfirmed rules warn", () => {
  it("a duration only one source allows: accepted, with a warning naming both readings", () => {
    const yaml = oneClip(`    model: google:3@0\n${PROMPT}    width: 1280\n    height: 720\n    duration: 4\n`);
    const project = loadOne(yaml);
    expect(project.diagnostics).toEqual([
      expect.objectContaining({ ...valuePos(yaml, "model"), severity: "warning", code: "unknownLifecycle" }),
      expect.objectContaining({
        ...valuePos(yaml, "duration"),
        severity: "warning",
        code: "disputedRule",
        message: "duration 4 on google:3@0 is disputed, the sources disagree: PG (provider page 2025-10) says 8 seconds; PY (schema 2026-06) says 4, 6, 8 seconds; accepted, as one reading allows it",
      }),
    ]);
    expect(project.clips).toHaveLength(1);
  });

  it("a size only the provider page lists (Sora 2 Pro 1792x1024): a warning; one neither lists: an error", () => {
    const ok = oneClip(`    model: openai:3@2\n${PROMPT}    width: 1792\n    height: 1024\n    duration: 4\n`);
    expect(diags(ok)).toEqual([{ ...valuePos(ok, "width"), severity: "warning", code: "disputedRule" }]);
    const bad = oneClip(`    model: openai:3@2\n${PROMPT}    width: 1024\n    height: 1024\n    duration: 4\n`);
    expect(diags(bad)).toEqual([{ ...valuePos(bad, "width"), severity: "error", code: "invalidWidth" }]);
  });

  it("an unconfirmed duration range: outside it, a warning only", () => {
    const yaml = oneClip(`    model: klingai:kling-video@3-pro\n${PROMPT}    width: 1920\n    height: 1080\n    duration: 20\n`);
    expect(diags(yaml)).toEqual([{ ...valuePos(yaml, "duration"), severity: "warning", code: "unconfirmedRule" }]);
  });

  it("a provider setting clipform does not know: a warning (the catalog may lag), not an error", () => {
    const yaml = oneClip(`    model: google:3@3\n${PROMPT}    width: 1920\n    height: 1080\n    providerSettings:\n      google:\n        generateAudio: true\n        newThing: 1\n`);
    expect(diags(yaml)).toEqual([{ ...valuePos(yaml, "newThing"), severity: "warning", code: "unknownProviderSetting" }]);
  });
});
