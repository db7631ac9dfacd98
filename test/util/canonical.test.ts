import { describe, expect, it } from "vitest";
import { canonicalIndented, sortKeys } from "../../src/util/canonical.js";

/** The text canonicalIndented stands for: the sorted value, stringified, then re-indented. */
const reindented = (v: unknown, depth: number) => JSON.stringify(sortKeys(v), null, 2).replace(/\n/g, "\n" + "  ".repeat(depth));

/** A small seeded generator of JSON-ish values, awkward keys included. */
function values(seed: number, count: number): unknown[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const keys = ["b", "a", "10", "9", "0", "01", "4294967295", "", "é", "Z", "key with \"quotes\"\n", "__proto_"];
  const gen = (d: number): unknown => {
    const r = rnd();
    if (d > 3 || r < 0.3) return [1.5, -0, "text\u2028", true, null, undefined, 1e21, "ünï"][Math.floor(rnd() * 8)];
    if (r < 0.55) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(d + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(rnd() * 6); i > 0; i--) o[keys[Math.floor(rnd() * keys.length)]!] = gen(d + 1);
    return o;
  };
  // A value, not undefined: what JSON.stringify can write at the top.
  return Array.from({ length: count }, () => gen(0)).filter((v) => v !== undefined);
}

describe("canonicalIndented", () => {
  it("writes exactly the sorted, re-indented text at every depth, integer-like keys and undefined included", () => {
    const all = values(7, 400);
    for (const depth of [0, 1, 2, 3]) for (const v of all) expect(canonicalIndented(v, depth)).toBe(reindented(v, depth));
  });

  it("keeps a lockfile entry's text as the lockfile has always had it", () => {
    const entry = { tasks: [{ taskUUID: "t", status: "succeeded" }], fingerprint: "v1:ab", request: { width: 1280, positivePrompt: "a\nb" }, results: [] };
    expect(canonicalIndented(entry, 2)).toBe(
      [
        "{",
        '      "fingerprint": "v1:ab",',
        '      "request": {',
        '        "positivePrompt": "a\\nb",',
        '        "width": 1280',
        "      },",
        '      "results": [],',
        '      "tasks": [',
        "        {",
        '          "status": "succeeded",',
        '          "taskUUID": "t"',
        "        }",
        "      ]",
        "    }",
      ].join("\n"),
    );
  });
});
