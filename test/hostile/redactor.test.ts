/**
 * The redactor is one linear pass: its work (steps tried) grows with the text, never with the
 * square of a run of backslashes (a regular expression with `\\+` made a 300 KB reply cost 15
 * minutes). And the key is found in the encodings a server can put in a URL it builds from it:
 * hex, base64, base64url, dotted or split by separators.
 */
import { describe, expect, it } from "vitest";
import { readVideoItem } from "../../src/runware/items.js";
import { RunwareError } from "../../src/runware/errors.js";
import { findSpellings, redactorFor, spellingsOf, type ScanStats } from "../../src/util/secrets.js";

const KEY = "sk-live-7Hq2Xw9Lm4Pz8Rt6-SECRET";
const redact = redactorFor(KEY);

function steps(text: string): number {
  const stats: ScanStats = { steps: 0 };
  findSpellings(text, spellingsOf(KEY), stats);
  return stats.steps;
}

describe("the redactor's work is linear in the text", () => {
  it("on runs of backslashes, doubling the text doubles the work", () => {
    const small = steps("\\".repeat(20_000));
    const big = steps("\\".repeat(40_000));
    expect(big).toBeLessThanOrEqual(2 * small + 100);
  });

  it("on backslash runs between near-misses of the key (a hostile server knows the key)", () => {
    const chunk = (n: number) => `${KEY.slice(0, 20)}${"\\".repeat(n)}u00`;
    const small = steps(chunk(5_000).repeat(4));
    const big = steps(chunk(10_000).repeat(4));
    expect(big).toBeLessThanOrEqual(2 * small + 1_000);
  });

  it("4 MB of backslashes: a bounded number of steps per character, and nothing redacted", () => {
    const text = "\\".repeat(4 * 1024 * 1024);
    const stats: ScanStats = { steps: 0 };
    expect(findSpellings(text, spellingsOf(KEY), stats)).toEqual([]);
    expect(stats.steps).toBeLessThanOrEqual(40 * text.length);
    // The key right after the run is still found, JSON-escaped.
    const escaped = [...KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    expect(redact(`${"\\".repeat(100_000)}${escaped}!`).endsWith("[redacted]!")).toBe(true);
  });
});

describe("encodings a server can put in a URL", () => {
  const b64 = Buffer.from(KEY).toString("base64");
  const b64url = Buffer.from(KEY).toString("base64url");
  const hex = Buffer.from(KEY).toString("hex");
  it.each([
    ["base64", `https://cdn.example/v/${b64}/video.mp4`],
    ["base64, after other bytes", `https://cdn.example/v/${Buffer.from(`k=${KEY}`).toString("base64")}.mp4`],
    ["base64, URL-encoded", `https://cdn.example/v.mp4?t=${encodeURIComponent(b64)}`],
    ["base64url", `https://cdn.example/v/${b64url}.mp4`],
    ["hex", `https://cdn.example/v/${hex}.mp4`],
    ["HEX", `https://cdn.example/v/${hex.toUpperCase()}.mp4`],
    ["dotted", `https://cdn.example/v/${[...KEY].join(".")}.mp4`],
    ["split by slashes", `https://cdn.example/${KEY.slice(0, 9)}/${KEY.slice(9, 20)}/${KEY.slice(20)}/v.mp4`],
    ["split by underscores", `https://cdn.example/v.mp4?a=${KEY.slice(0, 12)}_${KEY.slice(12)}`],
  ])("%s", (_name, url) => {
    const out = redact(url);
    expect(out).toContain("[redacted]");
    expect(out.startsWith("https://cdn.example/")).toBe(true);
    // Nothing that decodes to a long piece of the key is left.
    for (const piece of [KEY.slice(0, 12), KEY.slice(12), b64.slice(4, 20), hex.slice(8, 30)]) expect(out).not.toContain(piece);
  });

  it("ordinary URLs are untouched", () => {
    const url = "https://im.runware.ai/video/ws/5/vi/0a6f0e1c-8d6b-4b8e-9d9c-6a4b2e1f3c5d.mp4?sig=YWJjZGVmZ2hpamtsbW5vcA";
    expect(redact(url)).toBe(url);
  });
});

describe("a videoURL built with the key", () => {
  it("is kept redacted, and the reading says so", () => {
    const body = redact(JSON.stringify({ videoUUID: "v1", status: "success", videoURL: `https://cdn.example/${Buffer.from(KEY).toString("base64url")}/v.mp4` }));
    const item = JSON.parse(body) as Record<string, unknown>;
    const reading = readVideoItem("t1", item, "data[0]", () => new RunwareError({ kind: "provider", retryable: false, message: "x" }));
    if (reading.kind !== "success") throw new Error(reading.kind);
    expect(reading.video.videoURL).toContain("[redacted]");
    expect(reading.notes.join("\n")).toContain("carried the API key");
  });
});
