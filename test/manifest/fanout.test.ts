/**
 * Expansion: matrices fan out into clips with stable addresses, variables are substituted,
 * defaults merge under clip fields, YAML anchors/aliases/merge keys work, and an error in a
 * shared piece of YAML points at the line where that piece is written.
 */
import { describe, expect, it } from "vitest";
import type { Project } from "../../src/manifest/index.js";
import { cleanupProjectsAfterEach, errorsOf, load, loadOne, posOf, valuePos } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const MATRIX = `version: 1
variables:
  place: harbor
clips:
  harbor:
    positivePrompt: A \${style} shot of the \${place} at dawn
    duration: 5
    matrix:
      size:
        landscape: { width: 1280, height: 720 }
        portrait: { width: 720, height: 1280 }
      style: [cinematic, watercolor]
      model: [klingai:1@2, klingai:3@1]
`;

/** The same manifest, reformatted: keys reordered, block vs flow style, quoting, comments, value order. */
const MATRIX_REFORMATTED = `# the same clips, written differently
clips:
  harbor:
    matrix:
      size:
        portrait:
          height: 1280
          width: 720
        landscape: {height: 720, width: 1280}
      style:
        - watercolor   # order of values does not matter
        - "cinematic"
      model: ['klingai:3@1', "klingai:1@2"]
    duration: 5.0
    positivePrompt: "A \${style} shot of the \${place} at dawn"
variables: { place: harbor }
version: 1
`;

const table = (p: Project) => p.clips.map((c) => ({ address: c.address, fingerprint: c.fingerprint }));

