/**
 * Each rule rejects what it should, at the exact line and column of what the user wrote.
 * Positions are computed from the manifest text (posOf / valuePos), never hard-coded.
 */
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/manifest/index.js";
import { cleanupProjectsAfterEach, errorsOf, keyPos, loadOne, makeProject, posOf, valuePos, warningsOf } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const FILE = "specs/main.yaml";
const PROMPT = "    positivePrompt: A slow dolly shot across a quiet harbor at dawn\n";

/** A manifest with one clip `harbor` whose body is `body` (lines indented by four spaces). */
const oneClip = (body: string, head = "") => `version: 1\n${head}clips:\n  harbor:\n${body}`;

const err = (at: { line: number; col: number }, message: RegExp | string) => ({
  file: FILE,
  ...at,
  severity: "error",
  message: typeof message === "string" ? message : expect.stringMatching(message),
});

/** Diagnostics without the optional `code`, for exact comparison. */
const diags = (yaml: string, extra: Record<string, string | Buffer> = {}) => {
  const project = loadOne(yaml, extra);
  return { project, list: project.diagnostics.map(({ code: _c, ...d }) => d) };
};

describe("size", () => {
  it("width without height: error at the width", () => {
    const yaml = oneClip(`    model: klingai:1@2\n${PROMPT}    width: 1280\n`);
    const { project, list } = diags(yaml);
    expect(list).toEqual([err(valuePos(yaml, "width"), "width and height must be set together for klingai:1@2: height is missing")]);
    expect(project.clips).toEqual([]);
  });

  it("height without width: error at the height", () => {
    const yaml = oneClip(`    model: klingai:1@2\n${PROMPT}    height: 720\n`);
    expect(diags(yaml).list).toEqual([err(valuePos(yaml, "height"), /width is missing/)]);
  });

  it("1920x1080 on klingai:1@2 (page lists its sizes): error listing the supported sizes", () => {
    const yaml = oneClip(`    model: klingai:1@2\n${PROMPT}    width: 1920\n    height: 1080\n`);
    const { project, list } = diags(yaml);
    expect(list).toEqual([err(valuePos(yaml, "width"), "1920x1080 is not a supported size for klingai:1@2 (supported: 1280x720, 720x720, 720x1280)")]);
    expect(project.clips).toEqual([]);
  });

  it("1920x1080 on klingai:2@1 (sizes verified by the fact sheet): an error", () => {
    const yaml = oneClip(`    model: klingai:2@1\n    width: 1920\n    height: 1080\n    inputs:\n      frameImages: [https://example.com/first.jpg]\n`);
    const { project, list } = diags(yaml);
    expect(list).toEqual([err(valuePos(yaml, "width"), "1920x1080 is not a supported size for klingai:2@1 (supported: 1280x720, 720x720, 720x1280)")]);
    expect(project.clips).toEqual([]);
  });

  it("the same size where the project marks the size rule unconfirmed: a warning only, and the clip is kept", () => {
    const yaml = oneClip(`    model: klingai:2@1\n    width: 1920\n    height: 1080\n    inputs:\n      frameImages: [https://example.com/first.jpg]\n`);
    const override = JSON.stringify({ air: "klingai:2@1", sizes: { confidence: "unconfirmed" } });
    const { project, list } = diags(yaml, { "models/kling-1-5.json": override });
    expect(list).toEqual([
      { file: FILE, ...valuePos(yaml, "width"), severity: "warning", message: expect.stringMatching(/^1920x1080 is not a supported size for klingai:2@1 .*\(an unconfirmed rule: the API may accept it\)$/) },
    ]);
    expect(project.clips.map((c) => [c.address, c.generation.width, c.generation.height])).toEqual([["harbor", 1920, 1080]]);
  });
});

