/** `images:` in manifests: schema, the image model's rules at FILE:LINE:COL, the shared namespace, fingerprints. */
import { describe, expect, it } from "vitest";
import { fingerprintOf } from "../../src/manifest/index.js";
import { cleanupProjectsAfterEach, errorsOf, keyPos, load, loadOne, valuePos, warningsOf } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const CLIP = `clips:\n  arrival:\n    model: klingai:3@1\n    positivePrompt: A train pulls into a snowy mountain station at dusk.\n`;
const image = (body: string) => `version: 1\n${CLIP}images:\n  station-key:\n${body}`;
const GOOD = `    model: runware:101@1\n    positivePrompt: A snowy mountain station at dusk, cinematic still.\n`;
const at = (p: { line: number; col: number }) => ({ line: p.line, col: p.col });

describe("images: validation", () => {
  it("the contract entry becomes a desired image with the generation fields, the task type and PNG", () => {
    const p = loadOne(image(`${GOOD}    width: 1280\n    height: 720\n`));
    expect(errorsOf(p)).toEqual([]);
    const img = p.clips.find((c) => c.address === "station-key")!;
    expect(img.kind).toBe("image");
    expect(img.generation).toEqual({
      taskType: "imageInference",
      model: "runware:101@1",
      positivePrompt: "A snowy mountain station at dusk, cinematic still.",
      width: 1280,
      height: 720,
      outputFormat: "PNG",
    });
    expect(img.fingerprint).toBe(fingerprintOf(img.generation));
    expect(p.clips.find((c) => c.address === "arrival")!.kind).toBeUndefined();
  });

  it("720 is a multiple of 16 but not of 64: accepted with a warning naming both readings, at the value", () => {
    const yaml = image(`${GOOD}    width: 1280\n    height: 720\n`);
    const [w, ...rest] = warningsOf(loadOne(yaml));
    expect(rest).toEqual([]);
    expect({ file: w!.file, ...at(w!) }).toEqual({ file: "specs/main.yaml", ...valuePos(yaml, "height") });
    expect(w!.message).toMatch(/station-key: height 720 is disputed.*multiples of 16.*multiples of 64/);
  });

  it("a size the API would refuse is an error at its value, with the allowed range; nothing is planned", () => {
    const yaml = image(`${GOOD}    width: 1000\n    height: 4096\n`);
    const p = loadOne(yaml);
    const errs = errorsOf(p).map((d) => ({ ...at(d), message: d.message }));
    expect(errs).toEqual([
      { ...valuePos(yaml, "width"), message: expect.stringMatching(/station-key: width 1000 is not accepted by runware:101@1: 512–2048 and a multiple of 16/) },
      { ...valuePos(yaml, "height"), message: expect.stringMatching(/station-key: height 4096 is not accepted/) },
    ]);
    expect(p.clips.some((c) => c.address === "station-key")).toBe(false);
  });

  it("width and height are required: the error is at the entry's name", () => {
    const yaml = image(GOOD);
    const errs = errorsOf(loadOne(yaml));
    expect(errs.map((d) => ({ ...at(d), message: d.message }))).toEqual([
      { ...keyPos(yaml, "station-key"), message: expect.stringMatching(/width is required for an image \(512–2048, a multiple of 16\)/) },
      { ...keyPos(yaml, "station-key"), message: expect.stringMatching(/height is required/) },
    ]);
  });

  it("an unknown image model suggests the closest; a video model is named as one", () => {
    const yaml = image(`    model: runware:101@2\n    positivePrompt: A station.\n    width: 1024\n    height: 1024\n`);
    const [e] = errorsOf(loadOne(yaml));
    expect({ ...at(e!), message: e!.message }).toEqual({ ...valuePos(yaml, "model", 2), message: 'station-key: unknown image model "runware:101@2"; did you mean "runware:101@1"? (`clipform models` lists them)' });
    const video = errorsOf(loadOne(image(`    model: klingai:3@1\n    positivePrompt: A station.\n    width: 1024\n    height: 1024\n`)));
    expect(video.map((d) => d.message)).toEqual([expect.stringMatching(/klingai:3@1 is a video model; an image needs an image model \(runware:100@1, runware:101@1, runware:107@1\)/)]);
  });

  it("an image model whose catalog entry takes no async delivery is refused (clipform polls every paid image)", async () => {
    const { catalogOf, builtinCatalog } = await import("../../src/models/catalog.js");
    const { checkImageRequest } = await import("../../src/images/rules.js");
    const base = builtinCatalog();
    const syncOnly = base.images().map((m) => (m.air === "runware:101@1" ? { ...m, delivery: { ...m.delivery, async: false } } : m));
    const req = { model: "runware:101@1", positivePrompt: "A station", width: 1024, height: 1024 };
    expect(checkImageRequest(req, base)).toEqual([]);
    expect(checkImageRequest(req, catalogOf(base.all(), syncOnly))).toEqual([expect.objectContaining({ severity: "error", path: ["model"], message: expect.stringMatching(/takes no async delivery/) })]);
  });

  it("schema errors are located once (an unknown field, a bad format), and block planning", () => {
    const yaml = image(`${GOOD}    width: 1024\n    height: 1024\n    outputFormat: GIF\n    duration: 5\n`);
    const p = loadOne(yaml);
    const errs = errorsOf(p).map((d) => at(d));
    expect(errs).toContainEqual(valuePos(yaml, "outputFormat"));
    expect(errs).toContainEqual(keyPos(yaml, "duration", 1));
    expect(new Set(errs.map((e) => `${e.line}:${e.col}`)).size).toBe(errs.length);
    expect(p.clips.some((c) => c.address === "station-key")).toBe(false);
  });

  it("image names share the namespace of clip addresses: an error at both places, across files", () => {
    const a = `version: 1\nclips:\n  station-key:\n    model: klingai:3@1\n    positivePrompt: A train at dusk.\n`;
    const b = `version: 1\nclips: {}\nimages:\n  station-key:\n${GOOD}    width: 1024\n    height: 1024\n`;
    const p = load({ "specs/a.yaml": a, "specs/b.yaml": b });
    const errs = errorsOf(p).map((d) => ({ file: d.file, ...at(d), message: d.message }));
    expect(errs).toEqual([
      { file: "specs/a.yaml", ...keyPos(a, "station-key"), message: expect.stringMatching(/^clip "station-key" has the name of an image \(defined at specs\/b.yaml:4:3\)/) },
      { file: "specs/b.yaml", ...keyPos(b, "station-key"), message: expect.stringMatching(/^image "station-key" has the name of a clip \(defined at specs\/a.yaml:3:3\)/) },
    ]);
  });

  it("${name} in an image's prompt takes the manifest's variables; an unknown one is an error at the prompt", () => {
    const yaml = (prompt: string) => `version: 1\nvariables:\n  place: mountain station\n${CLIP}images:\n  key:\n    model: runware:101@1\n    positivePrompt: ${prompt}\n    width: 1024\n    height: 1024\n`;
    const p = loadOne(yaml("A snowy ${place} at dusk, costs $${price}"));
    expect(errorsOf(p)).toEqual([]);
    expect(p.clips.find((c) => c.address === "key")!.generation.positivePrompt).toBe("A snowy mountain station at dusk, costs ${price}");
    const bad = yaml("A snowy ${plcae}");
    const errs = errorsOf(loadOne(bad));
    expect(errs.map((d) => ({ ...at(d), message: d.message }))).toEqual([{ ...valuePos(bad, "positivePrompt", 2), message: "key: unknown variable ${plcae} (known here: place)" }]);
  });

  it("two images of one name in two manifests: an error at both", () => {
    const b = `version: 1\nclips: {}\nimages:\n  key:\n${GOOD}    width: 1024\n    height: 1024\n`;
    const p = load({ "specs/a.yaml": b, "specs/b.yaml": b });
    expect(errorsOf(p).map((d) => `${d.file}:${d.line}`).sort()).toEqual(["specs/a.yaml:4", "specs/b.yaml:4"]);
  });
});

describe("images: fingerprints", () => {
  const gen = { model: "runware:101@1", positivePrompt: "A station", width: 1024, height: 1024, outputFormat: "PNG" };
  it("the task type is hashed: an image never shares a fingerprint with the same fields as a video request", () => {
    expect(fingerprintOf({ ...gen, taskType: "imageInference" })).not.toBe(fingerprintOf(gen));
  });
  it("a prompt or size edit changes it; the description does not", () => {
    const yaml = (extra: string) => image(`${GOOD}    width: 1024\n    height: 1024\n${extra}`);
    const fp = (y: string) => loadOne(y).clips.find((c) => c.address === "station-key")!.fingerprint;
    const base = fp(yaml(""));
    expect(fp(yaml("    description: the key art\n"))).toBe(base);
    expect(fp(yaml("    steps: 30\n"))).not.toBe(base);
    expect(fp(image(`    model: runware:101@1\n    positivePrompt: Another station.\n    width: 1024\n    height: 1024\n`))).not.toBe(base);
  });
});
