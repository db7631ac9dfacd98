/**
 * `images:` take what clips take where it makes sense for a picture: `imageDefaults:` merged into
 * every image (clip `defaults:` are not), and fan-outs (`matrix:`) with stable addresses, field
 * axes and ${axis} in prompts. Every problem is located where it was written.
 */
import { describe, expect, it } from "vitest";
import { cleanupProjectsAfterEach, errorsOf, keyPos, loadOne, valuePos } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const at = (d: { line: number; col: number; message: string }) => ({ line: d.line, col: d.col, message: d.message });
const image = (p: ReturnType<typeof loadOne>, address: string) => p.clips.find((c) => c.address === address && c.kind === "image");

describe("imageDefaults:", () => {
  const yaml = `version: 1
imageDefaults:
  model: runware:101@1
  width: 1280
  height: 720
  steps: 28
clips: {}
images:
  station-key:
    positivePrompt: A snowy mountain station at dusk.
  portrait:
    positivePrompt: A station master.
    width: 768
    height: 1024
`;

  it("are merged into every image; an image's own fields win", () => {
    const p = loadOne(yaml);
    expect(errorsOf(p)).toEqual([]);
    expect(image(p, "station-key")!.generation).toMatchObject({ model: "runware:101@1", width: 1280, height: 720, steps: 28 });
    expect(image(p, "portrait")!.generation).toMatchObject({ model: "runware:101@1", width: 768, height: 1024, steps: 28 });
  });

  it("a problem with a default is reported at the default's line, for the image it reaches", () => {
    const bad = yaml.replace("  width: 1280\n", "  width: 1000\n");
    const errs = errorsOf(loadOne(bad)).map(at);
    expect(errs).toEqual([{ ...valuePos(bad, "width"), message: expect.stringMatching(/^station-key: width 1000 is not accepted by runware:101@1/) }]);
  });

  it("take only image fields: a clip field there is an unknown field at its key", () => {
    const bad = yaml.replace("  steps: 28\n", "  steps: 28\n  duration: 5\n");
    expect(errorsOf(loadOne(bad)).map(at)).toEqual([{ ...keyPos(bad, "duration"), message: expect.stringMatching(/^unknown field "duration" in imageDefaults/) }]);
  });

  it("clip defaults do not reach images: a missing size says where to set it", () => {
    const clipDefaults = `version: 1\ndefaults:\n  model: klingai:3@1\n  width: 1280\n  height: 720\nclips: {}\nimages:\n  key:\n    model: runware:101@1\n    positivePrompt: A station.\n`;
    const errs = errorsOf(loadOne(clipDefaults)).map((d) => d.message);
    expect(errs).toEqual([
      "key: width is required for an image (512–2048, a multiple of 16) (`defaults:` sets it for clips only: set it under `imageDefaults:` for images)",
      "key: height is required for an image (512–2048, a multiple of 16) (`defaults:` sets it for clips only: set it under `imageDefaults:` for images)",
    ]);
  });
});

describe("images: fan-outs", () => {
  const yaml = `version: 1
clips: {}
images:
  station-key:
    model: runware:101@1
    positivePrompt: A snowy mountain station at \${time}, cinematic still.
    matrix:
      aspect:
        wide: { width: 1280, height: 720 }
        tall: { width: 720, height: 1280 }
      time: [dawn, dusk]
`;

  it("one image per combination, with stable addresses, field values and ${axis} in prompts", () => {
    const p = loadOne(yaml);
    expect(errorsOf(p)).toEqual([]);
    const images = p.clips.filter((c) => c.kind === "image");
    expect(images.map((c) => c.address).sort()).toEqual(["station-key/tall/dawn", "station-key/tall/dusk", "station-key/wide/dawn", "station-key/wide/dusk"]);
    const tallDusk = image(p, "station-key/tall/dusk")!;
    expect(tallDusk).toMatchObject({ clipId: "station-key", matrix: { aspect: "tall", time: "dusk" } });
    expect(tallDusk.generation).toMatchObject({ width: 720, height: 1280, positivePrompt: "A snowy mountain station at dusk, cinematic still." });
    expect(new Set(images.map((c) => c.fingerprint)).size).toBe(4);
  });

  it("an axis named after an image field sets it (a model comparison); a clip field's name is only a variable", () => {
    const models = `version: 1\nclips: {}\nimages:\n  key:\n    positivePrompt: A station, \${duration} seconds of light.\n    width: 1024\n    height: 1024\n    matrix:\n      model: [runware:101@1, runware:100@1]\n      duration: [5]\n`;
    const p = loadOne(models);
    expect(errorsOf(p)).toEqual([]);
    expect(image(p, "key/runware-101-1/5")!.generation).toMatchObject({ model: "runware:101@1", positivePrompt: "A station, 5 seconds of light." });
    expect(image(p, "key/runware-100-1/5")!.generation.model).toBe("runware:100@1");
    expect(image(p, "key/runware-100-1/5")!.generation.duration).toBeUndefined();
  });

  it("a value the model refuses is an error at the matrix value that set it, once per image it reaches", () => {
    const bad = yaml.replace("tall: { width: 720, height: 1280 }", "tall: { width: 720, height: 4096 }");
    const errs = errorsOf(loadOne(bad)).map(at);
    const pos = { line: bad.split("\n").findIndex((l) => l.includes("height: 4096")) + 1, col: bad.split("\n").find((l) => l.includes("height: 4096"))!.indexOf("4096") + 1 };
    expect(errs).toEqual([
      { ...pos, message: expect.stringMatching(/^station-key\/tall\/dawn: height 4096 is not accepted/) },
      { ...pos, message: expect.stringMatching(/^station-key\/tall\/dusk: height 4096 is not accepted/) },
    ]);
  });

  it("a matrix value may set image fields only; an unknown variable is located at the prompt, by the image's address", () => {
    const clipField = yaml.replace("wide: { width: 1280, height: 720 }", "wide: { width: 1280, height: 720, duration: 5 }");
    expect(errorsOf(loadOne(clipField)).map((d) => d.message)).toEqual([expect.stringMatching(/^unknown field "duration" in images\.station-key\.matrix\.aspect\.wide/)]);
    const typo = yaml.replace("${time}", "${tiem}");
    const errs = errorsOf(loadOne(typo)).map(at);
    expect(errs[0]).toEqual({ ...valuePos(typo, "positivePrompt"), message: "station-key/wide/dawn: unknown variable ${tiem} (known here: aspect, time)" });
  });

  it("a clip takes a frame from its counterpart: from: station-key/${aspect}/dusk", () => {
    const chained = `${yaml}  platform:
    model: klingai:5@1
    positivePrompt: The passengers step out.
    matrix:
      aspect: [wide, tall]
    inputs:
      frameImages:
        - image: { from: "station-key/\${aspect}/dusk" }
          frame: first
`.replace("clips: {}\n", "").replace("  platform:", "clips:\n  platform:");
    const p = loadOne(chained);
    expect(errorsOf(p)).toEqual([]);
    expect(p.clips.filter((c) => c.links).map((c) => [c.address, c.links!.map((l) => l.target)])).toEqual([
      ["platform/tall", ["station-key/tall/dusk"]],
      ["platform/wide", ["station-key/wide/dusk"]],
    ]);
  });
});
