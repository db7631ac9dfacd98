/**
 * `sequences:` in manifests: members must be clips of the project (did-you-mean, fan-out hints),
 * names are file names and unique across manifests, repeats are allowed, and each problem is
 * reported once at its line and column.
 */
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/manifest/index.js";
import { cleanupProjectsAfterEach, errorsOf, load, loadOne, makeProject, posOf } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const CLIPS = `version: 1
clips:
  arrival:
    model: klingai:3@1
    positivePrompt: A train pulls into a snowy mountain station at dusk.
  platform:
    model: klingai:1@2
    positivePrompt: The passengers step out onto the snowy platform.
  harbor:
    model: klingai:1@2
    positivePrompt: A harbor at dawn
    matrix:
      aspect:
        wide: { width: 1280, height: 720 }
        tall: { width: 720, height: 1280 }
`;

describe("sequences in the manifest", () => {
  it("exposes each sequence with its members in order, repeats and fan-out addresses included", () => {
    const text = `${CLIPS}sequences:
  trailer: [arrival, platform]
  loop: [harbor/wide, arrival, harbor/wide]
`;
    const p = loadOne(text);
    expect(errorsOf(p)).toEqual([]);
    expect(p.sequences.map((s) => ({ name: s.name, members: s.members, manifest: s.manifest }))).toEqual([
      { name: "loop", members: ["harbor/wide", "arrival", "harbor/wide"], manifest: "specs/main.yaml" },
      { name: "trailer", members: ["arrival", "platform"], manifest: "specs/main.yaml" },
    ]);
    expect(p.sequences[1]!.location).toEqual({ file: "specs/main.yaml", ...posOf(text, "trailer:") });
  });

  it("a manifest without sequences has none", () => {
    expect(loadOne(CLIPS).sequences).toEqual([]);
  });

  it("a member that is no clip: FILE:LINE:COL with did-you-mean", () => {
    const text = `${CLIPS}sequences:\n  trailer: [arival, platform]\n`;
    const p = loadOne(text);
    expect(errorsOf(p).map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`)).toEqual([
      `specs/main.yaml:${posOf(text, "arival").line}:${posOf(text, "arival").col}: sequence trailer: no clip "arival"; did you mean "arrival"?`,
    ]);
    expect(p.sequences).toEqual([]);
  });

  it("a fan-out clip named by its id: the addresses it fans out to", () => {
    const text = `${CLIPS}sequences:\n  trailer:\n    - arrival\n    - harbor\n`;
    const [d, ...rest] = errorsOf(loadOne(text));
    expect(rest).toEqual([]);
    expect(d!.message).toBe('sequence trailer: no clip "harbor": it fans out to harbor/tall, harbor/wide; name one of them');
    expect({ line: d!.line, col: d!.col }).toEqual(posOf(text, "harbor", 3));
  });

  it("a name that cannot be a file name, an empty list and too many members are refused by the schema, once each", () => {
    const many = `[${Array.from({ length: 501 }, () => "arrival").join(", ")}]`;
    const text = `${CLIPS}sequences:\n  Trailer: [arrival]\n  empty: []\n  long: ${many}\n  "../up": [arrival]\n`;
    const errors = errorsOf(loadOne(text));
    const messages = errors.map((d) => d.message);
    expect(messages).toContain(`sequence name "Trailer" cannot be a film's file name: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit`);
    expect(messages).toContain(`sequence name "../up" cannot be a film's file name: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit`);
    expect(messages).toContain("sequences.empty must not be empty");
    expect(messages.some((m) => m.startsWith("sequences.long") && m.includes("500"))).toBe(true);
    expect(errors).toHaveLength(4);
    expect(errors.find((d) => d.message.includes('"Trailer"'))).toMatchObject(posOf(text, "Trailer"));
  });

  it("a name that would be a variant's file name is refused: its film could overwrite a paid video", () => {
    const text = `${CLIPS}sequences:\n  arrival.v1: [platform]\n`;
    const errors = errorsOf(loadOne(text));
    expect(errors.map((d) => [d.line, d.col, d.message])).toEqual([
      [posOf(text, "arrival.v1").line, posOf(text, "arrival.v1").col, 'sequence name "arrival.v1" ends like a variant\'s file name: its film arrival.v1.mp4 could overwrite variant 1 of a clip "arrival". Choose another name'],
    ]);
  });

  it("a name used in two manifests is refused at the second, naming the first", () => {
    const a = `${CLIPS}sequences:\n  trailer: [arrival]\n`;
    const b = `version: 1\nclips: {}\nsequences:\n  trailer: [platform]\n`;
    const p = load({ "specs/a.yaml": a, "specs/b.yaml": b });
    expect(errorsOf(p).map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`)).toEqual([
      `specs/b.yaml:4:3: duplicate sequence "trailer" (also defined at specs/a.yaml:${posOf(a, "trailer:").line}:${posOf(a, "trailer:").col}): each sequence is one film`,
    ]);
  });

  it("members may live in another manifest of the project", () => {
    const p = load({ "specs/a.yaml": CLIPS, "specs/cuts.yaml": `version: 1\nclips: {}\nsequences:\n  trailer: [platform, arrival]\n` });
    expect(errorsOf(p)).toEqual([]);
    expect(p.sequences.map((s) => [s.name, s.manifest, s.members])).toEqual([["trailer", "specs/cuts.yaml", ["platform", "arrival"]]]);
  });

  describe("when only some manifests are asked for (plan specs/cuts.yaml)", () => {
    const CUTS = `version: 1\nclips: {}\nsequences:\n  trailer: [platform, arival]\n`;
    const only = (files: Record<string, string>, asked: string) => loadProject({ root: makeProject(files), paths: [asked], projectPaths: ["specs"] });

    it("members resolve against the whole project; the other manifests' clips are context, never planned", () => {
      const p = only({ "specs/a.yaml": CLIPS, "specs/cuts.yaml": `version: 1\nclips: {}\nsequences:\n  trailer: [platform, arrival]\n` }, "specs/cuts.yaml");
      expect(errorsOf(p)).toEqual([]);
      expect(p.clips).toEqual([]);
      expect(p.context?.map((c) => c.address).sort()).toEqual(["arrival", "harbor/tall", "harbor/wide", "platform"]);
      expect(p.manifests.map((m) => m.file)).toEqual(["specs/cuts.yaml"]);
      expect(p.sequences.map((s) => [s.name, s.members])).toEqual([["trailer", ["platform", "arrival"]]]);
    });

    it("a member declared nowhere is still an error at its line, with a did-you-mean from the whole project", () => {
      const p = only({ "specs/a.yaml": CLIPS, "specs/cuts.yaml": CUTS }, "specs/cuts.yaml");
      const at = posOf(CUTS, "arival");
      expect(errorsOf(p).map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`)).toEqual([`specs/cuts.yaml:${at.line}:${at.col}: sequence trailer: no clip "arival"; did you mean "arrival"?`]);
    });

    it("the other manifests' own problems and sequences are not this plan's; they are read only when needed", () => {
      const broken = `${CLIPS}  tram:\n    model: klingai:3@1\n    duration: 7\n    positivePrompt: x\nsequences:\n  teaser: [nowhere]\n`;
      const p = only({ "specs/a.yaml": broken, "specs/cuts.yaml": `version: 1\nclips: {}\nsequences:\n  trailer: [platform]\n` }, "specs/cuts.yaml");
      expect(errorsOf(p)).toEqual([]);
      expect(p.sequences.map((s) => s.name)).toEqual(["trailer"]);
      // Nothing named outside: the other manifests are not read at all.
      const self = only({ "specs/a.yaml": broken, "specs/b.yaml": CLIPS.replace(/^clips:/m, "sequences:\n  own: [arrival]\nclips:") }, "specs/b.yaml");
      expect(errorsOf(self)).toEqual([]);
      expect(self.context).toBeUndefined();
    });

    it("a frame taken from a clip of another manifest resolves too", () => {
      const shot = `version: 1\nclips:\n  epilogue:\n    model: klingai:5@1\n    positivePrompt: The train leaves.\n    inputs:\n      frameImages:\n        - image: { from: platform, frame: last }\n          frame: first\n`;
      const p = only({ "specs/a.yaml": CLIPS, "specs/shot.yaml": shot }, "specs/shot.yaml");
      expect(errorsOf(p)).toEqual([]);
      expect(p.clips.map((c) => [c.address, c.links?.map((l) => l.target)])).toEqual([["epilogue", ["platform"]]]);
      // Asked alone, without the project: the reference is unknown, as before.
      expect(errorsOf(loadProject({ root: makeProject({ "specs/shot.yaml": shot }), paths: ["specs/shot.yaml"] })).map((d) => d.message)).toEqual([
        'epilogue: no clip or image "platform" to take a frame from',
      ]);
    });
  });
});