describe("matrix fan-out", () => {
  it("size × style × model expands to one clip per combination with readable addresses", () => {
    const project = loadOne(MATRIX);
    expect(project.diagnostics).toEqual([]);
    expect(project.clips.map((c) => c.address)).toEqual([
      "harbor/landscape/cinematic/klingai-1-2",
      "harbor/landscape/cinematic/klingai-3-1",
      "harbor/landscape/watercolor/klingai-1-2",
      "harbor/landscape/watercolor/klingai-3-1",
      "harbor/portrait/cinematic/klingai-1-2",
      "harbor/portrait/cinematic/klingai-3-1",
      "harbor/portrait/watercolor/klingai-1-2",
      "harbor/portrait/watercolor/klingai-3-1",
    ]);
    const c = project.clips.find((x) => x.address === "harbor/portrait/watercolor/klingai-3-1")!;
    expect(c.clipId).toBe("harbor");
    expect(c.matrix).toEqual({ size: "portrait", style: "watercolor", model: "klingai-3-1" });
    expect(c.generation).toEqual({
      model: "klingai:3@1",
      positivePrompt: "A watercolor shot of the harbor at dawn",
      width: 720,
      height: 1280,
      duration: 5,
      CFGScale: 0.5,
      outputFormat: "MP4",
      outputQuality: 95,
    });
    expect(new Set(project.clips.map((x) => x.fingerprint)).size).toBe(8);
    for (const x of project.clips) expect(x.location).toEqual({ file: "specs/main.yaml", ...posOf(MATRIX, "harbor:") });
  });

  it("addresses and fingerprints do not change when the YAML is reformatted and reordered", () => {
    const a = loadOne(MATRIX);
    const b = loadOne(MATRIX_REFORMATTED);
    expect(b.diagnostics).toEqual([]);
    expect(table(b)).toEqual(table(a));
  });

  it("moving a field into defaults changes nothing either", () => {
    const moved = MATRIX.replace("    duration: 5\n", "").replace("clips:\n", "defaults:\n  duration: 5\nclips:\n");
    expect(moved).not.toEqual(MATRIX);
    expect(table(loadOne(moved))).toEqual(table(loadOne(MATRIX)));
  });

  it("moving a clip to another manifest file keeps its address and fingerprint", () => {
    const other = `version: 1\nclips:\n  lighthouse:\n    model: klingai:1@1\n    positivePrompt: The lighthouse lamp turns\n`;
    const together = load({ "specs/main.yaml": MATRIX + other.replace("version: 1\nclips:\n", "") });
    const split = load({ "specs/main.yaml": MATRIX, "specs/more/lighthouse.yaml": other });
    expect(together.diagnostics).toEqual([]);
    expect(split.diagnostics).toEqual([]);
    expect(table(split)).toEqual(table(together));
    expect(split.clips.find((c) => c.address === "lighthouse")!.manifest).toBe("specs/more/lighthouse.yaml");
  });

  it("list values become path-safe slugs; map keys are used as written", () => {
    const yaml = `version: 1\nclips:\n  shot:\n    model: klingai:1@2\n    positivePrompt: A \${mood} morning, \${lens}\n    matrix:\n      mood: [Film Noir, "golden hour!"]\n      lens:\n        wide_24mm: a 24mm wide lens\n`;
    const project = loadOne(yaml);
    expect(project.diagnostics).toEqual([]);
    expect(project.clips.map((c) => [c.address, c.generation.positivePrompt])).toEqual([
      ["shot/film-noir/wide_24mm", "A Film Noir morning, a 24mm wide lens"],
      ["shot/golden-hour/wide_24mm", "A golden hour! morning, a 24mm wide lens"],
    ]);
  });

  it("a matrix value wins over the clip, which wins over defaults", () => {
    const yaml = `version: 1
defaults:
  model: klingai:1@2
  width: 1280
  height: 720
  duration: 10
  safety: { checkContent: true }
clips:
  harbor:
    positivePrompt: A quiet harbor at dawn
    duration: 5
    CFGScale: 0.7
    safety: { mode: fast }
    matrix:
      guidance:
        loose: { CFGScale: 0.3 }
        default: {}
`;
    const project = loadOne(yaml);
    expect(project.diagnostics).toEqual([]);
    const byAddr = Object.fromEntries(project.clips.map((c) => [c.address, c.generation]));
    expect(byAddr["harbor/loose"]).toMatchObject({ model: "klingai:1@2", width: 1280, height: 720, duration: 5, CFGScale: 0.3, safety: { checkContent: true, mode: "fast" } });
    expect(byAddr["harbor/default"]).toMatchObject({ duration: 5, CFGScale: 0.7 });
  });

  it("an error inside a matrix value is reported at that value, prefixed with each expanded address", () => {
    const yaml = `version: 1
clips:
  harbor:
    model: klingai:1@2
    positivePrompt: A \${style} harbor
    matrix:
      pace:
        slow: { duration: 7 }
        fast: { duration: 5 }
      style: [noir, pastel]
`;
    const project = loadOne(yaml);
    const at = posOf(yaml, "7 }");
    expect(project.diagnostics.map(({ code: _c, ...d }) => d)).toEqual([
      { file: "specs/main.yaml", ...at, severity: "error", message: "harbor/slow/noir: duration 7 is not supported by klingai:1@2 (allowed: 5, 10 seconds)" },
      { file: "specs/main.yaml", ...at, severity: "error", message: "harbor/slow/pastel: duration 7 is not supported by klingai:1@2 (allowed: 5, 10 seconds)" },
    ]);
    expect(project.clips.map((c) => c.address).filter((a) => a.includes("/slow/"))).toEqual([]);
  });

  it("an error in a list axis that sets a field is reported at the list item", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: A harbor\n    matrix:\n      duration: [5, 7]\n`;
    const project = loadOne(yaml);
    expect(errorsOf(project).map((d) => ({ line: d.line, col: d.col, message: d.message }))).toEqual([
      { ...posOf(yaml, "7]"), message: expect.stringMatching(/^harbor\/7: duration 7 is not supported/) },
    ]);
  });

  it("a size from a matrix value that the model does not support is reported at the matrix value's width", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n    model: klingai:3@1\n    positivePrompt: A harbor\n    matrix:\n      size:\n        hd:\n          width: 1920\n          height: 1080\n`;
    const project = loadOne(yaml);
    expect(errorsOf(project).map((d) => ({ line: d.line, col: d.col, message: d.message }))).toEqual([
      { ...valuePos(yaml, "width"), message: expect.stringMatching(/^harbor\/hd: 1920x1080 is not a supported size for klingai:3@1/) },
    ]);
  });

  it("a prompt that becomes too long only once a matrix value is substituted is caught, with the address", () => {
    const long = "w".repeat(2490);
    const yaml = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: ${long} \${look}\n    matrix:\n      look: [noir, watercolor]\n`;
    const project = loadOne(yaml);
    expect(project.diagnostics.map((d) => ({ line: d.line, col: d.col, message: d.message }))).toEqual([
      { ...valuePos(yaml, "positivePrompt"), message: expect.stringMatching(/^harbor\/watercolor: positivePrompt must be 2 to 2500 characters long, got 2501$/) },
    ]);
    expect(project.clips.map((c) => c.address)).toEqual(["harbor/noir"]);
  });

  it("two values with the same slug and an axis named like a variable are errors", () => {
    const dup = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: A harbor\n    matrix:\n      style: [Film Noir, film-noir]\n`;
    expect(errorsOf(loadOne(dup)).map((d) => [d.line, d.message])).toEqual([[7, 'matrix axis "style": two values give the same address key "film-noir"']]);
    const clash = `version: 1\nvariables:\n  style: noir\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: A harbor\n    matrix:\n      style: [noir]\n`;
    expect(errorsOf(loadOne(clash)).map((d) => ({ line: d.line, col: d.col }))).toEqual([posOf(clash, "style:", 2)]);
  });
});

