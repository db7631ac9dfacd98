/**
 * Expansion: defaults merged into each clip (and `imageDefaults:` into each keyframe image), matrices fanned out into clips with stable
 * addresses, and ${variables} substituted. Every field remembers where in the YAML it came
 * from, so a problem in an expanded clip still points at the line the user wrote.
 */
import { joinAddress } from "../core/address.js";
import { isClipField } from "./fields.js";
import { IMAGE_FIELD_NAMES } from "./image-schema.js";
import type { Manifest } from "./schema.js";

export type YamlPath = (string | number)[];

/** Field path inside a clip ("inputs/frameImages/0") → where it was written in the manifest. */
export type Origins = Map<string, YamlPath>;

export interface ExpandedClip {
  address: string;
  clipId: string;
  matrix: Record<string, string>;
  fields: Record<string, unknown>;
  /** The clip's `description`: a note for people, never sent (so outside `fields`). */
  description?: string;
  origins: Origins;
  /** Where the clip itself is declared: its key under `clips:`. */
  declaredAt: YamlPath;
}

export interface ExpandProblem {
  at: YamlPath;
  key?: boolean;
  message: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Deep-merges `src` into `dst` (objects merge, arrays and scalars replace), recording origins. */
function mergeInto(dst: Record<string, unknown>, src: Record<string, unknown>, origins: Origins, from: YamlPath, prefix = ""): void {
  for (const [k, v] of Object.entries(src)) {
    const key = prefix ? `${prefix}/${k}` : k;
    const at = [...from, k];
    if (v === null && !prefix && isClipField(k)) {
      // `field: null` unsets what the defaults gave (only for a clip's own fields: the schema
      // reports a null anywhere else).
      delete dst[k];
      for (const existing of [...origins.keys()]) if (existing === key || existing.startsWith(`${key}/`)) origins.delete(existing);
      continue;
    }
    if (isPlainObject(v) && isPlainObject(dst[k])) {
      origins.set(key, at);
      mergeInto(dst[k] as Record<string, unknown>, v, origins, at, key);
      continue;
    }
    const nested = v !== null && typeof v === "object";
    if (nested || isPlainObject(dst[k]) || Array.isArray(dst[k])) {
      for (const existing of [...origins.keys()]) if (existing.startsWith(`${key}/`)) origins.delete(existing);
    }
    dst[k] = nested ? structuredClone(v) : v;
    origins.set(key, at);
  }
}

/** A readable, path-safe address segment from a matrix value: "klingai:1@2" → "klingai-1-2". */
export function slug(value: unknown): string {
  const s = String(value)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[-.]+|-+$/g, "");
  return s || "x";
}

interface AxisValue {
  key: string;
  variable: string | number | boolean;
  fields: Record<string, unknown>;
  at: YamlPath;
}

function axisValues(axis: string, spec: unknown, at: YamlPath, problems: ExpandProblem[], isField: (name: string) => boolean): AxisValue[] {
  const out: AxisValue[] = [];
  const setsField = isField(axis);
  const add = (key: string, value: unknown, vat: YamlPath) => {
    if (out.some((o) => o.key === key)) {
      problems.push({ at: vat, message: `matrix axis "${axis}": two values give the same address key "${key}"` });
      return;
    }
    if (isPlainObject(value)) {
      out.push({ key, variable: key, fields: value, at: vat });
    } else {
      const scalar = value as string | number | boolean;
      out.push({ key, variable: scalar, fields: setsField ? { [axis]: scalar } : {}, at: vat });
    }
  };
  if (Array.isArray(spec)) spec.forEach((v, i) => add(slug(v), v, [...at, i]));
  else if (isPlainObject(spec)) for (const [k, v] of Object.entries(spec)) add(k, v, [...at, k]);
  return out;
}

const VAR_RE = /\$\$\{|\$\{([^}]*)\}/g;

function substitute(
  value: unknown,
  vars: Record<string, string | number | boolean>,
  path: string,
  origins: Origins,
  problems: ExpandProblem[],
): unknown {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    return value.replace(VAR_RE, (m, name: string | undefined) => {
      if (m === "$${") return "${";
      const n = (name ?? "").trim();
      if (Object.hasOwn(vars, n)) return String(vars[n]);
      const known = Object.keys(vars);
      problems.push({
        at: originOf(origins, path),
        message: `unknown variable \${${n}}${known.length ? ` (known here: ${known.join(", ")})` : " (define it under variables: or as a matrix axis)"}`,
      });
      return m;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, vars, `${path}/${i}`, origins, problems));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, vars, path ? `${path}/${k}` : k, origins, problems);
    return out;
  }
  return value;
}

/** The YAML path a field of an expanded clip came from: its own origin or its nearest ancestor's, plus the rest. */
export function originOf(origins: Origins, fieldPath: string): YamlPath {
  const segs = fieldPath.split("/").filter(Boolean);
  for (let i = segs.length; i > 0; i--) {
    const at = origins.get(segs.slice(0, i).join("/"));
    if (at) return [...at, ...segs.slice(i).map((s) => (/^\d+$/.test(s) ? Number(s) : s))];
  }
  return [];
}

/**
 * Most clips one matrix may fan out to, and one manifest may hold once expanded: a few lines of
 * matrix (8 axes × 10 values) would otherwise ask for 100 million clips and stall every command.
 */
