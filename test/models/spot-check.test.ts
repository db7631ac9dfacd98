/**
 * Definitions spot-checked against the fact sheet: a rule no source gives is not made up.
 * LTX-2 Pro's schema has CFGScale but no source gives its range, so no range is checked (it was
 * Kling's 0–1, which would have warned on values the API may well take).
 */
import { describe, expect, it } from "vitest";
import { getModel } from "../../src/models/catalog.js";
import { checkVideoRequest } from "../../src/models/rules.js";

const ltx = { model: "lightricks:2@0", positivePrompt: "A slow dolly shot across a quiet harbor at dawn", width: 1920, height: 1080, duration: 6 };

describe("spot-checked definitions", () => {
  it("LTX-2 Pro: CFGScale without a known range, so any number passes and a non-number is still refused", () => {
    expect(getModel("lightricks:2@0")!.CFGScale).toMatchObject({ supported: true, confidence: "unconfirmed" });
    expect(getModel("lightricks:2@0")!.CFGScale.max).toBeUndefined();
    expect(checkVideoRequest({ ...ltx, CFGScale: 3.5 })).toEqual([]);
    expect(checkVideoRequest({ ...ltx, CFGScale: "high" })).toEqual([
      { severity: "error", path: ["CFGScale"], code: "invalidCFGScale", message: 'CFGScale must be a number, got "high"' },
    ]);
  });

  it("Kling keeps its verified 0–1 range", () => {
    const issues = checkVideoRequest({ model: "klingai:5@3", positivePrompt: "A lighthouse at night", width: 1920, height: 1080, duration: 5, CFGScale: 3.5 });
    expect(issues.map((i) => [i.severity, i.message])).toEqual([["error", "CFGScale must be a number from 0 to 1, got 3.5"]]);
  });

  it("Seedance 1 Pro Fast, Veo 3.1 Fast, PixVerse V5.5 and Vidu Q2 Pro keep what the fact sheet says", () => {
    expect(getModel("bytedance:2@2")).toMatchObject({ durations: { range: { min: 1.2, max: 12, step: 0.1 }, default: 5 }, imageLimits: { maxSide: 6000, maxBytes: 10 * 1048576, confidence: "verified" } });
    expect(getModel("google:3@3")).toMatchObject({ durations: { confidence: "conflict", values: [4, 6, 7, 8] }, CFGScale: { supported: false } });
    expect(getModel("pixverse:1@6")).toMatchObject({ prices: { rows: [] }, imageLimits: { maxSide: 4000, confidence: "unconfirmed" } });
    expect(getModel("vidu:3@1")!.prices.rows[0]).toMatchObject({ usd: 0.0688, per: "second", resolution: "1080p", source: "documented" });
  });
});
