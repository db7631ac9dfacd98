import { describe, expect, it } from "vitest";
import { displayValue, videoSrc } from "../../src/report/data.js";
import { desired, entryFor, lockWith, uuid } from "../helpers/plan-data.js";
import { modelOf } from "./model.js";

const clipOf = (m: ReturnType<typeof modelOf>, address: string) => m.clips.find((c) => c.address === address)!;

describe("report model", () => {
  it("a generated clip: its fields, and each variant with seed, cost and a src relative to the report's folder", () => {
    const a = desired("a", { positivePrompt: "A tram at dawn", negativePrompt: "blur" }, 2);
    const m = modelOf([a], lockWith({ a: entryFor(a) }), {}, "/project/reports");
    expect(clipOf(m, "a")).toEqual({
      address: "a",
      clipId: "a",
      manifest: "specs/clips.yaml",
      inManifest: true,
      model: "klingai:3@1",
      prompt: "A tram at dawn",
      negativePrompt: "blur",
      width: 1280,
      height: 720,
      duration: 5,
      numberResults: 2,
      status: "generated",
      videos: [
        expect.objectContaining({ variant: 1, seed: 1000, costUsd: 0.1848, file: "out/a-1.mp4", src: "../out/a-1.mp4", state: "ok" }),
        expect.objectContaining({ variant: 2, seed: 1001, costUsd: 0.1848, file: "out/a-2.mp4", src: "../out/a-2.mp4", state: "ok" }),
      ],
      takes: [expect.objectContaining({ index: 1, current: true, picked: true, costUsd: 0.3696, videos: [expect.objectContaining({ seed: 1000 }), expect.objectContaining({ seed: 1001 })] })],
      spentUsd: 0.3696,
    });
  });

  it("video sources are URLs: each path segment is percent-encoded", () => {
    expect(videoSrc("/p", "/p", "clipform-out/a b/c#1?.mp4")).toBe("clipform-out/a%20b/c%231%3F.mp4");
    expect(videoSrc("/p", "/elsewhere/site", "out/x.mp4")).toBe("../../p/out/x.mp4");
  });

  it("a file missing on disk or never downloaded has no src", () => {
    const a = desired("a", {}, 2);
    const entry = entryFor(a);
    delete entry.results[1]!.file;
    const m = modelOf([a], lockWith({ a: entry }), { "out/a-1.mp4": "missing" });
    expect(clipOf(m, "a").videos.map((v) => [v.state, v.src])).toEqual([
      ["missing", undefined],
      ["not-downloaded", undefined],
    ]);
    expect(clipOf(m, "a").change).toMatchObject({ action: "download", generations: 0 });
  });

  it("statuses: pending (create, add-variants), in flight (a submitted task), failed (with the API's error)", () => {
    const create = desired("create", { positivePrompt: "A new clip" });
    const more = desired("more", {}, 2);
    const flying = desired("flying");
    const failed = desired("failed");
    const lock = lockWith({
      more: entryFor(more, 1),
      flying: entryFor(flying, 0, { tasks: [{ taskUUID: uuid(), numberResults: 1, status: "submitted", submittedAt: "2026-01-01T00:00:00Z" }] }),
      failed: entryFor(failed, 0, {
        tasks: [{ taskUUID: uuid(), numberResults: 1, status: "failed", submittedAt: "2026-01-01T00:00:00Z", error: { code: "generationFailed", message: "The provider failed." } }],
      }),
    });
    const m = modelOf([create, more, flying, failed], lock);
    expect(m.clips.map((c) => [c.address, c.status, c.change?.action])).toEqual([
      ["create", "pending", "create"],
      ["failed", "failed", "retry"],
      ["flying", "in-flight", "resume"],
      ["more", "pending", "add-variants"],
    ]);
    expect(clipOf(m, "failed").error).toEqual({ code: "generationFailed", message: "The provider failed." });
    expect(clipOf(m, "create").change).toMatchObject({ generations: 1, estimateUsd: 0.1848, reason: "not in the lockfile" });
    expect(m.counts).toEqual({ generated: 0, pending: 2, "in-flight": 1, failed: 1 });
  });

  it("replace: each field that forces regeneration, old → new, while the clip keeps its current videos", () => {
    const old = desired("a", { positivePrompt: "A lighthouse in a storm" });
    const now = desired("a", { positivePrompt: "A lighthouse at dawn", duration: 10 });
    const c = clipOf(modelOf([now], lockWith({ a: entryFor(old) })), "a");
    expect(c.status).toBe("pending");
    expect(c.prompt).toBe("A lighthouse at dawn");
    expect(c.videos).toHaveLength(1);
    expect(c.change).toMatchObject({
      action: "replace",
      reason: "positivePrompt, duration changed (forces regeneration)",
      fields: [
        { field: "positivePrompt", old: "A lighthouse in a storm", new: "A lighthouse at dawn" },
        { field: "duration", old: "5", new: "10" },
      ],
    });
  });

  it("a clip no longer in any manifest: shown from its lockfile entry, with the delete the plan would do", () => {
    const gone = desired("gone", { positivePrompt: "An old tram", model: "klingai:1@2", width: 720, height: 1280 });
    const m = modelOf([], lockWith({ gone: entryFor(gone) }));
    expect(clipOf(m, "gone")).toMatchObject({
      inManifest: false,
      manifest: "specs/clips.yaml",
      model: "klingai:1@2",
      prompt: "An old tram",
      width: 720,
      height: 1280,
      status: "generated",
      change: { action: "delete" },
    });
  });

  it("totals: spent over every lockfile entry, the plan's estimate, and the manifests and models to filter by", () => {
    const a = desired("a");
    const b = { ...desired("b", { model: "klingai:1@2" }), manifest: "specs/other.yaml" };
    const gone = desired("gone", { positivePrompt: "gone" });
    const m = modelOf([a, b], lockWith({ a: entryFor(a), gone: entryFor(gone) }, 7));
    expect(m.spentUsd).toBe(0.3696);
    expect(m.generations).toBe(1);
    expect(m.estimatedUsd).toBeGreaterThan(0);
    expect(m.manifests).toEqual(["specs/clips.yaml", "specs/other.yaml"]);
    expect(m.models).toEqual(["klingai:1@2", "klingai:3@1"]);
    expect(m.lockfileSerial).toBe(7);
    expect(m.clips.map((c) => c.address)).toEqual(["a", "b", "gone"]);
  });

  it("values in a change read as people write them: prompts in full, images by file, long values cut", () => {
    const long = "x".repeat(500);
    expect(displayValue("positivePrompt", long)).toBe(long);
    expect(displayValue("frameImages", [{ frame: "first", image: "sha256:abc", file: "./a.png" }, { frame: "last", image: `data:image/png;base64,${long}` }])).toBe(
      `first: ./a.png, last: data:image/png;base64,${"x".repeat(57)}…`,
    );
    expect(displayValue("CFGScale", undefined)).toBe("(unset)");
    expect(displayValue("safety", { mode: "fast" })).toBe('{"mode":"fast"}');
  });
});
