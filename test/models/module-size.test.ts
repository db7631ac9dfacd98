/**
 * The model rules stay split by job (STYLE.md: files under ~400 lines, one module per job): the
 * request shape and confidence judging, the size/duration/parameter rules, the input rules.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const dir = new URL("../../src/models/", import.meta.url);

describe("src/models modules", () => {
  it("each stays under 400 lines", () => {
    const long = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => ({ f, lines: readFileSync(new URL(f, dir), "utf8").split("\n").length }))
      .filter((x) => x.lines > 400);
    expect(long).toEqual([]);
  });

  it("the input rules live apart from the size and duration rules", async () => {
    const inputs = await import("../../src/models/input-rules.js");
    expect(Object.keys(inputs).sort()).toEqual(["checkFrames", "checkOtherInputs", "checkPrompts"]);
  });
});