describe("numeric and enum fields", () => {
  const cases: { name: string; line: string; key: string; message: RegExp }[] = [
    { name: "duration 7", line: "    duration: 7\n", key: "duration", message: /^duration 7 is not supported by klingai:1@2 \(allowed: 5, 10 seconds\)$/ },
    { name: "CFGScale 1.5", line: "    CFGScale: 1.5\n", key: "CFGScale", message: /CFGScale.*(<= 1|0 to 1).*1\.5|CFGScale.*1\.5.*1/ },
    { name: "CFGScale 0.555 (step)", line: "    CFGScale: 0.555\n", key: "CFGScale", message: /^CFGScale 0\.555 is not a multiple of 0\.01/ },
    { name: "numberResults 5", line: "    numberResults: 5\n", key: "numberResults", message: /numberResults.*4.*5|numberResults.*5.*4/ },
    { name: "outputQuality 10", line: "    outputQuality: 10\n", key: "outputQuality", message: /outputQuality.*20.*10|outputQuality.*10.*20/ },
    { name: "ttl 30", line: "    ttl: 30\n", key: "ttl", message: /ttl.*60.*30|ttl.*30.*60/ },
  ];
  for (const c of cases) {
    it(`${c.name}: one error at the value`, () => {
      const yaml = oneClip(`    model: klingai:1@2\n${PROMPT}${c.line}`);
      const { project, list } = diags(yaml);
      expect(list).toEqual([err(valuePos(yaml, c.key), c.message)]);
      expect(project.clips).toEqual([]);
    });
  }

  it('outputFormat "GIF": one error listing the allowed values, with no did-you-mean', () => {
    const yaml = oneClip(`    model: klingai:1@2\n${PROMPT}    outputFormat: GIF\n`);
    const { list } = diags(yaml);
    expect(list).toEqual([err(valuePos(yaml, "outputFormat"), /GIF/)]);
    expect(list[0]!.message).toMatch(/allowed: MP4, WEBM, MOV/);
    expect(list[0]!.message).not.toMatch(/did you mean/);
  });

  it('safety.mode "paranoid": error at the nested value', () => {
    const yaml = oneClip(`    model: klingai:1@2\n${PROMPT}    safety:\n      checkContent: true\n      mode: paranoid\n`);
    const { list } = diags(yaml);
    expect(list).toEqual([err(valuePos(yaml, "mode"), /paranoid.*allowed: none, fast, full/)]);
  });

  it("the same error in a flow mapping points inside the braces", () => {
    const yaml = oneClip(`    { model: klingai:1@2, positivePrompt: a quiet harbor, duration: 7 }\n`);
    expect(diags(yaml).list).toEqual([err(posOf(yaml, "7 }"), /^duration 7 is not supported/)]);
  });
});

describe("prompts", () => {
  it("positivePrompt of 1 character", () => {
    const yaml = oneClip(`    model: klingai:1@2\n    positivePrompt: x\n`);
    expect(diags(yaml).list).toEqual([err(valuePos(yaml, "positivePrompt"), /positivePrompt.*2.*(it has|got) 1\b/)]);
  });

  it("positivePrompt of 2501 characters", () => {
    const yaml = oneClip(`    model: klingai:1@2\n    positivePrompt: ${"w".repeat(2501)}\n`);
    expect(diags(yaml).list).toEqual([err(valuePos(yaml, "positivePrompt"), /positivePrompt.*2500.*(it has|got) 2501\b/)]);
  });

  it("positivePrompt of exactly 2 and 2500 characters is fine", () => {
    for (const p of ["ok", "w".repeat(2500)]) {
      const project = loadOne(oneClip(`    model: klingai:1@2\n    positivePrompt: ${p}\n`));
      expect(project.diagnostics).toEqual([]);
      expect(project.clips).toHaveLength(1);
    }
  });

  it("missing positivePrompt for klingai:1@2: error at the clip's key", () => {
    const yaml = oneClip(`    model: klingai:1@2\n    duration: 5\n`);
    expect(diags(yaml).list).toEqual([err(keyPos(yaml, "harbor"), "positivePrompt is required for klingai:1@2")]);
  });
});

