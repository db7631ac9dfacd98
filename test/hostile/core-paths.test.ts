/**
 * The one containment check and the name check (src/core/paths.ts), and the repeated-key finder
 * the lockfile reader uses (src/util/json-keys.ts): pure, so every edge is a line here.
 */
import { describe, expect, it } from "vitest";
import { containedPath, isInside, nameProblem, outDirProblem } from "../../src/core/paths.js";
import { firstRepeatedKey } from "../../src/util/json-keys.js";

describe("isInside / containedPath", () => {
  it("a folder named ..x is inside; .., ../x, absolute paths elsewhere and NUL are not", () => {
    expect(isInside("/p", "..x")).toBe(true);
    expect(isInside("/p", "a/..x/b")).toBe(true);
    expect(isInside("/p", "..")).toBe(false);
    expect(isInside("/p", "../x")).toBe(false);
    expect(isInside("/p", "a/../../x")).toBe(false);
    expect(isInside("/p", "/etc/passwd")).toBe(false);
    expect(isInside("/p", "/p/a")).toBe(true);
    expect(isInside("/p", "/pa")).toBe(false);
    expect(isInside("/p", "a\0b")).toBe(false);
  });

  it("the folder itself counts only when asked", () => {
    expect(isInside("/p", ".")).toBe(false);
    expect(isInside("/p", "/p", { orSelf: true })).toBe(true);
    expect(isInside("/p", "a/..", { orSelf: true })).toBe(true);
  });

  it("containedPath takes relative paths only and resolves them", () => {
    expect(containedPath("/p", "..x/a.mp4")).toBe("/p/..x/a.mp4");
    expect(containedPath("/p", "clipform-out/takes/../../../home/victim.txt")).toBeUndefined();
    expect(containedPath("/p", "/p/a")).toBeUndefined();
    expect(containedPath("/p", "")).toBeUndefined();
  });
});

describe("nameProblem: what data names is one path segment", () => {
  it.each([
    ["a/../../.clipform/sim/clipform.lock.json", "holds a path separator"],
    ["../../../../", "holds a path separator"],
    ["..", 'is ".."'],
    [".", 'is "."'],
    ["", "is empty"],
    ["a\\b", "holds a path separator"],
    ["a\nb", "holds a control character"],
    ["x".repeat(256), "is longer than 255 characters"],
  ])("%j %s", (name, why) => {
    expect(nameProblem(name)).toBe(why);
  });

  it("ordinary names pass, dots inside included", () => {
    for (const n of ["klingai-3-1.json", "0b3ce4acb853", "..x", "a..b"]) expect(nameProblem(n)).toBeUndefined();
  });
});

describe("outDirProblem: the output folder is a folder inside the project", () => {
  it.each([
    [".", "is the project root or a folder above it"],
    ["a/..", "is the project root or a folder above it"],
    ["..", "is the project root or a folder above it"],
    ["/home/me/Videos", "lies outside the project"],
    ["../videos", "lies outside the project"],
    ["node_modules", "lies inside node_modules/"],
    ["node_modules/.bin", "lies inside node_modules/"],
    [".git/x", "lies inside .git/"],
  ])("%j %s", (outDir, why) => {
    expect(outDirProblem("/p", outDir)).toBe(why);
  });

  it("clipform-out, a nested folder and the simulator's are fine", () => {
    for (const o of ["clipform-out", "media/out", ".clipform/sim/clipform-out", "/p/out"]) expect(outDirProblem("/p", o)).toBeUndefined();
  });
});

describe("firstRepeatedKey", () => {
  it("finds the same clip address twice, with both offsets and where it sits", () => {
    const text = '{\n  "clips": {\n    "c1": {"tasks": []},\n    "c2": {},\n    "c1": {"tasks": [1]}\n  }\n}';
    const r = firstRepeatedKey(text);
    expect(r).toEqual({ key: "c1", path: ["clips"], first: text.indexOf('"c1"'), second: text.lastIndexOf('"c1"') });
  });

  it("sees through escapes, ignores keys in strings, and keys of different objects", () => {
    expect(firstRepeatedKey('{"clips":{"c1":{},"c\\u0031":{}}}')?.key).toBe("c1");
    expect(firstRepeatedKey('{"a":"\\"a\\":1","b":{"a":1},"c":[{"a":1},{"a":2}]}')).toBeUndefined();
    expect(firstRepeatedKey('{"a":"x\\\\","a":1}')?.key).toBe("a");
  });

  it("large objects (a lockfile's clips) switch to a map and still find the repeat", () => {
    const keys = Array.from({ length: 500 }, (_, i) => `"clip-${i}":{"tasks":[]}`);
    expect(firstRepeatedKey(`{"clips":{${keys.join(",")}}}`)).toBeUndefined();
    const r = firstRepeatedKey(`{"clips":{${keys.join(",")},"clip-7":{}}}`);
    expect(r?.key).toBe("clip-7");
    expect(r?.path).toEqual(["clips"]);
  });
});
