/**
 * Shots that feed shots, at validate time: `image: {from: …}` references are read with their
 * positions, and the graph they make is checked before anything is planned or paid for.
 */
import { describe, expect, it } from "vitest";
import { cleanupProjectsAfterEach, errorsOf, load, loadOne, posOf, warningsOf } from "../helpers/manifest-fixtures.js";
import { OPENING, STATION_KEY, STORY } from "../helpers/story.js";

cleanupProjectsAfterEach();
const FILE = "specs/main.yaml";


const clip = (id: string, from: string, extra = "") => `  ${id}:\n    positivePrompt: shot ${id}\n    inputs:\n      frameImages:\n        - image: { from: ${from}${extra} }\n`;

describe("clip references", () => {
  it("the contract manifest validates; platform takes arrival's last frame as its first", () => {
    const p = loadOne(STORY);
    expect(errorsOf(p)).toEqual([]);
    const platform = p.clips.find((c) => c.address === "platform")!;
    expect(platform.links).toEqual([{ input: "frameImages", index: 0, target: "arrival", frame: "last", variant: 1, location: { file: FILE, ...posOf(STORY, "arrival", 2) } }]);
    expect(platform.frameImages).toMatchObject([{ frame: "first", kind: "link" }]);
    expect(platform.generation.frameImages).toEqual([{ frame: "first", image: "from:arrival#last#1" }]);
    expect(p.clips.find((c) => c.address === "arrival")!.links).toBeUndefined();
  });

  it("a video's frame defaults to its last; the default is part of the request", () => {
    const yaml = `version: 1\ndefaults:\n  model: klingai:3@1\nclips:\n  a:\n    positivePrompt: first shot\n${clip("b", "a")}`;
    const p = loadOne(yaml);
    expect(errorsOf(p)).toEqual([]);
    expect(p.clips[1]!.generation.frameImages).toEqual([{ frame: "first", image: "from:a#last#1" }]);
    const explicit = loadOne(yaml.replace("{ from: a }", "{ from: a, frame: last }"));
    expect(explicit.clips[1]!.fingerprint).toBe(p.clips[1]!.fingerprint);
    const other = loadOne(yaml.replace("{ from: a }", "{ from: a, frame: first }"));
    expect(other.clips[1]!.fingerprint).not.toBe(p.clips[1]!.fingerprint);
  });

  it("a reference to a missing clip: did you mean …?, at the reference", () => {
    const yaml = STORY.replace("from: arrival", "from: arival");
    const p = loadOne(yaml);
    expect(errorsOf(p)).toEqual([
      { file: FILE, ...posOf(yaml, "arival"), severity: "error", message: 'platform: no clip or image "arival" to take a frame from; did you mean "arrival"?' },
    ]);
  });

  it("a cycle is refused at every reference on it, naming the whole cycle", () => {
    const yaml = `version: 1\ndefaults:\n  model: klingai:3@1\nclips:\n${clip("a", "c")}${clip("b", "a")}${clip("c", "b")}${clip("d", "a")}`;
    const p = loadOne(yaml);
    const errors = errorsOf(p);
    expect(errors.map((e) => [e.line, e.message])).toEqual([
      [posOf(yaml, "from: c").line, "a: a cycle: a → c → b → a; a clip cannot start from its own frames"],
      [posOf(yaml, "from: a").line, "b: a cycle: b → a → c → b; a clip cannot start from its own frames"],
      [posOf(yaml, "from: b").line, "c: a cycle: c → b → a → c; a clip cannot start from its own frames"],
    ]); // d hangs off the cycle: not on it
    expect(loadOne(`version: 1\ndefaults:\n  model: klingai:3@1\nclips:\n${clip("a", "a")}`).diagnostics[0]!.message).toBe("a: a cycle: a → a; a clip cannot start from its own frames");
  });

  it("a variant the target does not make is refused", () => {
    const yaml = STORY.replace("frame: last }", "frame: last, variant: 2 }");
    expect(errorsOf(loadOne(yaml)).map((e) => e.message)).toEqual(['platform: "arrival" makes 1 variant (numberResults): there is no variant 2']);
    expect(errorsOf(loadOne(yaml.replace("klingai:3@1\n", "klingai:3@1\n    numberResults: 2\n")))).toEqual([]);
  });

  it("a frame of another aspect than the clip asks for is a warning", () => {
    const small = `version: 1\nclips:\n  a:\n    model: klingai:3@1\n    positivePrompt: first\n    width: 720\n    height: 720\n${clip("b", "a").replace("    positivePrompt", "    model: klingai:3@1\n    width: 1280\n    height: 720\n    positivePrompt")}`;
    const p = loadOne(small);
    expect(errorsOf(p)).toEqual([]);
    expect(warningsOf(p).map((w) => w.message)).toContainEqual(expect.stringMatching(/^b: "a" is 720x720 but b asks for 1280x720/));
  });

  it("works inside fan-outs: each expanded clip takes the frame of its own counterpart", () => {
    const yaml = `version: 1
defaults:
  model: klingai:3@1
clips:
  arrival:
    positivePrompt: A train arrives
    matrix:
      aspect: { wide: { width: 1280, height: 720 }, tall: { width: 720, height: 1280 } }
  platform:
    positivePrompt: People step out
    matrix:
      aspect: { wide: { width: 1280, height: 720 }, tall: { width: 720, height: 1280 } }
    inputs:
      frameImages:
        - image: { from: "arrival/\${aspect}" }
`;
    const p = loadOne(yaml);
    expect(errorsOf(p)).toEqual([]);
    const links = Object.fromEntries(p.clips.filter((c) => c.links).map((c) => [c.address, c.links![0]!.target]));
    expect(links).toEqual({ "platform/tall": "arrival/tall", "platform/wide": "arrival/wide" });
  });

  it("references cross manifests", () => {
    const p = load({ "specs/a.yaml": `version: 1\nclips:\n  arrival:\n    model: klingai:3@1\n    positivePrompt: first\n`, "specs/b.yaml": `version: 1\nclips:\n${clip("platform", "arrival").replace("    positivePrompt", "    model: klingai:3@1\n    positivePrompt")}` });
    expect(errorsOf(p)).toEqual([]);
    expect(p.clips.find((c) => c.address === "platform")!.links![0]!.location.file).toBe("specs/b.yaml");
  });

  it("a reference image can be another clip's frame too", () => {
    const yaml = `version: 1
clips:
  hero:
    model: klingai:3@1
    positivePrompt: A portrait of the hero.
  chase:
    model: vidu:3@1
    positivePrompt: The hero runs through the market.
    inputs:
      referenceImages:
        - https://example.com/market.jpg
        - { from: hero, frame: first }
`;
    const p = loadOne(yaml);
    expect(errorsOf(p)).toEqual([]);
    const chase = p.clips.find((c) => c.address === "chase")!;
    expect(chase.links).toEqual([{ input: "referenceImages", index: 1, target: "hero", frame: "first", variant: 1, location: { file: FILE, ...posOf(yaml, "hero, frame") } }]);
    expect(chase.generation.otherInputs).toEqual({ referenceImages: ["https://example.com/market.jpg", "from:hero#first#1"] });
    expect(errorsOf(loadOne(yaml.replace("from: hero", "from: heroo"))).map((e) => e.message)).toEqual(['chase: no clip or image "heroo" to take a frame from; did you mean "hero"?']);
  });

  it("an entry of images: is a picture to start from; it has no first or last frame to choose", () => {
    // The keyframe at 1280x704: a size every reading of the model's rules accepts.
    const yaml = `version: 1\nclips:\n${OPENING.replace("klingai:5@1", "klingai:3@1")}${STATION_KEY.replace("height: 720", "height: 704")}`;
    const p = loadOne(yaml);
    expect(errorsOf(p)).toEqual([]);
    const opening = p.clips.find((c) => c.address === "opening")!;
    expect(opening.links![0]).toMatchObject({ target: "station-key", frame: "first" });
    expect(errorsOf(loadOne(yaml.replace("{ from: station-key }", "{ from: station-key, frame: last }"))).map((e) => e.message)).toEqual([
      expect.stringMatching(/^opening: "station-key" is an image \(specs\/main\.yaml:\d+:\d+\): it has no last frame; leave out `frame:`$/),
    ]);
  });
});