describe("frame images", () => {
  it("klingai:5@1 without frameImages: error at the clip's key", () => {
    const yaml = oneClip(`    model: klingai:5@1\n${PROMPT}`);
    const { project } = diags(yaml);
    expect(errorsOf(project).map((d) => ({ line: d.line, col: d.col, message: d.message }))).toEqual([
      { ...keyPos(yaml, "harbor"), message: "klingai:5@1 is image-to-video only: inputs.frameImages needs a first-frame image" },
    ]);
    expect(warningsOf(project).map((d) => d.code)).toEqual(["undocumentedParameter"]);
  });

  it("klingai:2@1 (model from defaults) without frameImages: error at the clip's key", () => {
    const yaml = `version: 1\ndefaults:\n  model: klingai:2@1\nclips:\n  harbor:\n    duration: 5\n`;
    expect(diags(yaml).list).toEqual([err(keyPos(yaml, "harbor"), /^klingai:2@1 is image-to-video only/)]);
  });

  it('a "last" frame on klingai:3@1: error at the frame value', () => {
    const yaml = oneClip(`    model: klingai:3@1\n${PROMPT}    inputs:\n      frameImages:\n        - image: https://example.com/a.jpg\n          frame: last\n`);
    expect(diags(yaml).list).toEqual([err(valuePos(yaml, "frame"), 'klingai:3@1 supports only the first frame, not "last"')]);
  });

  it("frame -1 on klingai:3@1: the same error at the -1", () => {
    const yaml = oneClip(`    model: klingai:3@1\n${PROMPT}    inputs:\n      frameImages:\n        - { image: https://example.com/a.jpg, frame: -1 }\n`);
    expect(diags(yaml).list).toEqual([err(posOf(yaml, "-1"), 'klingai:3@1 supports only the first frame, not "last"')]);
  });

  it("2 frame images on klingai:5@1: error at the list", () => {
    const yaml = oneClip(`    model: klingai:5@1\n    inputs:\n      frameImages:\n        - https://example.com/a.jpg\n        - https://example.com/b.jpg\n`);
    const list = diags(yaml).list;
    expect(list[0]).toEqual(err(posOf(yaml, "- https://example.com/a.jpg"), "klingai:5@1 accepts at most 1 frame image, got 2"));
    // The second image (last frame by position) may also be reported, at that image.
    expect(list.slice(1)).toEqual(list.length > 1 ? [err(posOf(yaml, "https://example.com/b.jpg"), /not "last"/)] : []);
  });

  it("3 frame images on klingai:1@2: one error at the list", () => {
    const yaml = oneClip(`    model: klingai:1@2\n${PROMPT}    inputs:\n      frameImages: [https://example.com/a.jpg, https://example.com/b.jpg, https://example.com/c.jpg]\n`);
    expect(diags(yaml).list).toEqual([err(posOf(yaml, "[https"), "klingai:1@2 accepts at most 2 frame images, got 3")]);
  });

  it('two images both targeting "first": error at the second one', () => {
    const yaml = oneClip(
      `    model: klingai:1@2\n${PROMPT}    inputs:\n      frameImages:\n        - { image: https://example.com/a.jpg, frame: first }\n        - { image: https://example.com/b.jpg, frame: first }\n`,
    );
    expect(diags(yaml).list).toEqual([err(posOf(yaml, "{ image: https://example.com/b.jpg"), "two frame images target the first frame (items 1 and 2)")]);
  });

  it('an unknown frame position ("middle"): error at the frame value, listing the positions', () => {
    const yaml = oneClip(`    model: klingai:1@2\n${PROMPT}    inputs:\n      frameImages:\n        - image: https://example.com/a.jpg\n          frame: middle\n`);
    expect(diags(yaml).list).toEqual([err(valuePos(yaml, "frame"), /"middle".*first, last/)]);
  });
});

describe("unknown names", () => {
  for (const [typo, intended] of [
    ["CFGscale", "CFGScale"],
    ["durration", "duration"],
  ] as const) {
    it(`unknown field ${typo}: error at the key with "did you mean ${intended}"`, () => {
      const yaml = oneClip(`    model: klingai:1@2\n${PROMPT}    ${typo}: 5\n`);
      expect(diags(yaml).list).toEqual([err(keyPos(yaml, typo), `unknown field "${typo}" in clips.harbor; did you mean "${intended}"?`)]);
    });
  }

  it('unknown field positivPrompt: one error at the key with "did you mean positivePrompt" (no second "required" error)', () => {
    const yaml = oneClip(`    model: klingai:1@2\n    positivPrompt: A quiet harbor\n`);
    expect(diags(yaml).list).toEqual([err(keyPos(yaml, "positivPrompt"), 'unknown field "positivPrompt" in clips.harbor; did you mean "positivePrompt"?')]);
  });

  it("unknown field in defaults and in a frame image object", () => {
    const yaml = `version: 1\ndefaults:\n  modle: klingai:1@2\nclips:\n  harbor:\n    model: klingai:1@2\n${PROMPT}    inputs:\n      frameImages:\n        - { img: https://example.com/a.jpg }\n`;
    const list = diags(yaml).list;
    expect(list[0]).toEqual(err(keyPos(yaml, "modle"), 'unknown field "modle" in defaults; did you mean "model"?'));
    expect(list[1]).toMatchObject({ line: posOf(yaml, "img:").line });
  });

  it("unknown top-level key: error at the key (with a suggestion when close, the allowed keys otherwise)", () => {
    const yaml = `version: 1\nclip:\n  x: {}\nclips:\n  harbor:\n    model: klingai:1@2\n${PROMPT}`;
    expect(diags(yaml).list).toEqual([err(keyPos(yaml, "clip"), 'unknown field "clip" in the manifest; did you mean "clips"?')]);
    const yaml2 = `version: 1\nowner: video-team\nclips:\n  harbor:\n    model: klingai:1@2\n${PROMPT}`;
    expect(diags(yaml2).list).toEqual([err(keyPos(yaml2, "owner"), 'unknown field "owner" in the manifest (allowed: version, budget, variables, warnings, defaults, clips, imageDefaults, images, sequences)')]);
  });

  it("unknown model klingai:1@3: one error at the value, with a suggestion", () => {
    const yaml = oneClip(`    model: klingai:1@3\n${PROMPT}`);
    const list = diags(yaml).list;
    expect(list).toEqual([err(valuePos(yaml, "model"), /"klingai:1@3".*did you mean "klingai:1@[12]"\?/)]);
  });

  it("unknown ${variable}: error at the string, naming the known variables", () => {
    const yaml = `version: 1\nvariables:\n  place: harbor\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: A slow shot of the \${plcae} at \${time}\n`;
    const list = diags(yaml).list;
    expect(list.map((d) => ({ line: d.line, col: d.col }))).toEqual([valuePos(yaml, "positivePrompt"), valuePos(yaml, "positivePrompt")]);
    expect(list.map((d) => d.message)).toEqual([
      "unknown variable ${plcae} (known here: place)",
      "unknown variable ${time} (known here: place)",
    ]);
  });

  it("$${literal} is kept as ${literal}, not a variable", () => {
    const project = loadOne(oneClip(`    model: klingai:1@2\n    positivePrompt: Price tag reads $\${price} on the harbor stall\n`));
    expect(project.diagnostics).toEqual([]);
    expect(project.clips[0]!.generation.positivePrompt).toBe("Price tag reads ${price} on the harbor stall");
  });
});

