/**
 * Sequences in the report: each film plays from a path relative to the report (once cut), with
 * its members in order and what the next apply does; every value is escaped.
 */
import { describe, expect, it } from "vitest";
import type { DesiredSequence } from "../../src/manifest/sequences.js";
import { plan, type FileState } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { memberVideos, sequenceKey, type SequenceRecord } from "../../src/plan/sequences.js";
import { reportModel } from "../../src/report/data.js";
import { renderReportHtml } from "../../src/report/html.js";
import { desired, entryFor, lockWith } from "../helpers/plan-data.js";
import { ROOT } from "./model.js";

const a = desired("arrival");
const b = desired("platform", { positivePrompt: "Passengers step out" });
const lock = lockWith({ arrival: entryFor(a), platform: entryFor(b) });
const seq = (name: string, members: string[]): DesiredSequence => ({ name, manifest: "specs/film.yaml", members, location: { file: "specs/film.yaml", line: 1, col: 1 } });

function model(o: { films: Record<string, FileState>; cutTrailer: boolean; reportDir?: string; sequences?: DesiredSequence[] }) {
  const videos = memberVideos(lock, ["arrival", "platform"]) as { videos: Parameters<typeof sequenceKey>[0] };
  const record: SequenceRecord = o.cutTrailer
    ? { trailer: { key: sequenceKey(videos.videos), file: "clipform-out/trailer.mp4", sha256: "x", bytes: 1, mtimeMs: 1, mode: "copy" as const, members: ["arrival", "platform"], videos: videos.videos.map((v) => v.videoUUID), cutAt: "2026-01-01T00:00:00Z" } }
    : {};
  const sequences = o.sequences ?? [seq("teaser", ["platform", "missing"]), seq("trailer", ["arrival", "platform"])];
  const p = plan({ clips: [a, b], lock, prices: priceBook(lock), sequences: { sequences, record, films: new Map(o.cutTrailer ? [["trailer", "ok" as const]] : []), outDir: "clipform-out" } });
  return reportModel({ clips: [a, b], lock, plan: p, files: new Map(), root: ROOT, reportDir: o.reportDir ?? ROOT, films: new Map(Object.entries(o.films)) });
}

describe("sequences in the report", () => {
  it("a film on disk plays from a path relative to the report; one not cut yet shows why", () => {
    const m = model({ films: { "clipform-out/trailer.mp4": "ok" }, cutTrailer: true, reportDir: `${ROOT}/docs` });
    expect(m.sequences).toEqual([
      { name: "teaser", manifest: "specs/film.yaml", members: ["platform", "missing"], file: "clipform-out/teaser.mp4", action: "wait", reason: "waits for its members: missing has no video yet" },
      { name: "trailer", manifest: "specs/film.yaml", members: ["arrival", "platform"], file: "clipform-out/trailer.mp4", src: "../clipform-out/trailer.mp4", action: "no-op", reason: "up to date" },
    ]);
    const html = renderReportHtml(m);
    const trailer = /<article class="sequence" data-sequence="trailer">[\s\S]*?<\/article>/.exec(html)![0];
    expect(trailer).toContain('<video src="../clipform-out/trailer.mp4" controls playsinline preload="metadata"></video>');
    expect(trailer).toContain('<ol class="members"><li><code>arrival</code></li><li><code>platform</code></li></ol>');
    expect(trailer).toContain("up to date");
    const teaser = /<article class="sequence" data-sequence="teaser">[\s\S]*?<\/article>/.exec(html)![0];
    expect(teaser).not.toContain("<video");
    expect(teaser).toContain("not cut yet: its clips are not all generated");
    expect(teaser).toContain("waits for its members: missing has no video yet");
  });

  it("a film not on disk: no player, and the next apply cuts it", () => {
    const m = model({ films: {}, cutTrailer: false, sequences: [seq("trailer", ["arrival", "platform"])] });
    expect(m.sequences[0]).toMatchObject({ action: "cut" });
    expect(m.sequences[0]!.src).toBeUndefined();
    const html = renderReportHtml(m);
    expect(html).toContain("next apply cuts it");
    expect(html).not.toContain("<video");
  });

  it("escapes names and members", () => {
    const m = model({ films: {}, cutTrailer: false, sequences: [seq("t", ["<b>x</b>"])] });
    const html = renderReportHtml(m);
    expect(html).toContain("<code>&lt;b&gt;x&lt;/b&gt;</code>");
    expect(html).not.toContain("<b>x</b>");
  });

  it("no sequences: no section", () => {
    expect(renderReportHtml(model({ films: {}, cutTrailer: false, sequences: [] }))).not.toContain('class="sequences"');
  });
});
