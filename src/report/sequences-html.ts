/** The report's sequence section: each film in a player, its members in order, what the next apply does. */
import type { ReportSequence } from "./sequences.js";
import { escapeHtml as e } from "./escape.js";
import { placeholder } from "./takes-html.js";

const STATE: Record<ReportSequence["action"], string> = { "no-op": "up to date", cut: "next apply cuts it", wait: "waits for its clips" };

function film(s: ReportSequence): string {
  const player = s.src ? `<video src="${e(s.src)}" controls playsinline preload="metadata"></video>` : placeholder(s.action === "wait" ? "not cut yet: its clips are not all generated" : "not cut yet", s.file);
  const members = s.members.map((m) => `<li><code>${e(m)}</code></li>`).join("");
  return `<article class="sequence" data-sequence="${e(s.name)}">
<div class="media">${player}</div>
<div class="body">
<div class="head"><h3 class="sequence-name">${e(s.name)}</h3><span class="badge sequence-${s.action}">${STATE[s.action]}</span></div>
<p class="meta"><span>${e(s.file)}</span><span>${s.members.length} clip${s.members.length === 1 ? "" : "s"}</span><span>${e(s.manifest)}</span></p>
${s.action === "no-op" ? "" : `<p class="sequence-reason">${e(s.reason)}</p>`}
<ol class="members">${members}</ol>
</div>
</article>`;
}

export function sequencesSection(sequences: readonly ReportSequence[]): string {
  if (sequences.length === 0) return "";
  return `<section class="sequences" aria-label="Sequences">
<h2 class="sequences-title">Sequences <small>films cut from the picked takes (local, free)</small></h2>
<div class="sequence-list">
${sequences.map(film).join("\n")}
</div>
</section>`;
}
