/**
 * `field: null` unsets an inherited default for one clip, a default a clip's model refuses names
 * the clip and the way out, and a manifest may hold only images or films.
 */
import { describe, expect, it } from "vitest";
import { cleanupProjectsAfterEach, errorsOf, load, loadOne, valuePos } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const HEAD = `version: 1
defaults:
  model: klingai:3@1
  width: 1280
  height: 720
  duration: 5
  negativePrompt: blurry, watermark
clips:
`;

describe("null unsets a default", () => {
  it("for one clip: its request has no such field, the other clips keep it", () => {
    const p = loadOne(`${HEAD}  plain:
    positivePrompt: A lighthouse at dusk.
  bare:
    positivePrompt: A lighthouse at dawn.
    negativePrompt: null
`);
    expect(errorsOf(p)).toEqual([]);
    const by = new Map(p.clips.map((c) => [c.address, c.generation]));
    expect(by.get("plain")).toMatchObject({ negativePrompt: "blurry, watermark" });
    expect(by.get("bare")).not.toHaveProperty("negativePrompt");
    expect(by.get("bare")).toMatchObject({ model: "klingai:3@1", width: 1280, duration: 5 });
  });

  it("in a matrix value, for the clips of that value alone", () => {
    const p = loadOne(`${HEAD}  harbor:
    positivePrompt: A harbor at dawn.
    matrix:
      look:
        clean: { negativePrompt: null }
        usual: {}
`);
    expect(errorsOf(p)).toEqual([]);
    const by = new Map(p.clips.map((c) => [c.address, c.generation]));
    expect(by.get("harbor/clean")).not.toHaveProperty("negativePrompt");
    expect(by.get("harbor/usual")).toMatchObject({ negativePrompt: "blurry, watermark" });
  });

  it("a null that is no clip field is still an unknown field, and null in defaults is refused", () => {
    const text = `version: 1
defaults:
  model: klingai:3@1
  duration: null
clips:
  a:
    positivePrompt: A lighthouse.
    width: 1280
    height: 720
    negativePromt: null
`;
    const messages = errorsOf(loadOne(text)).map((d) => d.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/unknown field "negativePromt" in clips\.a; did you mean "negativePrompt"\?/), expect.stringMatching(/defaults\.duration must be a number, got null/)]));
  });

  it("a default the clip's model does not take is reported at the default, naming the clip and the way out", () => {
    const text = `${HEAD}  salt:
    model: klingai:5@1
    inputs:
      frameImages: [https://example.com/first.jpg]
`;
    const errors = errorsOf(loadOne(text));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject(valuePos(text, "negativePrompt"));
    expect(errors[0]!.message).toBe("klingai:5@1 does not take negativePrompt: remove it (set by defaults:, reaching salt; `negativePrompt: null` in a clip unsets it there)");
  });
});

describe("what a manifest holds", () => {
  const CLIP = `version: 1\nclips:\n  arrival:\n    model: klingai:3@1\n    positivePrompt: A train at dusk.\n    width: 1280\n    height: 720\n    duration: 5\n`;

  it("films alone, with no clips: {}", () => {
    const p = load({ "specs/a.yaml": CLIP, "specs/cuts.yaml": "version: 1\nsequences:\n  trailer: [arrival, arrival]\n" });
    expect(errorsOf(p)).toEqual([]);
    expect(p.sequences.map((s) => s.name)).toEqual(["trailer"]);
  });

  it("images alone", () => {
    const p = loadOne("version: 1\nimages:\n  key:\n    model: runware:101@1\n    positivePrompt: A station.\n    width: 1280\n    height: 720\n");
    expect(errorsOf(p)).toEqual([]);
    expect(p.clips.map((c) => c.address)).toEqual(["key"]);
  });

  it("nothing to make is an error at the start", () => {
    const errors = errorsOf(loadOne("version: 1\nvariables:\n  mood: calm\n"));
    expect(errors.map((d) => [d.line, d.col, d.message])).toEqual([[1, 1, "the manifest holds nothing to make: expected `clips:`, `images:` or `sequences:`"]]);
  });
});
