/**
 * Runware publishes a JSON Schema per model (`GET https://schemas.runware.ai/resolve/<AIR>`,
 * answering `{requestSchema, responseSchema, documentation}`). `fromRequestSchema` reads one
 * into a clipform definition (every rule it states is Runware's own: verified); what it does
 * not state (prices, lifecycle) comes from the built-in definition when there is one.
 * `toRequestSchema` is the way back, used by the simulator to serve that endpoint.
 *
 * The schema is read tolerantly: enums or const pairs for sizes, enum or min/max/multipleOf for
 * durations, properties at the top or under an `allOf`.
 */
import type { ModelSpec } from "./catalog.js";
import type { ModelDefinition } from "./definition.js";

type Schema = Record<string, unknown>;

const isObj = (v: unknown): v is Schema => v !== null && typeof v === "object" && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const nums = (v: unknown) => arr(v).filter((x): x is number => typeof x === "number");

/** All `properties` of a schema, merged from its allOf/anyOf/oneOf branches too. */
function propertiesOf(s: Schema): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const visit = (node: unknown) => {
    if (!isObj(node)) return;
    if (isObj(node.properties)) for (const [k, v] of Object.entries(node.properties)) if (isObj(v)) out[k] = { ...(out[k] ?? {}), ...v };
    for (const key of ["allOf"]) for (const b of arr(node[key])) visit(b);
  };
  visit(s);
  return out;
}

function sizePairs(s: Schema): string[] {
  const pairs = new Set<string>();
  for (const key of ["oneOf", "anyOf"]) {
    for (const b of arr(s[key])) {
      const p = isObj(b) ? propertiesOf(b) : {};
      if (typeof p.width?.const === "number" && typeof p.height?.const === "number") pairs.add(`${p.width.const}x${p.height.const}`);
    }
  }
  for (const b of arr(s.allOf)) if (isObj(b)) for (const p of sizePairs(b)) pairs.add(p);
  return [...pairs];
}

export interface ImportResult {
  definition: ModelDefinition;
  /** What could not be read from the schema, to tell the user. */
  notes: string[];
}

export function fromRequestSchema(air: string, answer: unknown, base: ModelSpec | undefined, today: string, url: string): ImportResult {
  if (!isObj(answer) || !isObj(answer.requestSchema)) {
    throw new Error('expected Runware\'s model schema: {"requestSchema": {…}, "responseSchema": …, "documentation": …}');
  }
  const rs = answer.requestSchema;
  const props = propertiesOf(rs);
  const required = new Set(arr(rs.required).map(String));
  const notes: string[] = [];
  const v = { confidence: "verified" as const, sources: ["RS"] };
  const inputs = propertiesOf(props.inputs ?? {});
  const frames = inputs.frameImages;
  const frameItem = isObj(frames?.items) ? propertiesOf(frames.items) : {};
  const positions = arr(frameItem.frame?.enum).filter((x): x is "first" | "last" => x === "first" || x === "last");
  const sizes = sizePairs(rs);
  const widthGiven = "width" in props;
  if (widthGiven && sizes.length === 0) notes.push("the schema lists no width/height pairs: any size is accepted locally");
  const durationSchema = props.duration ?? {};
  const values = nums(durationSchema.enum);
  const range =
    typeof durationSchema.minimum === "number" && typeof durationSchema.maximum === "number"
      ? { min: durationSchema.minimum, max: durationSchema.maximum, ...(typeof durationSchema.multipleOf === "number" ? { step: durationSchema.multipleOf } : {}) }
      : undefined;
  const prompt = (p: Schema | undefined, req: boolean) =>
    p
      ? { ...v, supported: true, ...(req ? { required: true } : {}), ...(typeof p.minLength === "number" ? { min: p.minLength } : {}), ...(typeof p.maxLength === "number" ? { max: p.maxLength } : {}) }
      : { ...v, supported: false };
  const cfg = props.CFGScale;
  const other = Object.entries(inputs).filter(([k]) => k !== "frameImages");
  const provider = props.providerSettings;
  const definition: ModelDefinition = {
    $schema: "../node_modules/clipform/schemas/model.schema.json",
    air,
    name: base?.name ?? (typeof rs.title === "string" ? rs.title : air),
    family: base?.family ?? air.slice(0, air.indexOf(":")),
    ...(typeof answer.documentation === "string" ? { docsUrl: answer.documentation } : base?.docsUrl ? { docsUrl: base.docsUrl } : {}),
    coverage: "verified",
    lifecycle: base?.lifecycle ?? { confidence: "unconfirmed", status: "active" },
    capabilities: { ...v, textToVideo: !(frames && required.has("inputs")), imageToVideo: Boolean(frames), ...(base?.capabilities.audio ? { audio: true } : {}) },
    sizes: {
      ...v,
      values: sizes,
      fromImage: widthGiven ? (base?.sizes.fromImage ?? "never") : "always",
      ...(required.has("width") ? { required: true } : {}),
    },
    ...(isObj(props.resolution) && arr(props.resolution.enum).length ? { resolution: { ...v, values: arr(props.resolution.enum).map(String) } } : {}),
    durations: { ...v, ...(values.length ? { values } : {}), ...(range && !values.length ? { range } : {}), ...(typeof durationSchema.default === "number" ? { default: durationSchema.default } : {}) },
    frames: {
      ...v,
      supported: Boolean(frames),
      required: Boolean(frames) && required.has("inputs") && arr(props.inputs?.required).includes("frameImages"),
      max: typeof frames?.maxItems === "number" ? frames.maxItems : frames ? 2 : 0,
      positions: positions.length ? positions : frames ? ["first"] : [],
    },
    ...(other.length
      ? { inputs: Object.fromEntries(other.map(([k, s]) => [k, { ...v, kind: /video/i.test(k) ? "video" : /audio|voice/i.test(k) ? "audio" : /id$/i.test(k) ? "id" : "image", ...(typeof s.maxItems === "number" ? { max: s.maxItems } : {}), ...(s.type === "array" ? {} : { list: false }) }])) }
      : {}),
    positivePrompt: prompt(props.positivePrompt, required.has("positivePrompt")),
    negativePrompt: prompt(props.negativePrompt, false),
    CFGScale: cfg
      ? { ...v, supported: true, ...(typeof cfg.minimum === "number" ? { min: cfg.minimum } : {}), ...(typeof cfg.maximum === "number" ? { max: cfg.maximum } : {}), ...(typeof cfg.multipleOf === "number" ? { step: cfg.multipleOf } : {}), ...(typeof cfg.default === "number" ? { default: cfg.default } : {}) }
      : { ...v, supported: false },
    seed: { ...v, supported: "seed" in props },
    ...(provider ? { providerSettings: { ...v, schema: provider } } : {}),
    ...(base?.imageLimits ? { imageLimits: base.imageLimits } : {}),
    defaults: base?.defaults ?? { outputFormat: "MP4", outputQuality: 95 },
    prices: base?.prices ?? { confidence: "unconfirmed", note: "Runware's schema carries no prices", rows: [] },
    references: { ...(base?.references ?? {}), RS: { url, date: today, note: "Runware's published request schema for this model, pinned by `clipform models import`" } },
  } as ModelDefinition;
  if (!base?.prices.rows.length) notes.push("no price is known: plans show its clips as unpriced (add `prices.rows` to the file to give one)");
  return { definition, notes };
}

