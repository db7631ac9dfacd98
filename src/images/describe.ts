/** An image model in words, for `clipform models` (the list and the one-model sheet). */
import type { ImageModelSpec } from "../models/catalog.js";
import type { ImagePriceRow } from "../models/image-definition.js";

const mark = (c: string) => (c === "verified" ? "" : ` [${c}]`);

export function dimensionsText(m: ImageModelSpec): string {
  const d = m.dimensions;
  return `${d.min}–${d.max} px per side, multiples of ${d.multipleOf}${mark(d.confidence)}`;
}

export function imagePriceRowText(r: ImagePriceRow): string {
  return `$${r.usd} per image (${r.width}x${r.height}${r.steps ? ` · ${r.steps} steps` : ""})`;
}

/** The lines `clipform models` prints for one image model. */
export function imageModelLines(m: ImageModelSpec): string[] {
  const prices = m.prices.rows.map((r) => `${imagePriceRowText(r)} ${r.source}`).join("; ");
  return [
    `  ${m.air}  ${m.name}${m.coverage === "partial" ? " (partial)" : ""}`,
    `    text-to-image · ${dimensionsText(m)} · formats ${m.outputFormats.values.join("/")}`,
    `    price ${prices || "unpriced"}`,
  ];
}

type Rule = { confidence: string; sources?: string[]; note?: string };

/** `clipform models AIR` for an image model: each rule with its confidence and sources. */
export function imageModelSheet(m: ImageModelSpec): { label: string; text: string; rule?: Rule }[] {
  const range = (r: { supported: boolean; min?: number; max?: number }) => (r.supported ? `${r.min ?? "…"}–${r.max ?? "…"}` : "not taken");
  return [
    { label: "task", text: "imageInference (a keyframe image), sent async and polled", rule: m.delivery },
    { label: "lifecycle", text: m.lifecycle.status, rule: m.lifecycle },
    { label: "width, height", text: `required; ${dimensionsText(m)}`, rule: m.dimensions },
    { label: "positivePrompt", text: `required, ${m.positivePrompt.min}–${m.positivePrompt.max} characters`, rule: m.positivePrompt },
    { label: "negativePrompt", text: m.negativePrompt.supported ? "optional" : "not taken", rule: m.negativePrompt },
    { label: "steps", text: range(m.steps), rule: m.steps },
    { label: "CFGScale", text: range(m.CFGScale), rule: m.CFGScale },
    { label: "seed", text: range(m.seed), rule: m.seed },
    { label: "outputFormat", text: `${m.outputFormats.values.join(", ")} (API default ${m.outputFormats.default}; clipform asks for PNG unless set)`, rule: m.outputFormats },
  ];
}