export const MAX_FANOUT_PER_CLIP = 10_000;
export const MAX_CLIPS_PER_MANIFEST = 50_000;

/**
 * How many clips a matrix fans out to, without building them. An empty or malformed axis (the
 * schema reports it) counts as one value: the axes before it are still built before it empties the product.
 */
function fanoutOf(matrix: unknown): number {
  if (!isPlainObject(matrix)) return 1;
  let n = 1;
  for (const spec of Object.values(matrix)) n *= Math.max(1, Array.isArray(spec) ? spec.length : isPlainObject(spec) ? Object.keys(spec).length : 1);
  return n;
}

const count = (n: number) => n.toLocaleString("en-US");

/** What differs between the two sections that fan out: where they are, their defaults, the fields an axis sets. */
interface Section {
  key: "clips" | "images";
  defaults: "defaults" | "imageDefaults";
  isField: (name: string) => boolean;
  /** "clips" / "images", in messages. */
  noun: string;
}

const CLIPS: Section = { key: "clips", defaults: "defaults", isField: isClipField, noun: "clips" };
const IMAGES: Section = { key: "images", defaults: "imageDefaults", isField: (n) => IMAGE_FIELD_NAMES.includes(n), noun: "images" };

/** The clips of a manifest, defaults merged, matrices fanned out, variables substituted. */
export function expandManifest(m: Manifest): { clips: ExpandedClip[]; problems: ExpandProblem[] } {
  return expandSection(m, CLIPS);
}

/** The same for its keyframe images (`images:`, with `imageDefaults:`): an ExpandedClip per image to make. */
export function expandImages(m: Manifest): { clips: ExpandedClip[]; problems: ExpandProblem[] } {
  return expandSection(m, IMAGES);
}

function expandSection(m: Manifest, section: Section): { clips: ExpandedClip[]; problems: ExpandProblem[] } {
  const problems: ExpandProblem[] = [];
  const clips: ExpandedClip[] = [];
  const variables = m.variables ?? {};
  const entries = (m[section.key] ?? {}) as Record<string, unknown>;
  const defaults = m[section.defaults] as Record<string, unknown> | undefined;
  const S = section.key;
  let planned = 0;
  for (const [clipId, clip] of Object.entries(entries)) {
    if (!isPlainObject(clip)) continue; // reported by the schema ("must be a mapping")
    const fanout = fanoutOf(clip.matrix);
    if (fanout > MAX_FANOUT_PER_CLIP) {
      problems.push({ at: [S, clipId, "matrix"], key: true, message: `this matrix fans out to ${count(fanout)} ${section.noun}; the limit is ${count(MAX_FANOUT_PER_CLIP)} per ${section.noun.slice(0, -1)}` });
      continue;
    }
    planned += fanout;
    if (planned > MAX_CLIPS_PER_MANIFEST) {
      problems.push({ at: [S, clipId], key: true, message: `the manifest expands to more than ${count(MAX_CLIPS_PER_MANIFEST)} ${section.noun} here; split it into several manifests` });
      break;
    }
    const origins: Origins = new Map();
    const base: Record<string, unknown> = {};
    if (isPlainObject(defaults)) mergeInto(base, defaults, origins, [section.defaults]);
    const { matrix, description, ...own } = clip;
    mergeInto(base, own as Record<string, unknown>, origins, [S, clipId]);
    const declaredAt: YamlPath = [S, clipId];

    const axes = Object.entries(isPlainObject(matrix) ? matrix : {}).map(([axis, spec]) => ({
      axis,
      values: axisValues(axis, spec, [S, clipId, "matrix", axis], problems, section.isField),
    }));
    for (const { axis } of axes) {
      if (Object.hasOwn(variables, axis)) {
        problems.push({ at: [S, clipId, "matrix", axis], key: true, message: `matrix axis "${axis}" has the same name as a variable; rename one of them` });
      }
    }
    let combos: { keys: string[]; vars: Record<string, string | number | boolean>; fields: Record<string, unknown>; origins: Origins }[] = [
      { keys: [], vars: { ...variables }, fields: base, origins },
    ];
    for (const { axis, values } of axes) {
      const next: typeof combos = [];
      for (const c of combos) {
        for (const v of values) {
          const fields = structuredClone(c.fields);
          const o: Origins = new Map(c.origins);
          mergeInto(fields, v.fields, o, v.at);
          next.push({ keys: [...c.keys, v.key], vars: { ...c.vars, [axis]: v.variable }, fields, origins: o });
        }
      }
      combos = next;
    }
    for (const c of combos) {
      const address = joinAddress(clipId, c.keys);
      const before = problems.length;
      const fields = substitute(c.fields, c.vars, "", c.origins, problems) as Record<string, unknown>;
      // An image's problems are told by its name, as its model's rules are.
      if (section.key === "images") for (const p of problems.slice(before)) p.message = `${address}: ${p.message}`;
      clips.push({
        address,
        clipId,
        matrix: Object.fromEntries(axes.map((a, i) => [a.axis, c.keys[i]!])),
        fields,
        ...(typeof description === "string" ? { description } : {}),
        origins: c.origins,
        declaredAt,
      });
    }
  }
  return { clips, problems };
}
