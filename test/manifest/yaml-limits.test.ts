/**
 * YAML that a pull request could use to stall or crash the loader (alias bombs and cycles,
 * exotic tags, merge keys that cannot merge, huge matrices) ends as one located error, fast.
 */
import { describe, expect, it } from "vitest";
import { HOSTILE_MANIFESTS } from "../hostile/manifests.js";
import { errorsOf, loadOne, posOf } from "../helpers/manifest-fixtures.js";

describe("YAML limits", () => {
  for (const m of HOSTILE_MANIFESTS) {
    it(`${m.name}: a located error, no clips`, () => {
      const started = performance.now();
      const project = loadOne(m.yaml);
      expect(performance.now() - started).toBeLessThan(2_000);
      const errors = errorsOf(project);
      expect(errors.length).toBeGreaterThan(0);
      const hit = errors.find((d) => m.expect.test(d.message));
      expect(hit, errors.map((d) => d.message).join("\n")).toBeDefined();
      expect({ line: hit!.line, col: hit!.col }).toEqual(posOf(m.yaml, m.at, m.occurrence));
      expect(project.clips).toEqual([]);
    });
  }

  it("an error quotes at most a short excerpt of the offending value", () => {
    const long = "a wide shot ".repeat(2_000);
    const yaml = `version: 1\nclips:\n  c1: {model: klingai:1@2, positivePrompt: hi, width: "${long}"}\n`;
    const [error] = errorsOf(loadOne(yaml));
    expect(error!.message).toMatch(/width must be a whole number/);
    expect(error!.message.length).toBeLessThan(200);
  });

  it("an aliased list in an error is described, not printed", () => {
    const yaml = "version: 1\nvariables:\n  l: &l [a, b, c]\nclips:\n  c1: {model: klingai:1@2, positivePrompt: *l}\n";
    const messages = errorsOf(loadOne(yaml)).map((d) => d.message);
    expect(messages).toContain("variables.l must be a string or number, got a list of 3");
    expect(messages.join("\n")).not.toContain('"a"');
  });

  it("aliases that merge defaults into every clip of a big manifest stay allowed", () => {
    const clips = Array.from({ length: 2_000 }, (_, i) => `  c${i}:\n    <<: *d\n    positivePrompt: shot ${i}`).join("\n");
    const project = loadOne(`version: 1\nvariables:\n  x: 1\ndefaults: &d\n  model: klingai:1@2\n  duration: 5\nclips:\n${clips}\n`);
    expect(errorsOf(project)).toEqual([]);
    expect(project.clips).toHaveLength(2_000);
  });
});
