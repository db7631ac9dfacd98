/** What changed in a request, field by field: the fields that force regeneration, old → new. */
import type { GenerationFields } from "../manifest/index.js";

export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

const COMPARED_FIELDS: (keyof GenerationFields)[] = [
  "model",
  "positivePrompt",
  "negativePrompt",
  "width",
  "height",
  "duration",
  "CFGScale",
  "outputFormat",
  "outputQuality",
  "safety",
  "frameImages",
  "seed",
  "resolution",
  "providerSettings",
  "otherInputs",
  "taskType",
  "steps",
];

/** Fields whose change forces regeneration, with old and new values (images by content and file). */
export function changedFields(oldReq: Record<string, unknown>, next: GenerationFields): FieldChange[] {
  const out: FieldChange[] = [];
  const comparable = (v: unknown) =>
    JSON.stringify(Array.isArray(v) ? (v as unknown[]).map((x) => (x && typeof x === "object" ? { frame: (x as { frame: unknown }).frame, image: (x as { image: unknown }).image } : x)) : v);
  for (const f of COMPARED_FIELDS) {
    const a = oldReq[f];
    const b = (next as unknown as Record<string, unknown>)[f];
    if (comparable(a) !== comparable(b)) out.push({ field: f, old: a, new: b });
  }
  return out;
}
