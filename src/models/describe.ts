/**
 * A model in words, for people: the one-line summaries of `clipform models`, the full sheet of
 * `clipform models AIR`, and the hover text editors show for `model:`.
 */
import type { ModelSpec } from "./catalog.js";
import type { PriceRow } from "./definition.js";
import { describeDurations } from "./sizes.js";

const mark = (c: string) => (c === "verified" ? "" : ` [${c}]`);

export function capabilitiesText(m: ModelSpec): string {
  const c = m.capabilities;
  const parts = [c.textToVideo && "text-to-video", c.imageToVideo && "image-to-video", c.audio && "audio"].filter(Boolean);
  return parts.join(", ") + mark(c.confidence);
}

export function sizesText(m: ModelSpec): string {
  const s = m.sizes;
  const list = s.values.length ? s.values.join(", ") : "not listed";
  const from = s.fromImage === "always" ? "from the frame image (send no width/height)" : s.fromImage === "withFrames" ? `${list}; from the frame image when one is given` : list;
  return from + (m.resolution ? `; resolution ${m.resolution.values.join("/")}` : "") + mark(s.confidence);
}

export function durationsText(m: ModelSpec): string {
  const d = m.durations;
  const base = describeDurations(d);
  const by = (d.bySize ?? []).map((b) => `${describeDurations(b)} at ${b.sizes.join(", ")}`);
  return [base, ...by].join("; ") + (d.default !== undefined ? ` (default ${d.default})` : "") + mark(d.confidence);
}

export function framesText(m: ModelSpec): string {
  const f = m.frames;
  if (!f.supported) return "none";
  return `${f.required ? "required" : "optional"}, at most ${f.max} (${f.positions.join(", ")})${mark(f.confidence)}`;
}

export function priceRowText(r: PriceRow): string {
  const where = [r.sizes?.join(", "), r.resolution, r.audio === true ? "with audio" : r.audio === false ? "no audio" : undefined].filter(Boolean).join(", ");
  const unit = r.per === "second" ? "/s" : ` per ${r.duration} s clip`;
  return `$${r.usd}${unit}${where ? ` (${where})` : ""}`;
}

export function pricesText(m: ModelSpec): string {
  const rows = m.prices.rows;
  if (rows.length === 0) return "unpriced";
  return rows.map((r) => `${priceRowText(r)} ${r.source}`).join("; ");
}

/** The hover text of a model in editors. */
export function modelSummary(m: ModelSpec): string {
  const life = m.lifecycle.status === "deprecated" ? ` Deprecated${m.lifecycle.retires ? `, retires ${m.lifecycle.retires}` : ""}.` : "";
  const params = [m.CFGScale.supported && "CFGScale", m.seed.supported && "seed", m.negativePrompt.supported && "negativePrompt"].filter(Boolean);
  return (
    `${m.name} (${m.family}): ${capabilitiesText(m)}. Sizes: ${sizesText(m)}. Durations: ${durationsText(m)}. Frame images: ${framesText(m)}.` +
    `${params.length ? ` Takes ${params.join(", ")}.` : ""} Price: ${pricesText(m)}.${life}`
  );
}
