/**
 * Structural validation with ajv against the committed `schemas/manifest.schema.json`, the same
 * file editors use, with ajv's errors turned into one clear message per problem.
 */
import type { ErrorObject } from "ajv";
import { closest } from "../util/suggest.js";
import { isClipField } from "./fields.js";
import { loadSchema, loadValidator, type SchemaName, type Validator } from "../util/validators.js";
import type { YamlPath } from "./expand.js";
import { excerpt } from "./yaml-limits.js";

const validate = await loadValidator("manifest");

export interface SchemaProblem {
  at: YamlPath;
  key: boolean;
  message: string;
}

function pointerToPath(pointer: string): YamlPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function schemaAt(root: Record<string, unknown>, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const seg of schemaPath.replace(/^#\/?/, "").split("/").filter(Boolean)) {
    if (!node || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[seg.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node && typeof node === "object" ? (node as Record<string, unknown>) : undefined;
}

const label = (path: YamlPath, root = "the manifest") =>
  path.length === 0 ? root : path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");

/** The offending value, as a short excerpt: a value can be huge (a long prompt, an aliased subtree). */
const show = (v: unknown) => {
  if (typeof v === "string") return JSON.stringify(excerpt(v, 60));
  if (v !== null && typeof v === "object") return Array.isArray(v) ? `a list of ${v.length}` : "a mapping";
  return String(v);
};

function describe(e: ErrorObject, root: Record<string, unknown>, data: unknown, what: string): SchemaProblem {
  const at = pointerToPath(e.instancePath);
  const where = label(at, what);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const field = String(p.additionalProperty);
      const parent = schemaAt(root, e.schemaPath.replace(/\/additionalProperties$/, ""));
      const known = Object.keys((parent?.properties as object | undefined) ?? {});
      const hint = closest(field, known);
      return {
        at: [...at, field],
        key: true,
        message: `unknown field "${field}" in ${where}${hint ? `; did you mean "${hint}"?` : known.length ? ` (allowed: ${known.join(", ")})` : ""}`,
      };
    }
    case "propertyNames":
      if (at.length === 1 && at[0] === "sequences") {
        return { at: [...at, String(p.propertyName)], key: true, message: `sequence name "${String(p.propertyName)}" cannot be a film's file name: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit` };
      }
      return { at: [...at, String(p.propertyName)], key: true, message: `"${String(p.propertyName)}" is not a valid name in ${where}: use letters, digits, '.', '_' and '-', starting with a letter or digit` };
    case "pattern":
      if (e.schemaPath.includes("propertyNames")) return { at, key: true, message: "" };
      return { at, key: false, message: `${where} must be an http(s) URL, got ${show(valueAt(data, at))}` };
    case "required":
      return { at, key: false, message: `${where} is missing required field "${String(p.missingProperty)}"` };
    case "enum": {
      const allowed = (p.allowedValues as unknown[] | undefined) ?? [];
      const v = valueAt(data, at);
      const hint = typeof v === "string" ? closest(v, allowed.map(String)) : undefined;
      return { at, key: false, message: `${where} is ${show(v)}${hint ? `; did you mean "${hint}"?` : ""} (allowed: ${allowed.map(String).join(", ")})` };
    }
    case "const":
      return { at, key: false, message: `${where} must be ${show(p.allowedValue)}, got ${show(valueAt(data, at))}` };
    case "type":
      return { at, key: false, message: `${where} must be ${article(String(p.type))}, got ${show(valueAt(data, at))}` };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { at, key: false, message: `${where} ${e.message} (got ${show(valueAt(data, at))})` };
    case "minLength":
    case "maxLength": {
      const v = valueAt(data, at);
      return { at, key: false, message: `${where} ${e.message} (it has ${typeof v === "string" ? v.length : "?"})` };
    }
    case "minItems":
      return { at, key: false, message: `${where} must not be empty` };
    default:
      return { at, key: false, message: `${where} ${e.message ?? "is invalid"}` };
  }
}

function article(type: string): string {
  const t = type.replace(/,/g, " or ");
  if (t === "integer") return "a whole number";
  if (t === "array") return "a list";
  if (t === "object") return "a mapping";
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function typeOfValue(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/**
 * For a failed union (anyOf), keep the errors of the branch whose type matches the value
 * (e.g. the object form of a frame image when an object was written); if none matches,
 * report the union once using its description.
 */
function collapseUnions(errors: ErrorObject[], root: Record<string, unknown>, data: unknown): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === "anyOf");
  if (unions.length === 0) return errors;
  let out = errors;
  for (const u of unions) {
    const prefix = `${u.schemaPath}/`;
    const inside = out.filter((e) => e.schemaPath.startsWith(prefix));
    const value = valueAt(data, pointerToPath(u.instancePath));
    const vt = typeOfValue(value);
    const branches = (schemaAt(root, u.schemaPath) as unknown as unknown[] | undefined) ?? [];
    const matching = branches
      .map((b, i) => ({ b: b as Record<string, unknown>, i }))
      .filter(({ b }) => {
        const t = b.type;
        const types = Array.isArray(t) ? t : [t];
        return types.includes(vt) || (vt === "integer" && types.includes("number")) || (t === undefined && "const" in b);
      });
    out = out.filter((e) => e !== u && !e.schemaPath.startsWith(prefix));
    if (matching.length === 1) {
      const keep = `${prefix}${matching[0]!.i}/`;
      out.push(...inside.filter((e) => e.schemaPath.startsWith(keep)));
    } else {
      const desc = (schemaAt(root, u.schemaPath.replace(/\/anyOf$/, "")) ?? {}).description;
      out.push({ ...u, keyword: "union", message: `is not valid here${desc ? `: ${String(desc).replace(/\.$/, "")}` : ""}` });
    }
  }
  return out;
}

export function checkManifestSchema(data: unknown): SchemaProblem[] {
  return checkAgainst(validate, "manifest", withoutUnsets(data));
}

/**
 * `field: null` in a clip (or a clip's matrix value) unsets what `defaults:` gave it (expand.ts):
 * the schema checks the clip as it stands without those fields. A null on anything that is not a
 * clip field stays, and is reported as it would be. Copies only the clips that hold one.
 */
function withoutUnsets(data: unknown): unknown {
  const clips = isMapping(data) ? data.clips : undefined;
  if (!isMapping(clips)) return data;
  const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k, v]) => !(v === null && isClipField(k))));
  const holdsUnset = (o: Record<string, unknown>) => Object.entries(o).some(([k, v]) => v === null && isClipField(k));
  let copy: Record<string, unknown> | undefined;
  for (const [id, clip] of Object.entries(clips)) {
    if (!isMapping(clip)) continue;
    const matrix = isMapping(clip.matrix) ? clip.matrix : undefined;
    const axesWithUnset = matrix ? Object.entries(matrix).filter(([, axis]) => isMapping(axis) && Object.values(axis).some((v) => isMapping(v) && holdsUnset(v))) : [];
    if (!holdsUnset(clip) && axesWithUnset.length === 0) continue;
    const next = strip(clip);
    if (matrix && axesWithUnset.length > 0) {
      next.matrix = { ...matrix, ...Object.fromEntries(axesWithUnset.map(([name, axis]) => [name, Object.fromEntries(Object.entries(axis as Record<string, unknown>).map(([k, v]) => [k, isMapping(v) ? strip(v) : v]))])) };
    }
    (copy ??= { ...clips })[id] = next;
  }
  return copy ? { ...(data as Record<string, unknown>), clips: copy } : data;
}

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Validates `data` with a compiled schema validator; one clear problem per error, located by path. */
export function checkAgainst(validate: Validator, name: SchemaName, data: unknown, what = `the ${name}`): SchemaProblem[] {
  if (validate(data)) return [];
  const schema = loadSchema(name);
  const errors = collapseUnions(validate.errors ?? [], schema, data);
  // A bad property name also fails the name pattern: report it once.
  return errors.map((e) => describe(e, schema, data, what)).filter((p) => p.message !== "");
}