describe("manifest-level problems", () => {
  it("version: 2 → error at the value", () => {
    const yaml = `version: 2\nclips:\n  harbor:\n    model: klingai:1@2\n${PROMPT}`;
    expect(diags(yaml).list).toEqual([err(valuePos(yaml, "version"), "version must be 1, got 2")]);
  });

  it("missing version and anything to make → errors at the start", () => {
    const yaml = `defaults:\n  model: klingai:1@2\n`;
    const list = diags(yaml).list;
    expect(list.map((d) => [d.line, d.col])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(list.map((d) => d.message).sort()).toEqual(["the manifest holds nothing to make: expected `clips:`, `images:` or `sequences:`", 'the manifest is missing required field "version"']);
  });

  it("an empty file (or only comments) → one error at 1:1", () => {
    for (const text of ["", "\n\n", "# nothing here yet\n"]) {
      expect(diags(text).list).toEqual([err({ line: 1, col: 1 }, /empty/)]);
    }
  });

  it("a clip with no fields yet (`harbor:` and nothing after it) is an error at its key, not a crash", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n  lighthouse:\n    model: klingai:1@2\n${PROMPT}`;
    let list: ReturnType<typeof diags>["list"] = [];
    expect(() => (list = diags(yaml).list)).not.toThrow();
    expect(list).toEqual([err(keyPos(yaml, "harbor"), "clips.harbor must be a mapping, got null")]);
  });

  it("a clip that is not a mapping is an error at its value", () => {
    const yaml = `version: 1\nclips:\n  harbor: 5\n`;
    expect(diags(yaml).list).toEqual([err(valuePos(yaml, "harbor"), "clips.harbor must be a mapping, got 5")]);
  });

  it("a manifest that is a list → one error at 1:1", () => {
    expect(diags("- a\n- b\n").list).toEqual([err({ line: 1, col: 1 }, /the manifest must be a mapping/)]);
  });

  it("duplicate clip ids in one file (YAML duplicate key): error at the second one", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n${PROMPT}  harbor:\n    model: klingai:3@1\n${PROMPT}`;
    const list = diags(yaml).list;
    expect(list).toEqual([err(posOf(yaml, "harbor:", 2), /duplicate key/)]);
  });

  it("the same clip id in two manifests: error at the second, naming the first's location", () => {
    const a = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n${PROMPT}`;
    const b = `version: 1\nclips:\n  lighthouse:\n    model: klingai:1@2\n${PROMPT}  harbor:\n    model: klingai:3@1\n${PROMPT}`;
    const project = loadProject({ root: makeProject({ "specs/a.yaml": a, "specs/b.yaml": b }) });
    const first = keyPos(a, "harbor");
    expect(project.diagnostics).toEqual([
      { file: "specs/b.yaml", ...keyPos(b, "harbor"), severity: "error", message: `duplicate clip id "harbor" (also defined at specs/a.yaml:${first.line}:${first.col})` },
    ]);
    expect(project.clips.map((c) => [c.address, c.manifest])).toEqual([
      ["harbor", "specs/a.yaml"],
      ["lighthouse", "specs/b.yaml"],
    ]);
  });

  it("the same clip id in two manifests is reported even when one of the two clips has another error", () => {
    const a = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n${PROMPT}    duration: 7\n`;
    const b = `version: 1\nclips:\n  harbor:\n    model: klingai:3@1\n${PROMPT}`;
    const project = loadProject({ root: makeProject({ "specs/a.yaml": a, "specs/b.yaml": b }) });
    expect(project.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}`)).toEqual([
      `specs/a.yaml:${valuePos(a, "duration").line}:${valuePos(a, "duration").col}`,
      `specs/b.yaml:${keyPos(b, "harbor").line}:${keyPos(b, "harbor").col}`,
    ]);
    expect(project.diagnostics[1]!.message).toMatch(/"harbor".*specs\/a\.yaml:3:3/);
  });

  it("a clip id is unique in the project even when one of the two clips fans out", () => {
    const a = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: A \${look} harbor\n    matrix:\n      look: [noir]\n`;
    const b = `version: 1\nclips:\n  harbor:\n    model: klingai:3@1\n${PROMPT}`;
    const project = loadProject({ root: makeProject({ "specs/a.yaml": a, "specs/b.yaml": b }) });
    expect(errorsOf(project).map((d) => ({ file: d.file, line: d.line, col: d.col }))).toEqual([{ file: "specs/b.yaml", ...keyPos(b, "harbor") }]);
    expect(errorsOf(project)[0]!.message).toMatch(/harbor.*specs\/a\.yaml:3:3/);
  });

  it("a UTF-8 byte order mark does not shift columns on the first line", () => {
    const yaml = `version: 2\nclips:\n  harbor:\n    model: klingai:1@2\n${PROMPT}`;
    expect(diags(`\uFEFF${yaml}`).list).toEqual([err(valuePos(yaml, "version"), "version must be 1, got 2")]);
  });
});

