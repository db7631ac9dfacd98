/**
 * The report page: one self-contained HTML string. Styles and scripts are inline and allowed by
 * hash in a Content-Security-Policy that forbids every other source, so the page loads nothing
 * but its local videos (and, live, the version endpoint of the server that serves it). Every
 * user value is escaped.
 */
import { createHash } from "node:crypto";
import { simulatedNote, unitUsd, usd } from "../plan/render.js";
import { STATUS_LABEL, STATUSES, type ReportChange, type ReportClip, type ReportModel } from "./data.js";
import { spentText } from "../money/unknown-cost.js";
import { FILTER_SCRIPT, LIVE_SCRIPT, PICK_SCRIPT, PICK_TOKEN_META, VERSION_META } from "./client.js";
import { placeholder, takesMedia, videoFigure } from "./takes-html.js";
import { escapeHtml as e } from "./escape.js";
import { sequencesSection } from "./sequences-html.js";
import { REPORT_CSS } from "./style.js";

export interface RenderOptions {
  /**
   * Served by `clipform watch`: poll its version endpoint and reload when it changes. With a
   * `pickToken` (the server's secret for this run), the page can pick takes through the server.
   */
  live?: { version: string; pickToken?: string };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

function contentSecurityPolicy(scripts: string[], live: boolean): string {
  return [
    "default-src 'none'",
    "media-src 'self' file:", // file: for browsers whose 'self' does not cover a local page's sibling files
    "img-src 'self' file:", // the input keyframes, local files next to the manifests
    `style-src ${sha256(REPORT_CSS)}`,
    `script-src ${scripts.map(sha256).join(" ")}`,
    `connect-src ${live ? "'self'" : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

function header(m: ReportModel): string {
  const stat = (label: string, value: string) => `<div><dt>${label}</dt><dd>${value}</dd></div>`;
  const statuses = STATUSES.map((s) => stat(`<span class="dot dot-${s}"></span>${STATUS_LABEL[s]}`, String(m.counts[s]))).join("");
  return `<header class="top">
<h1>clipform report</h1>
<span class="sub">lockfile serial ${m.lockfileSerial}</span>
<dl class="stats">${stat("Spent", e(spentText(m.spentUsd, m.spentUnknown)))}${stat("Clips", String(m.clips.length))}${statuses}${stat("Next apply", `${usd(m.estimatedUsd)} <small>${plural(m.generations, "generation")}</small>`)}</dl>
${m.simulated ? `<p class="simulated-note">${e(simulatedNote(m.simulated))}</p>\n` : ""}<p id="pick-status" class="pick-status" role="status" hidden></p>
<p class="offline-note">clipform watch is not answering: this page shows the last version it served.</p>
</header>`;
}

function select(name: string, label: string, values: string[], labelOf: (v: string) => string = (v) => v): string {
  const options = values.map((v) => `<option value="${e(v)}">${e(labelOf(v))}</option>`).join("");
  return `<label>${label}<select name="${name}"><option value="">All</option>${options}</select></label>`;
}

function filters(m: ReportModel): string {
  return `<form id="filters" class="filters" role="search">
${select("manifest", "Manifest", m.manifests)}
${select("model", "Model", m.models)}
${select("status", "Status", [...STATUSES], (s) => STATUS_LABEL[s as keyof typeof STATUS_LABEL])}
<label class="search">Search prompts<input name="q" type="search" placeholder="Words from a prompt or an address" autocomplete="off"></label>
<button id="clear" type="button">Clear</button>
<span class="count"><output id="shown">${m.clips.length}</output> of ${plural(m.clips.length, "clip")}</span>
</form>`;
}

const NO_VIDEO: Record<ReportClip["status"], string> = {
  generated: "no video",
  pending: "not generated yet",
  "in-flight": "generating…",
  failed: "generation failed",
};

function media(c: ReportClip, canPick: boolean): string {
  if (c.takes.length) return takesMedia(c, canPick);
  return `<div class="media">${c.videos.length ? c.videos.map(videoFigure).join("") : placeholder(NO_VIDEO[c.status])}</div>`;
}

/** What the next apply would do; a retry's reason repeats the error shown just above, so it is left out. */
function change(ch: ReportChange, hasError: boolean): string {
  const cost = ch.generations === 0 ? "" : ` · ${plural(ch.generations, "generation")}, ${ch.estimateUsd === null ? "no price known" : `estimated ${unitUsd(ch.estimateUsd)}`}`;
  const reason = ch.action === "retry" && hasError ? "" : `<br>${e(ch.reason)}`;
  const fields = ch.fields.map((f) => `<li><code>${e(f.field)}</code>: <del>${e(f.old)}</del> → <ins>${e(f.new)}</ins></li>`).join("");
  return `<div class="change"><p><strong>Next apply: ${ch.action}</strong>${cost}${reason}</p>${fields ? `<ul>${fields}</ul>` : ""}</div>`;
}

/** The input keyframes: local images shown, others (URLs, UUIDs, data) named. */
function keyframes(c: ReportClip): string {
  if (!c.keyframes?.length) return "";
  const item = (k: NonNullable<ReportClip["keyframes"]>[number]) =>
    `<figure class="keyframe">${k.src ? `<img src="${e(k.src)}" alt="${e(k.frame)} frame: ${e(k.label)}" loading="lazy">` : `<div class="placeholder">${e(k.label)}</div>`}<figcaption>${e(k.frame)} frame</figcaption></figure>`;
  return `<div class="keyframes" title="input keyframes">${c.keyframes.map(item).join("")}</div>`;
}

function card(c: ReportClip, canPick: boolean, inFanOut = false): string {
  const size = c.width && c.height ? `${c.width}×${c.height}` : "";
  const meta = [c.model, size, c.duration !== undefined ? `${c.duration} s` : "", plural(c.numberResults, "variant"), c.manifest].filter(Boolean);
  return `<article class="card" data-manifest="${e(c.manifest)}" data-model="${e(c.model)}" data-status="${c.status}">
${media(c, canPick)}
<div class="body">
<div class="head"><h2 class="address searchable">${e(c.address)}</h2><div class="badges">${c.inManifest ? "" : `<span class="badge orphan">not in any manifest</span>`}<span class="badge status-${c.status}">${STATUS_LABEL[c.status]}</span></div></div>
<p class="meta">${meta.map((x) => `<span>${e(x)}</span>`).join("")}</p>
${c.description !== undefined && !inFanOut ? `<p class="description searchable">${e(c.description)}</p>` : ""}
${keyframes(c)}
${c.prompt !== undefined ? `<p class="prompt searchable">${e(c.prompt)}</p>` : ""}
${c.negativePrompt !== undefined ? `<p class="negative">Negative: <span class="searchable">${e(c.negativePrompt)}</span></p>` : ""}
${c.error ? `<div class="error"><code>${e(c.error.code)}</code> ${e(c.error.message)}</div>` : ""}
${c.change ? change(c.change, c.error !== undefined) : ""}
<p class="spent">Spent ${e(c.costUnknown ? `≈${usd(c.spentUsd)}` : usd(c.spentUsd))}</p>
${c.costUnknown ? `<p class="cost-unknown">${e(c.costUnknown)}</p>` : ""}
</div>
</article>`;
}

/** Clips in order, a fan-out's clips together (at its first clip's place), single clips alone. */
function groupFanOuts(clips: readonly ReportClip[]): (ReportClip | ReportClip[])[] {
  const out: (ReportClip | ReportClip[])[] = [];
  const groups = new Map<string, ReportClip[]>();
  for (const c of clips) {
    if (!c.matrix || c.clipId === undefined) {
      out.push(c);
      continue;
    }
    const key = `${c.manifest}\0${c.clipId}`;
    const g = groups.get(key);
    if (g) g.push(c);
    else {
      const fresh = [c];
      groups.set(key, fresh);
      out.push(fresh);
    }
  }
  return out;
}

/**
 * A fan-out as a grid by its axes: rows by the first axis, columns by the others (aspect ×
 * mood, model × prompt…), so variations line up to be compared side by side. Clips come sorted
 * by address, so axis values read in that order.
 */
/** An axis whose value decides the clip's model, over more than one model: a comparison of models. */
function decidesModel(clips: readonly ReportClip[], axis: string): boolean {
  const models = new Map<string, string>();
  for (const c of clips) {
    const key = c.matrix![axis] ?? "";
    if (models.has(key) && models.get(key) !== c.model) return false;
    models.set(key, c.model);
  }
  return new Set(models.values()).size > 1;
}

function fanOut(clips: ReportClip[], canPick: boolean): string {
  const declared = Object.keys(clips[0]!.matrix!);
  // Models go last, into the columns, so one shot on several models reads across a row, each card with its costs.
  const byModel = declared.filter((a) => decidesModel(clips, a));
  const axes = [...declared.filter((a) => !byModel.includes(a)), ...byModel];
  const oneRow = byModel.includes(axes[0]!);
  const rowKey = (c: ReportClip) => (oneRow ? "" : (c.matrix![axes[0]!] ?? ""));
  const colAxes = oneRow ? axes : axes.slice(1);
  const colKey = (c: ReportClip) => colAxes.map((a) => c.matrix![a] ?? "").join(" / ");
  const rows = [...new Set(clips.map(rowKey))];
  const cols = [...new Set(clips.map(colKey))];
  const at = new Map(clips.map((c) => [`${rowKey(c)}\0${colKey(c)}`, c]));
  const head = cols.length > 1 || cols[0] !== "" ? `<thead><tr><th scope="col">${oneRow ? e(colAxes.join(" / ")) : `${e(axes[0]!)} \\ ${e(colAxes.join(" / "))}`}</th>${cols.map((k) => `<th scope="col">${e(k)}</th>`).join("")}</tr></thead>` : "";
  const body = rows
    .map((r) => `<tr><th scope="row">${e(r)}</th>${cols.map((k) => `<td>${at.has(`${r}\0${k}`) ? card(at.get(`${r}\0${k}`)!, canPick, true) : ""}</td>`).join("")}</tr>`)
    .join("\n");
  return `<section class="fanout" data-clip="${e(clips[0]!.clipId!)}">
<h2 class="fanout-title">${e(clips[0]!.clipId!)} <small>fan-out: ${plural(clips.length, "clip")} by ${e(axes.join(" × "))} · ${e(clips[0]!.manifest)}</small></h2>
${clips[0]!.description !== undefined ? `<p class="description">${e(clips[0]!.description)}</p>` : ""}
<div class="fanout-scroll"><table class="fanout-grid">${head}<tbody>
${body}
</tbody></table></div>
</section>`;
}

export function renderReportHtml(m: ReportModel, opts: RenderOptions = {}): string {
  const canPick = opts.live?.pickToken !== undefined;
  const scripts = [FILTER_SCRIPT, ...(opts.live ? [LIVE_SCRIPT] : []), ...(canPick ? [PICK_SCRIPT] : [])];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(scripts, opts.live !== undefined)}">
${opts.live ? `<meta name="${VERSION_META}" content="${e(opts.live.version)}">\n` : ""}${canPick ? `<meta name="${PICK_TOKEN_META}" content="${e(opts.live!.pickToken!)}">\n` : ""}<title>clipform report: ${plural(m.clips.length, "clip")}, ${e(spentText(m.spentUsd, m.spentUnknown))} spent</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${header(m)}
${sequencesSection(m.sequences)}
${filters(m)}
<main class="grid">
${groupFanOuts(m.clips).map((g) => (Array.isArray(g) ? fanOut(g, canPick) : card(g, canPick))).join("\n")}
</main>
<p id="empty" class="empty" hidden>No clip matches these filters.</p>
${scripts.map((s) => `<script>${s}</script>`).join("\n")}
</body>
</html>
`;
}
