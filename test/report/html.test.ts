import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { renderReportHtml } from "../../src/report/html.js";
import { VERSION_ENDPOINT } from "../../src/report/client.js";
import { desired, entryFor, lockWith, uuid } from "../helpers/plan-data.js";
import { modelOf } from "./model.js";

const HOSTILE = `<script>alert(1)</script> & "quoted" 'single' </p>`;

/** Every card's HTML, by address. */
function cards(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<article class="card"[\s\S]*?<\/article>/g)) out.set(/<h2 class="address searchable">([^<]*)<\/h2>/.exec(m[0])![1]!, m[0]);
  return out;
}

describe("report page", () => {
  it("escapes every user value: prompts, addresses, manifests, errors and changed values", () => {
    const clip = { ...desired("a", { positivePrompt: HOSTILE, negativePrompt: HOSTILE }), manifest: `specs/"odd" <name>.yaml` };
    const old = desired("a", { positivePrompt: "before" });
    const failedOld = entryFor(old, 1, {
      tasks: [{ taskUUID: uuid(), numberResults: 1, status: "failed", submittedAt: "2026-01-01T00:00:00Z", error: { code: "<code>", message: HOSTILE } }],
    });
    const html = renderReportHtml(modelOf([clip], lockWith({ a: failedOld })));
    const escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39; &lt;/p&gt;";
    expect(html).not.toContain("<script>alert");
    // The prompt, the negative prompt, the error message, and both prompts' new values in the change.
    expect(html.split(escaped).length - 1).toBe(5);
    expect(html).toContain(`data-manifest="specs/&quot;odd&quot; &lt;name&gt;.yaml"`);
    expect(html).toContain("<code>&lt;code&gt;</code>");
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it("a failed clip shows the API's error code and message", () => {
    const a = desired("a");
    const entry = entryFor(a, 0, {
      tasks: [{ taskUUID: uuid(), numberResults: 1, status: "failed", submittedAt: "2026-01-01T00:00:00Z", error: { code: "timeoutProvider", message: "The provider did not return the video in time." } }],
    });
    const card = cards(renderReportHtml(modelOf([a], lockWith({ a: entry })))).get("a")!;
    expect(card).toContain('data-status="failed"');
    expect(card).toContain('<div class="error"><code>timeoutProvider</code> The provider did not return the video in time.</div>');
    expect(card).toContain("Next apply: retry</strong> · 1 generation, estimated $0.1848");
    expect(card).toContain("generation failed");
  });

  it("a replace shows each changed field as old → new, and the current video", () => {
    const old = desired("a", { positivePrompt: "A lighthouse in a storm" });
    const now = desired("a", { positivePrompt: "A lighthouse at dawn" });
    const card = cards(renderReportHtml(modelOf([now], lockWith({ a: entryFor(old) })))).get("a")!;
    expect(card).toContain("Next apply: replace</strong> · 1 generation, estimated $0.1848<br>positivePrompt changed (forces regeneration)");
    expect(card).toContain("<li><code>positivePrompt</code>: <del>A lighthouse in a storm</del> → <ins>A lighthouse at dawn</ins></li>");
    expect(card).toContain('<video src="out/a-1.mp4"');
  });

  it("a clip deleted from the manifests but still in the lockfile shows as not in any manifest", () => {
    const gone = desired("gone", { positivePrompt: "An old tram" });
    const card = cards(renderReportHtml(modelOf([], lockWith({ gone: entryFor(gone) })))).get("gone")!;
    expect(card).toContain('<span class="badge orphan">not in any manifest</span>');
    expect(card).toContain("An old tram");
    expect(card).toContain("Next apply: delete</strong><br>no longer in any manifest");
  });

  it("a file missing on disk shows as missing file, not as a player", () => {
    const a = desired("a", {}, 2);
    const card = cards(renderReportHtml(modelOf([a], lockWith({ a: entryFor(a) }), { "out/a-2.mp4": "missing" }))).get("a")!;
    expect(card.match(/<video /g)).toHaveLength(1);
    expect(card).toContain('<div class="placeholder">missing file<small>out/a-2.mp4</small></div>');
  });

  it("header: total spent, clip count, counts per status, and the filters' choices", () => {
    const a = desired("a");
    const b = { ...desired("b", { model: "klingai:1@2", positivePrompt: "b" }), manifest: "specs/other.yaml" };
    const html = renderReportHtml(modelOf([a, b], lockWith({ a: entryFor(a) })));
    expect(html).toContain("<dt>Spent</dt><dd>$0.18</dd>");
    expect(html).toContain("<dt>Clips</dt><dd>2</dd>");
    expect(html).toContain('<dt><span class="dot dot-generated"></span>generated</dt><dd>1</dd>');
    expect(html).toContain('<dt><span class="dot dot-pending"></span>pending</dt><dd>1</dd>');
    expect(html).toContain('<select name="manifest"><option value="">All</option><option value="specs/clips.yaml">specs/clips.yaml</option><option value="specs/other.yaml">specs/other.yaml</option></select>');
    expect(html).toContain('<select name="model"><option value="">All</option><option value="klingai:1@2">klingai:1@2</option><option value="klingai:3@1">klingai:3@1</option></select>');
    expect(html).toContain('<option value="in-flight">in flight</option>');
  });

  it("loads nothing from the network: no external URL anywhere, and a policy that forbids any", () => {
    const a = desired("a", {}, 2);
    const model = modelOf([a], lockWith({ a: entryFor(a) }));
    for (const html of [renderReportHtml(model), renderReportHtml(model, { live: { version: "1" } })]) {
      expect(html).not.toMatch(/https?:\/\//); // the lockfile's videoURLs are not used
      const refs = [...html.matchAll(/\s(?:src|href|poster|srcset|action|data)="([^"]*)"/g)].map((m) => m[1]!);
      expect(refs).toEqual(["out/a-1.mp4", "out/a-2.mp4"]);
      expect(html).not.toMatch(/url\(|@import|<link|<iframe|<img|<object|<embed/i);
      const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1]!;
      expect(csp).toMatch(/^default-src 'none'; media-src 'self' file:; img-src 'self' file:; style-src 'sha256-[^']+'; script-src ('sha256-[^']+' ?)+; connect-src/);
      // The policy allows exactly the page's own inline styles and scripts.
      const hash = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;
      for (const m of html.matchAll(/<(script|style)>([\s\S]*?)<\/\1>/g)) expect(csp).toContain(hash(m[2]!));
    }
  });

  it("live: carries its version and polls the version endpoint; a static page fetches nothing", () => {
    const model = modelOf([desired("a")], lockWith({}));
    const live = renderReportHtml(model, { live: { version: `7"<x>` } });
    expect(live).toContain('<meta name="clipform-report-version" content="7&quot;&lt;x&gt;">');
    expect(live).toContain(`fetch("${VERSION_ENDPOINT}"`);
    expect(live).toContain("connect-src 'self'");
    const still = renderReportHtml(model);
    expect(still).not.toContain("fetch(");
    expect(still).not.toContain("clipform-report-version");
    expect(still).toContain("connect-src 'none'");
  });
});

describe("a fan-out over models", () => {
  const clipOn = (model: string, aspect: string) => ({ ...desired(`shot/${model.replace(/[:@]/g, "-")}/${aspect}`, { model }), clipId: "shot", matrix: { model, aspect } });
  const rows = (html: string) =>
    Array.from(html.matchAll(/<tr>([\s\S]*?)<\/tr>/g), (m) => Array.from(m[1]!.matchAll(/<th scope="(?:row|col)">([^<]*)<\/th>|<h2 class="address searchable">([^<]*)<\/h2>/g), (x) => x[1] ?? x[2]));

  it("puts the models side by side in columns, whatever the axes' order, each card with its cost", () => {
    const clips = ["klingai:3@1", "klingai:1@2"].flatMap((m) => ["tall", "wide"].map((a) => clipOn(m, a)));
    const html = renderReportHtml(modelOf(clips, lockWith({})));
    expect(rows(html)).toEqual([
      ["aspect \\ model", "klingai:1@2", "klingai:3@1"],
      ["tall", "shot/klingai-1-2/tall", "shot/klingai-3-1/tall"],
      ["wide", "shot/klingai-1-2/wide", "shot/klingai-3-1/wide"],
    ]);
    expect(cards(html).get("shot/klingai-3-1/tall")).toMatch(/estimated \$0\.\d{4}/);
  });

  it("a fan-out over models alone is one row", () => {
    const clips = ["klingai:3@1", "klingai:1@2"].map((m) => ({ ...clipOn(m, "x"), matrix: { model: m } }));
    expect(rows(renderReportHtml(modelOf(clips, lockWith({}))))).toEqual([
      ["model", "klingai:1@2", "klingai:3@1"],
      ["", "shot/klingai-1-2/x", "shot/klingai-3-1/x"],
    ]);
  });
});
