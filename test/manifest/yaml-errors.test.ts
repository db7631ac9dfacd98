/**
 * YAML syntax errors are reported where the user has to look: an unterminated quote or flow
 * collection where it OPENS (the parser notices only at the end of the file), a bad
 * indentation on the badly indented line.
 */
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/manifest/index.js";
import { cleanupProjectsAfterEach, keyPos, loadOne, makeProject, posOf } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const FILE = "specs/main.yaml";
const at = (d: { line: number; col: number }) => ({ line: d.line, col: d.col });

/** Several clips after the broken one, so "the end of the file" is far from the problem. */
const TAIL = [
  "  lighthouse:",
  "    model: klingai:1@2",
  "    positivePrompt: The lighthouse lamp turns through the fog",
  "  monorail:",
  "    model: klingai:3@1",
  "    positivePrompt: A monorail glides over rice terraces",
  "    duration: 10",
  "",
].join("\n");

describe("YAML syntax errors", () => {
  it("an unterminated double quote is reported where the quote opens, once", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: "A slow dolly shot across the harbor\n    duration: 5\n${TAIL}`;
    const project = loadOne(yaml);
    expect(project.diagnostics).toEqual([
      { file: FILE, ...posOf(yaml, '"A slow'), severity: "error", message: "unterminated quoted string: the closing quote is missing" },
    ]);
    expect(project.clips).toEqual([]);
  });

  it("an unterminated single quote on the last line is reported where it opens", () => {
    const yaml = `version: 1\nclips:\n${TAIL}  harbor:\n    model: klingai:1@2\n    positivePrompt: 'A slow dolly shot\n`;
    const project = loadOne(yaml);
    expect(project.diagnostics.map(at)).toEqual([posOf(yaml, "'A slow")]);
    expect(project.diagnostics[0]!.message).toMatch(/unterminated quoted string/);
  });

  it("an unterminated quote inside a flow sequence: every diagnostic at the quote", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: A harbor\n    inputs:\n      frameImages: ["https://example.com/a.jpg]\n${TAIL}`;
    const project = loadOne(yaml);
    expect(project.diagnostics.length).toBeGreaterThan(0);
    expect(project.diagnostics[0]!.message).toMatch(/unterminated quoted string/);
    for (const d of project.diagnostics) expect(at(d)).toEqual(posOf(yaml, '"https://example.com/a.jpg'));
  });

  it("an unclosed flow map { is reported where it opens", () => {
    const yaml = `version: 1\nclips:\n  harbor: { model: klingai:1@2, positivePrompt: A slow dolly shot\n${TAIL}`;
    const project = loadOne(yaml);
    expect(project.diagnostics.map(at)).toEqual([posOf(yaml, "{ model")]);
    expect(project.diagnostics[0]).toMatchObject({ file: FILE, severity: "error", message: expect.stringMatching(/\}/) });
  });

  it("an unclosed flow map on the last line is reported where it opens", () => {
    const yaml = `version: 1\nclips:\n${TAIL}  harbor:\n    model: klingai:1@2\n    positivePrompt: A harbor\n    safety: { mode: fast\n`;
    expect(loadOne(yaml).diagnostics.map(at)).toEqual([posOf(yaml, "{ mode")]);
  });

  it("an unclosed flow sequence [ is reported where it opens", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: A harbor\n    inputs:\n      frameImages: [https://example.com/a.jpg\n${TAIL}`;
    expect(loadOne(yaml).diagnostics.map(at)).toEqual([posOf(yaml, "[https")]);
  });

  it("a key indented less than its siblings is reported on that line", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n   positivePrompt: A harbor\n${TAIL}`;
    const project = loadOne(yaml);
    const bad = posOf(yaml, "   positivePrompt");
    expect(project.diagnostics).toHaveLength(1);
    const d = project.diagnostics[0]!;
    expect(d).toMatchObject({ file: FILE, line: bad.line, severity: "error" });
    // Anywhere from the start of the line to the key itself.
    expect(d.col).toBeGreaterThanOrEqual(1);
    expect(d.col).toBeLessThanOrEqual(keyPos(yaml, "positivePrompt").col);
    expect(project.clips).toEqual([]);
  });

  it("a key indented more than its siblings is reported on that line, once", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n      positivePrompt: A harbor\n${TAIL}`;
    const project = loadOne(yaml);
    expect(project.diagnostics.map(at)).toEqual([keyPos(yaml, "positivePrompt")]);
  });

  it("a tab used as indentation is reported first, at the tab", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n\tmodel: klingai:1@2\n${TAIL}`;
    const project = loadOne(yaml);
    expect(at(project.diagnostics[0]!)).toEqual(posOf(yaml, "\t"));
    expect(project.diagnostics[0]!.message).toMatch(/[Tt]ab/);
    expect(project.clips).toEqual([]);
  });

  it("a duplicate field inside a clip is reported at the second key", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: A harbor\n    model: klingai:3@1\n`;
    const project = loadOne(yaml);
    expect(project.diagnostics).toEqual([
      { file: FILE, ...posOf(yaml, "model:", 2), severity: "error", message: "duplicate key: this key is already defined in the same mapping" },
    ]);
  });

  it("a syntax error in one manifest does not hide the clips or the errors of another", () => {
    const broken = `version: 1\nclips:\n  harbor: { model: klingai:1@2\n`;
    const fine = `version: 1\nclips:\n  lighthouse:\n    model: klingai:1@2\n    positivePrompt: A lighthouse\n    duration: 7\n  monorail:\n    model: klingai:1@2\n    positivePrompt: A monorail\n`;
    const project = loadProject({ root: makeProject({ "specs/a.yaml": broken, "specs/b.yaml": fine }) });
    expect(project.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}`)).toEqual([
      `specs/a.yaml:${posOf(broken, "{").line}:${posOf(broken, "{").col}`,
      `specs/b.yaml:6:15`,
    ]);
  });
});
