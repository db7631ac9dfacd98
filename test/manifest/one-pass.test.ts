/**
 * Every problem in one pass, each once, without cascades: a clip with problems of its own is
 * still a reference target, and a model that takes no such field says so at once instead of the
 * schema's range first.
 */
import { describe, expect, it } from "vitest";
import { cleanupProjectsAfterEach, errorsOf, loadOne, valuePos } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

describe("validation in one pass", () => {
  it("a reference to a clip with its own problem is no second, false problem", () => {
    const text = `version: 1
clips:
  a:
    model: klingai:3@1
    positivePrompt: A train pulls into the station.
    width: 1280
    height: 720
    duration: 7
  b:
    model: klingai:5@1
    positivePrompt: The passengers step out.
    inputs:
      frameImages:
        - image: { from: a, frame: last }
          frame: first
`;
    const errors = errorsOf(loadOne(text));
    expect(errors.map((d) => d.message)).toEqual(["duration 7 is not supported by klingai:3@1 (allowed: 5, 10 seconds)"]);
    expect(errors[0]).toMatchObject(valuePos(text, "duration"));
  });

  it("a reference to a clip declared nowhere is still an error", () => {
    const text = `version: 1
clips:
  b:
    model: klingai:5@1
    positivePrompt: The passengers step out.
    inputs:
      frameImages:
        - image: { from: a, frame: last }
          frame: first
`;
    expect(errorsOf(loadOne(text)).map((d) => d.message)).toEqual([expect.stringMatching(/^b: no clip or image "a" to take a frame from/)]);
  });

  it("CFGScale on a model that takes none: 'does not take' at once, not the schema's range first", () => {
    const text = `version: 1
clips:
  veo:
    model: google:3@3
    positivePrompt: A lighthouse at dusk.
    width: 1280
    height: 720
    duration: 8
    CFGScale: 5
`;
    const errors = errorsOf(loadOne(text));
    expect(errors.map((d) => d.message)).toEqual(["google:3@3 does not take CFGScale: remove it"]);
    expect(errors[0]).toMatchObject(valuePos(text, "CFGScale"));
  });

  it("a value out of range on a model that takes the field keeps the schema's message", () => {
    const text = `version: 1
clips:
  kling:
    model: klingai:1@2
    positivePrompt: A lighthouse at dusk.
    width: 1280
    height: 720
    duration: 5
    CFGScale: 5
`;
    expect(errorsOf(loadOne(text)).map((d) => d.message)).toEqual(["clips.kling.CFGScale must be <= 1 (got 5)"]);
  });
});