/** The request schema Runware would publish for a model, as the simulator serves it. */
export function toRequestSchema(m: ModelSpec): Schema {
  const props: Record<string, Schema> = {
    taskType: { const: "videoInference" },
    model: { const: m.air },
    duration: m.durations.values ? { type: "number", enum: m.durations.values } : m.durations.range ? { type: "number", minimum: m.durations.range.min, maximum: m.durations.range.max, ...(m.durations.range.step ? { multipleOf: m.durations.range.step } : {}) } : { type: "number" },
  };
  if (m.durations.default !== undefined) props.duration!.default = m.durations.default;
  if (m.sizes.fromImage !== "always") {
    props.width = { type: "integer" };
    props.height = { type: "integer" };
  }
  if (m.resolution) props.resolution = { type: "string", enum: m.resolution.values };
  for (const key of ["positivePrompt", "negativePrompt"] as const) {
    const p = m[key];
    if (p.supported) props[key] = { type: "string", ...(p.min !== undefined ? { minLength: p.min } : {}), ...(p.max !== undefined ? { maxLength: p.max } : {}) };
  }
  const c = m.CFGScale;
  if (c.supported) props.CFGScale = { type: "number", minimum: c.min ?? 0, maximum: c.max ?? 1, ...(c.step ? { multipleOf: c.step } : {}), ...(c.default !== undefined ? { default: c.default } : {}) };
  if (m.seed.supported) props.seed = { type: "integer", minimum: 1 };
  if (m.providerSettings) props.providerSettings = m.providerSettings.schema;
  const inputs: Record<string, Schema> = {};
  if (m.frames.supported) inputs.frameImages = { type: "array", maxItems: m.frames.max, items: { type: "object", properties: { image: { type: "string" }, frame: { enum: m.frames.positions } } } };
  for (const [k, i] of Object.entries(m.inputs ?? {})) inputs[k] = i.list === false ? { type: "string" } : { type: "array", ...(i.max ? { maxItems: i.max } : {}) };
  if (Object.keys(inputs).length) props.inputs = { type: "object", properties: inputs, ...(m.frames.required ? { required: ["frameImages"] } : {}) };
  const required = ["taskType", "model", ...(m.positivePrompt.required ? ["positivePrompt"] : []), ...(m.frames.required ? ["inputs"] : []), ...(m.sizes.required ? ["width", "height"] : [])];
  const schema: Schema = { $schema: "https://json-schema.org/draft/2019-09/schema", title: m.name, type: "object", properties: props, required };
  if (m.sizes.values.length && m.sizes.fromImage !== "always") {
    schema.anyOf = m.sizes.values.map((s) => {
      const [w, h] = s.split("x").map(Number);
      return { properties: { width: { const: w }, height: { const: h } } };
    });
  }
  return schema;
}
