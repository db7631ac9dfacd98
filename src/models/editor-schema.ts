/**
 * Per-model hints for editors, added to the published manifest schema: when a clip's `model` is
 * a given AIR, its duration, size, resolution and provider settings get that model's values as
 * completions (`examples`) and its rules as hover text. Only annotations, never constraints: the
 * CLI validates with the same schema, and the model rules (with their confidence) stay the one
 * place that accepts or rejects, so nothing is reported twice.
 */
import type { ModelSpec } from "./catalog.js";
import { describeDurations } from "./sizes.js";
import { sizesText } from "./describe.js";

type Schema = Record<string, unknown>;
const isObj = (v: unknown): v is Schema => v !== null && typeof v === "object" && !Array.isArray(v);

/** A settings schema as hints only: descriptions and example values, no types or enums. */
function hintsOf(schema: unknown): Schema {
  if (!isObj(schema)) return {};
  const out: Schema = {};
  if (typeof schema.description === "string") out.description = schema.description;
  if (Array.isArray(schema.enum)) out.examples = schema.enum;
  else if (schema.type === "boolean") out.examples = [true, false];
  if (isObj(schema.properties)) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, hintsOf(v)]));
  return out;
}

function hintsFor(m: ModelSpec): Schema {
  const props: Schema = {};
  const d = m.durations;
  const examples = d.values ?? (d.range ? [d.range.min, d.range.max] : undefined);
  props.duration = { description: `${m.air}: ${describeDurations(d)}${d.bySize?.length ? " (fewer at some sizes)" : ""}.`, ...(examples ? { examples } : {}) };
  if (m.sizes.fromImage !== "always" && m.sizes.values.length) {
    props.width = { description: `${m.air} sizes: ${sizesText(m)}.`, examples: [...new Set(m.sizes.values.map((s) => Number(s.split("x")[0])))] };
    props.height = { description: `${m.air} sizes: ${sizesText(m)}.`, examples: [...new Set(m.sizes.values.map((s) => Number(s.split("x")[1])))] };
  } else if (m.sizes.fromImage === "always") {
    props.width = { description: `${m.air} takes its size from the frame image: leave width out.` };
    props.height = { description: `${m.air} takes its size from the frame image: leave height out.` };
  }
  if (m.resolution) props.resolution = { description: `${m.air} resolutions: ${m.resolution.values.join(", ")}.`, examples: m.resolution.values };
  if (m.providerSettings) props.providerSettings = { description: `Provider settings ${m.air} takes.`, ...hintsOf(m.providerSettings.schema) };
  if (!m.CFGScale.supported) props.CFGScale = { description: `${m.air} takes no CFGScale.` };
  if (!m.seed.supported) props.seed = { description: `${m.air} takes no seed (each result reports the seed it used).` };
  return props;
}

/** `allOf` of if/then blocks, one per model, for a clip (or defaults) schema. */
export function perModelHints(models: ModelSpec[]): Schema[] {
  return models.map((m) => ({
    if: { properties: { model: { const: m.air } }, required: ["model"] },
    then: { properties: hintsFor(m) },
  }));
}