describe("all problems at once", () => {
  it("a manifest with 5 different mistakes gives 5 diagnostics, sorted by line", () => {
    const yaml = [
      "version: 1",
      "clips:",
      "  harbor:",
      "    model: klingai:1@2",
      "    positivePrompt: A slow dolly shot across a quiet harbor at dawn",
      "    outputFormat: GIF",
      "    colour: teal",
      "  lighthouse:",
      "    model: klingai:1@2",
      "    positivePrompt: The lighthouse lamp turns through the fog",
      "    ttl: 30",
      "    duration: 7",
      "    CFGScale: 0.555",
      "",
    ].join("\n");
    const { project, list } = diags(yaml);
    expect(list.map((d) => ({ line: d.line, col: d.col }))).toEqual([
      valuePos(yaml, "outputFormat"),
      keyPos(yaml, "colour"),
      valuePos(yaml, "ttl"),
      valuePos(yaml, "duration"),
      valuePos(yaml, "CFGScale"),
    ]);
    expect(list.every((d) => d.severity === "error" && d.file === FILE)).toBe(true);
    expect(list.map((d) => d.message)).toEqual([
      expect.stringMatching(/GIF/),
      expect.stringMatching(/unknown field "colour"/),
      expect.stringMatching(/ttl/),
      expect.stringMatching(/duration 7/),
      expect.stringMatching(/CFGScale 0\.555/),
    ]);
    expect(project.clips).toEqual([]);
  });

  it("problems in two files are all reported, sorted by file then line", () => {
    const bad = (id: string, field: string) => `version: 1\nclips:\n  ${id}:\n    model: klingai:1@2\n${PROMPT}${field}`;
    const project = loadProject({
      root: makeProject({ "specs/b.yaml": bad("d", "    duration: 7\n"), "specs/a.yaml": bad("c", "    ttl: 1\n    outputQuality: 5\n") }),
    });
    expect(project.diagnostics.map((d) => `${d.file}:${d.line}`)).toEqual(["specs/a.yaml:6", "specs/a.yaml:7", "specs/b.yaml:6"]);
  });

  it("a file with errors does not stop another file's clips from loading", () => {
    const project = loadProject({
      root: makeProject({
        "specs/a.yaml": `version: 1\nclips:\n  a:\n    model: klingai:1@2\n${PROMPT}    duration: 7\n`,
        "specs/b.yaml": `version: 1\nclips:\n  b:\n    model: klingai:1@2\n${PROMPT}`,
      }),
    });
    expect(project.clips.map((c) => c.address)).toEqual(["b"]);
    expect(project.diagnostics).toHaveLength(1);
  });
});
