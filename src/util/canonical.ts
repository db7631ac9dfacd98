/** Canonical JSON: object keys sorted at every level, so equal data always hashes and diffs the same. */
import { createHash } from "node:crypto";

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * JSON.stringify(sortKeys(value), null, 2) as it reads `depth` levels deep in an indented
 * document (every line after the first indented 2·depth spaces more). JSON.stringify indents it
 * there itself when given the value wrapped `depth` times, and the wrapping is sliced off: a
 * lockfile's entries are written this way at every fold, without a re-indented copy of each.
 * `value` is a JSON value (not undefined).
 */
export function canonicalIndented(value: unknown, depth: number): string {
  let wrapped = sortKeys(value);
  for (let i = 0; i < depth; i++) wrapped = { "": wrapped };
  const text = JSON.stringify(wrapped, null, 2);
  const [head, tail] = wrapperEnds(depth);
  return text.slice(head, text.length - tail);
}

const ends = new Map<number, [number, number]>();
/** How many characters the wrapping adds before and after the value. */
function wrapperEnds(depth: number): [number, number] {
  let e = ends.get(depth);
  if (!e) {
    let w: unknown = null;
    for (let i = 0; i < depth; i++) w = { "": w };
    const text = JSON.stringify(w, null, 2);
    const at = text.indexOf("null");
    e = [at, text.length - at - "null".length];
    ends.set(depth, e);
  }
  return e;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