describe("defaults", () => {
  it("a bad default is reported once, at the defaults line, naming the clips it reaches", () => {
    const yaml = `version: 1
defaults:
  model: klingai:1@2
  duration: 7
clips:
  harbor:
    positivePrompt: A quiet harbor
  lighthouse:
    positivePrompt: A lighthouse in fog
`;
    const project = loadOne(yaml);
    expect(project.diagnostics.map(({ code: _c, ...d }) => d)).toEqual([
      { file: "specs/main.yaml", ...valuePos(yaml, "duration"), severity: "error", message: "duration 7 is not supported by klingai:1@2 (allowed: 5, 10 seconds) (set by defaults:, reaching harbor, lighthouse; `duration: null` in a clip unsets it there)" },
    ]);
  });

  it("a clip that overrides the bad default is fine", () => {
    const yaml = `version: 1\ndefaults:\n  model: klingai:1@2\n  duration: 7\nclips:\n  harbor:\n    positivePrompt: A quiet harbor\n    duration: 10\n`;
    const project = loadOne(yaml);
    expect(project.diagnostics).toEqual([]);
    expect(project.clips[0]!.generation.duration).toBe(10);
  });
});

describe("YAML anchors, aliases and merge keys", () => {
  it("merge keys and aliases expand like the written-out clips", () => {
    const yaml = `version: 1
clips:
  harbor: &base
    model: klingai:1@2
    positivePrompt: A quiet harbor at dawn
    width: 720
    height: 1280
    CFGScale: 0.6
  lighthouse:
    <<: *base
    positivePrompt: The lighthouse lamp turns in the fog
  harbor-copy: *base
`;
    const written = `version: 1
clips:
  harbor:
    model: klingai:1@2
    positivePrompt: A quiet harbor at dawn
    width: 720
    height: 1280
    CFGScale: 0.6
  lighthouse:
    model: klingai:1@2
    positivePrompt: The lighthouse lamp turns in the fog
    width: 720
    height: 1280
    CFGScale: 0.6
  harbor-copy:
    model: klingai:1@2
    positivePrompt: A quiet harbor at dawn
    width: 720
    height: 1280
    CFGScale: 0.6
`;
    const a = loadOne(yaml);
    expect(a.diagnostics).toEqual([]);
    expect(table(a)).toEqual(table(loadOne(written)));
    const fp = Object.fromEntries(table(a).map((r) => [r.address, r.fingerprint]));
    expect(fp["harbor-copy"]).toBe(fp.harbor);
    expect(fp.lighthouse).not.toBe(fp.harbor);
  });

  it("an error in a mapping merged with <<: points at the anchor's definition, for every clip that uses it", () => {
    const yaml = `version: 1
clips:
  harbor: &base
    model: klingai:1@2
    positivePrompt: A quiet harbor at dawn
    duration: 7
  lighthouse:
    <<: *base
    positivePrompt: The lighthouse lamp turns in the fog
`;
    const project = loadOne(yaml);
    expect(project.diagnostics.length).toBeGreaterThan(0);
    for (const d of project.diagnostics) {
      expect({ line: d.line, col: d.col, message: d.message }).toEqual({ ...valuePos(yaml, "duration"), message: expect.stringMatching(/duration 7/) });
    }
  });

  it("a schema error in a mapping merged with <<: points at the anchor's definition too", () => {
    const yaml = `version: 1
defaults:
  model: klingai:1@2
clips:
  harbor: &base
    positivePrompt: A quiet harbor at dawn
    outputFormat: GIF
  lighthouse:
    <<: *base
    positivePrompt: The lighthouse lamp turns in the fog
`;
    const project = loadOne(yaml);
    expect(project.diagnostics.map((d) => ({ line: d.line, col: d.col, message: d.message }))).toEqual([
      { ...valuePos(yaml, "outputFormat"), message: expect.stringMatching(/^clips\.harbor\.outputFormat is "GIF"/) },
      { ...valuePos(yaml, "outputFormat"), message: expect.stringMatching(/^clips\.lighthouse\.outputFormat is "GIF"/) },
    ]);
  });

  it("an error in an aliased mapping points at the anchor's definition", () => {
    const yaml = `version: 1
clips:
  harbor:
    model: klingai:1@2
    positivePrompt: A quiet harbor at dawn
    safety: &strict
      mode: paranoid
  lighthouse:
    model: klingai:1@2
    positivePrompt: The lighthouse lamp turns in the fog
    safety: *strict
  monorail: &whole
    model: klingai:3@1
    positivePrompt: A monorail over the rice fields
    duration: 7
  monorail-again: *whole
`;
    const project = loadOne(yaml);
    const lines = project.diagnostics.map((d) => ({ line: d.line, col: d.col }));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect([valuePos(yaml, "mode"), valuePos(yaml, "duration")]).toContainEqual(l);
    expect(lines).toContainEqual(valuePos(yaml, "mode"));
    expect(lines).toContainEqual(valuePos(yaml, "duration"));
    expect(project.diagnostics.filter((d) => d.line === valuePos(yaml, "mode").line).map((d) => d.message).sort()).toEqual([
      expect.stringMatching(/^clips\.harbor\.safety\.mode is "paranoid"/),
      expect.stringMatching(/^clips\.lighthouse\.safety\.mode is "paranoid"/),
    ]);
  });

  it("an anchored matrix reused by another clip expands for both", () => {
    const yaml = `version: 1
defaults:
  model: klingai:1@2
clips:
  harbor:
    positivePrompt: A \${style} harbor
    matrix: &looks
      style: [noir, pastel]
  lighthouse:
    positivePrompt: A \${style} lighthouse
    matrix: *looks
`;
    const project = loadOne(yaml);
    expect(project.diagnostics).toEqual([]);
    expect(project.clips.map((c) => [c.address, c.generation.positivePrompt])).toEqual([
      ["harbor/noir", "A noir harbor"],
      ["harbor/pastel", "A pastel harbor"],
      ["lighthouse/noir", "A noir lighthouse"],
      ["lighthouse/pastel", "A pastel lighthouse"],
    ]);
  });
});
