/**
 * A clip's takes in the gallery: side by side, the current take first and the kept ones after,
 * each with its variants (seed, cost) and total, the picked one marked. Picking another take is
 * a button when `clipform watch --serve` serves the page, else the `clipform pick` command to copy.
 */
import { unitUsd, usd } from "../plan/render.js";
import type { ReportClip, ReportTake, ReportVideo } from "./data.js";
import { escapeHtml as e } from "./escape.js";

export function placeholder(text: string, detail?: string): string {
  return `<div class="placeholder">${e(text)}${detail ? `<small>${e(detail)}</small>` : ""}</div>`;
}

export function videoFigure(v: ReportVideo): string {
  const caption = [`v${v.variant}`, v.seed !== undefined ? `seed ${v.seed}` : "", v.costUsd !== undefined ? unitUsd(v.costUsd) : "", v.state === "altered" ? "file altered since download" : ""]
    .filter(Boolean)
    .join(" · ");
  // A keyframe image (`images:`) is shown, not played.
  const still = v.file !== undefined && /\.(png|jpe?g|webp)$/i.test(v.file);
  const player = v.src
    ? still
      ? `<img src="${e(v.src)}" alt="${e(`v${v.variant}`)}" loading="lazy">`
      : `<video src="${e(v.src)}" controls muted loop playsinline preload="none"></video>`
    : v.state === "missing"
      ? placeholder("missing file", v.file)
      : placeholder("not downloaded", v.videoUUID);
  return `<figure>${player}<figcaption>${e(caption)}</figcaption></figure>`;
}

/** A shell word: addresses are slugs, but a quote keeps the copied command right whatever they hold. */
function shellWord(s: string): string {
  return /^[\w./@:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function pickCommand(address: string, take: number): string {
  return `clipform pick ${shellWord(address)} ${take}`;
}

function pickControl(c: ReportClip, t: ReportTake, canPick: boolean): string {
  if (t.picked) return `<span class="picked-mark">✓ picked</span>`;
  if (canPick) return `<button type="button" class="pick" data-address="${e(c.address)}" data-take="${t.index}">Pick take ${t.index}</button>`;
  return `<code class="pick-cmd" title="run this to pick take ${t.index}">${e(pickCommand(c.address, t.index))}</code>`;
}

function take(c: ReportClip, t: ReportTake, canPick: boolean): string {
  const label = [`take ${t.index}`, t.current ? "current" : "kept", usd(t.costUsd)].join(" · ");
  return `<section class="take${t.picked ? " picked" : ""}" data-take="${t.index}" data-task="${e(t.taskUUID)}">
<div class="take-head"><span class="take-label">${e(label)}</span>${c.takes.length > 1 ? pickControl(c, t, canPick) : ""}</div>
<div class="variants">${t.videos.map(videoFigure).join("")}</div>
</section>`;
}

/** Every take of the clip in one row that scrolls sideways when it is wider than the card. */
export function takesMedia(c: ReportClip, canPick: boolean): string {
  return `<div class="media takes${c.takes.length > 1 ? " several" : ""}">${c.takes.map((t) => take(c, t, canPick)).join("")}</div>`;
}
