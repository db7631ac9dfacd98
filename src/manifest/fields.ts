import { closest } from "../util/suggest.js";

/**
 * The names a manifest may use, as plain data: the manifest stage needs them on every run and
 * must not load zod for that (schema.ts, which zod builds, is only needed to publish schemas/).
 * schema.ts checks at compile time that its fields are exactly these.
 */
export const CLIP_FIELD_NAMES = [
  "model",
  "positivePrompt",
  "negativePrompt",
  "width",
  "height",
  "duration",
  "CFGScale",
  "seed",
  "resolution",
  "providerSettings",
  "numberResults",
  "outputType",
  "outputFormat",
  "outputQuality",
  "deliveryMethod",
  "webhookURL",
  "uploadEndpoint",
  "ttl",
  "safety",
  "inputs",
] as const;

export type ClipFieldName = (typeof CLIP_FIELD_NAMES)[number];

/** provider:model@version, as Runware writes AIRs (klingai:5@3, google:3@1, alibaba:wan@2.6). */
export const AIR_PATTERN = "^[a-z0-9-]+:[A-Za-z0-9._-]+@[A-Za-z0-9._-]+$";

export const ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$";

export function isClipField(name: string): name is ClipFieldName {
  return (CLIP_FIELD_NAMES as readonly string[]).includes(name);
}

/** Fields the user most likely meant where they wrote an unknown key (in the clip or in defaults). */
export function misspelledFields(m: { clips?: Record<string, unknown>; defaults?: object } | undefined, clipId: string): Set<string> {
  const out = new Set<string>();
  for (const obj of [m?.clips?.[clipId], m?.defaults]) {
    if (!obj || typeof obj !== "object") continue;
    for (const key of Object.keys(obj)) {
      if (isClipField(key)) continue;
      const guess = closest(key, CLIP_FIELD_NAMES);
      if (guess) out.add(guess);
    }
  }
  return out;
}
