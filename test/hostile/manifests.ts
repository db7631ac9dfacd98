/**
 * Manifests a hostile pull request could send, each with what `validate` must say about it:
 * a located error whose message matches `expect` (and nothing that looks like a crash).
 */
const levels = (n: number, width: number) => {
  const lines = [`  l0: &l0 [${Array(width).fill("x").join(", ")}]`];
  for (let i = 1; i < n; i++) lines.push(`  l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(", ")}]`);
  return lines.join("\n");
};

export interface HostileManifest {
  name: string;
  yaml: string;
  /** What the error says, and the text it points at (its first occurrence in `yaml`). */
  expect: RegExp;
  at: string;
  occurrence?: number;
}

export const HOSTILE_MANIFESTS: HostileManifest[] = [
  {
    name: "an alias inside the value it names",
    yaml: "version: 1\nclips:\n  c1: &c {model: klingai:1@2, positivePrompt: hi, matrix: {m: *c}}\n",
    expect: /alias \*c is inside the value it names/,
    at: "*c}",
  },
  {
    name: "a nested alias cycle in a list",
    yaml: "version: 1\nvariables:\n  a: &a [1, [2, *a]]\nclips: {}\n",
    expect: /alias \*a is inside the value it names/,
    at: "*a]",
  },
  {
    name: "an alias bomb of a few hundred bytes",
    yaml: `version: 1\nvariables:\n${levels(8, 10)}\nclips:\n  c1: {model: klingai:1@2, positivePrompt: *l7}\n`,
    expect: /aliases expand this manifest to more than 1,000,000 values/,
    // The running total crosses the limit at the 8th alias of l4 (l5 holds 1,111,111 values).
    at: "*l4",
    occurrence: 8,
  },
  {
    name: "clips as an ordered map (!!omap)",
    yaml: "version: 1\nclips: !!omap\n  - c1: {model: klingai:1@2, positivePrompt: hi}\n",
    expect: /YAML tag !!omap is not supported in a manifest: write a plain mapping/,
    at: "- c1",
  },
  {
    name: "clips as a set (!!set)",
    yaml: "version: 1\nclips: !!set\n  ? c1\n",
    expect: /YAML tag !!set is not supported/,
    at: "? c1",
  },
  {
    name: "a binary scalar where a prompt is expected",
    yaml: "version: 1\nclips:\n  c1: {model: klingai:1@2, positivePrompt: !!binary aGVsbG8=}\n",
    expect: /YAML tag !!binary is not supported/,
    at: "aGVsbG8=",
  },
  {
    name: "a merge key with a scalar",
    yaml: "version: 1\nvariables:\n  s: &s hello\nclips:\n  c1:\n    <<: *s\n    model: klingai:1@2\n    positivePrompt: hi\n",
    expect: /merge key \(<<\) takes a mapping/,
    at: "*s\n",
  },
  {
    name: "a mapping used as a key",
    yaml: "version: 1\nclips:\n  ? {a: 1}\n  : {model: klingai:1@2, positivePrompt: hi}\n",
    expect: /a key must be a plain name/,
    at: "{a: 1}",
  },
  {
    name: "a matrix whose last axis is empty, after 7 axes × 10 values",
    yaml: `version: 1\nclips:\n  c1:\n    model: klingai:1@2\n    positivePrompt: hi\n    matrix:\n${"abcdefg"
      .split("")
      .map((a) => `      ${a}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]`)
      .join("\n")}\n      h:\n`,
    expect: /this matrix fans out to 10,000,000 clips/,
    at: "matrix:",
  },
  {
    name: "a matrix of 8 axes × 10 values",
    yaml: `version: 1\nclips:\n  c1:\n    model: klingai:1@2\n    positivePrompt: hi\n    matrix:\n${"abcdefgh"
      .split("")
      .map((a) => `      ${a}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]`)
      .join("\n")}\n`,
    expect: /this matrix fans out to 100,000,000 clips; the limit is 10,000 per clip/,
    at: "matrix:",
  },
];
