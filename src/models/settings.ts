/**
 * `providerSettings` checked against the model's JSON Schema for them. The schemas in the
 * definitions use a small subset of JSON Schema (type, enum, properties, description), so a
 * small checker does: no ajv compile per model on every run.
 */
type Schema = Record<string, unknown>;

export interface SettingProblem {
  path: string[];
  /** "unknown": a key the schema does not list (may be a gap in the catalog); "invalid": a wrong value. */
  kind: "unknown" | "invalid";
  message: string;
}

const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);

function matchesType(t: unknown, v: unknown): boolean {
  const actual = typeOf(v);
  const types = Array.isArray(t) ? t : [t];
  return types.some((x) => x === actual || (x === "number" && actual === "integer"));
}

export function checkSettings(schema: Schema, value: unknown, path: string[] = []): SettingProblem[] {
  const where = path.length ? `providerSettings.${path.join(".")}` : "providerSettings";
  if (schema.type !== undefined && !matchesType(schema.type, value)) {
    return [{ path, kind: "invalid", message: `${where} must be ${Array.isArray(schema.type) ? schema.type.join(" or ") : String(schema.type)}, got ${JSON.stringify(value)}` }];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === value)) {
    return [{ path, kind: "invalid", message: `${where} ${JSON.stringify(value)} is not allowed (allowed: ${schema.enum.map(String).join(", ")})` }];
  }
  const props = schema.properties as Record<string, Schema> | undefined;
  if (!props || !value || typeof value !== "object" || Array.isArray(value)) return [];
  const out: SettingProblem[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const sub = props[k];
    if (!sub) {
      const known = Object.keys(props);
      out.push({ path: [...path, k], kind: "unknown", message: `${where}.${k} is not a setting clipform knows for this model${known.length ? ` (known: ${known.join(", ")})` : ""}` });
      continue;
    }
    out.push(...checkSettings(sub, v, [...path, k]));
  }
  return out;
}

/** Reads a dotted path (google.generateAudio) in a providerSettings object. */
export function settingAt(settings: unknown, dotted: string): unknown {
  let node: unknown = settings;
  for (const seg of dotted.split(".")) {
    if (!node || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
}
