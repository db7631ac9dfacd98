/**
 * Limits on what a manifest's YAML may make the loader do, checked on the syntax tree before it
 * becomes data: a manifest comes from pull requests too, and a 600-byte alias bomb, an alias that
 * contains itself or a tag that turns `clips:` into something the schema cannot see must end as a
 * located error, not a hang, a crash or a plan that deletes everything.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Alias, type Document, type Node } from "yaml";
import type { ParsedYaml, Position } from "../util/yaml.js";

/**
 * Most values (mappings, lists, scalars) a manifest may hold once its aliases are expanded.
 * A 10,000-clip manifest where each clip merges `<<: *defaults` holds about 200,000.
 */
export const MAX_EXPANDED_VALUES = 1_000_000;

/** The tags a manifest may spell out: the JSON-shaped core of YAML, each on its own kind of node. */
const SCALAR_TAGS = new Set(["tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"]);
const MAP_TAG = "tag:yaml.org,2002:map";
const SEQ_TAG = "tag:yaml.org,2002:seq";

export interface YamlLimitProblem {
  offset: number;
  message: string;
}

const shortTag = (tag: string) => tag.replace(/^tag:yaml\.org,2002:/, "!!");

/** `<<` merge keys: the yaml package stores their value as Symbol("<<"). */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return v === "<<" || (typeof v === "symbol" && v.description === "<<");
}

/**
 * One walk in document order: aliases resolve to the last anchor defined before them (YAML's rule),
 * an alias inside the node it names is a cycle, and each node's expanded size is memoized so the
 * whole check is linear in the text however deep the aliases nest.
 */
export function checkYamlLimits(doc: Document.Parsed, limit = MAX_EXPANDED_VALUES): YamlLimitProblem[] {
  const problems: YamlLimitProblem[] = [];
  const anchors = new Map<string, Node>();
  const weights = new Map<unknown, number>();
  const open = new Set<unknown>();
  let total = 0;
  let overAt: number | undefined;
  const offsetOf = (n: unknown) => (n as Node | undefined)?.range?.[0] ?? 0;

  const target = (alias: Alias): Node | undefined => anchors.get(alias.source);

  const checkTag = (node: Node): void => {
    const tag = node.tag;
    if (!tag) return;
    const ok = isMap(node) ? tag === MAP_TAG : isSeq(node) ? tag === SEQ_TAG : isScalar(node) ? SCALAR_TAGS.has(tag) : true;
    if (ok) return;
    const mapLike = isMap(node) || /omap|set|pairs/.test(tag);
    const kind = mapLike ? "a plain mapping (key: value)" : isSeq(node) ? "a plain list" : "a plain value";
    problems.push({ offset: offsetOf(node), message: `the YAML tag ${shortTag(tag)} is not supported in a manifest: write ${kind}` });
  };

  const checkMerge = (value: unknown): void => {
    const sources = isSeq(value) ? value.items : [value];
    for (const s of sources) {
      const resolved = isAlias(s) ? target(s) : s;
      if (!isMap(resolved)) {
        problems.push({ offset: offsetOf(s), message: "a merge key (<<) takes a mapping or an alias of a mapping (<<: *defaults), or a list of them" });
        return;
      }
    }
  };

  /** Expanded size of `node`, adding what the document holds there to the running total. */
  const walk = (node: unknown): number => {
    if (node === null || node === undefined) return 1;
    if (isAlias(node)) {
      const t = target(node);
      if (!t) return 1; // an unknown alias is a syntax error the parser reports
      if (open.has(t)) {
        problems.push({ offset: offsetOf(node), message: `the alias *${node.source} is inside the value it names (&${node.source}): an alias cannot contain itself` });
        return 1;
      }
      const w = weights.get(t) ?? 1;
      total += w;
      if (total > limit && overAt === undefined) overAt = offsetOf(node);
      return w;
    }
    const n = node as Node;
    if (n.anchor) anchors.set(n.anchor, n);
    checkTag(n);
    total += 1;
    let w = 1;
    if (isMap(n) || isSeq(n)) {
      open.add(n);
      for (const item of n.items as unknown[]) {
        if (isPair(item)) {
          if (isMergeKey(item.key)) checkMerge(item.value);
          else if (isMap(item.key) || isSeq(item.key) || isAlias(item.key)) {
            problems.push({ offset: offsetOf(item.key), message: "a key must be a plain name, not a mapping, a list or an alias" });
          }
          w += walk(item.key) + walk(item.value);
        } else w += walk(item);
      }
      open.delete(n);
    }
    weights.set(n, w);
    return w;
  };
  walk(doc.contents);
  if (overAt !== undefined) {
    problems.push({
      offset: overAt,
      message: `aliases expand this manifest to more than ${limit.toLocaleString("en-US")} values (${total.toLocaleString("en-US")}): write the values out or use fewer nested aliases`,
    });
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

/**
 * The manifest as plain data, or the located problems that stop it from becoming data safely
 * (alias bombs and cycles, tags that are not plain YAML, merge keys that cannot merge).
 */
export function toData(parsed: ParsedYaml): { ok: true; data: unknown } | { ok: false; problems: { pos: Position; message: string }[] } {
  const at = (offset: number): Position => {
    const p = parsed.lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const limits = checkYamlLimits(parsed.doc);
  if (limits.length > 0) return { ok: false, problems: limits.map((p) => ({ pos: at(p.offset), message: p.message })) };
  try {
    // The limits above bound what aliases expand to, in linear time; yaml's own count is quadratic here.
    return { ok: true, data: parsed.doc.toJS({ maxAliasCount: -1 }) };
  } catch (e) {
    // Only the yaml package runs here, on the user's text: what it refuses (beyond the checks above) is about that text.
    if (!(e instanceof Error)) throw e;
    return { ok: false, problems: [{ pos: { line: 1, col: 1 }, message: `YAML error: ${excerpt(e.message)}` }] };
  }
}

/** At most a short, single-line excerpt of user text or a library message, for error messages. */
export function excerpt(text: string, max = 80): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
