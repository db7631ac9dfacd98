/**
 * YAML with source positions: parse once, keep the syntax tree, and map a JSON path back to
 * the line and column where the user wrote it (following anchors, aliases and merge keys).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type YAMLMap } from "yaml";

export interface Position {
  line: number;
  col: number;
}

export interface ParsedYaml {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Syntax errors with the position where the problem starts. */
  syntaxErrors: { pos: Position; message: string }[];
}

export function parseYaml(source: string): ParsedYaml {
  // A byte order mark is not part of the first line's columns.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const lineCounter = new LineCounter();
  // yaml's own unique-key check compares every key with every earlier key of its mapping: on a
  // 10,000-clip `clips:` map that is half of the whole parse. duplicateKeys() does it in linear time.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: false });
  const syntaxErrors: ParsedYaml["syntaxErrors"] = [];
  const seen = new Set<number>();
  const problems = [...doc.errors.map((e) => ({ code: e.code as string, message: e.message, offset: e.pos[0] })), ...duplicateKeys(doc)];
  for (const e of problems.sort((a, b) => a.offset - b.offset)) {
    const start = whereProblemStarts(doc, text, e.code, e.offset);
    if (seen.has(start)) continue; // one problem, one message
    seen.add(start);
    syntaxErrors.push({ pos: toPos(lineCounter, start), message: describeYamlError(e.code, e.message) });
  }
  return { doc, lineCounter, syntaxErrors };
}

/** Keys defined twice in one mapping, found with one set per mapping (merge keys excepted). */
function duplicateKeys(doc: Document.Parsed): { code: string; message: string; offset: number }[] {
  const out: { code: string; message: string; offset: number }[] = [];
  // A plain walk over collections only: the manifest's scalars (most of its nodes) are never visited.
  const walk = (node: unknown): void => {
    if (isMap(node)) {
      const keys = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key) && !isMergeKey(pair.key)) {
          const k = pair.key.value;
          if (keys.has(k)) out.push({ code: "DUPLICATE_KEY", message: "Map keys must be unique", offset: pair.key.range?.[0] ?? 0 });
          keys.add(k);
        }
        if (isMap(pair.value) || isSeq(pair.value)) walk(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) if (isMap(item) || isSeq(item)) walk(item);
    }
  };
  walk(doc.contents);
  return out;
}

function toPos(lc: LineCounter, offset: number): Position {
  const p = lc.linePos(offset);
  return { line: p.line, col: p.col };
}

function describeYamlError(code: string, message: string): string {
  if (code === "BLOCK_AS_IMPLICIT_KEY" || code === "MULTILINE_IMPLICIT_KEY") return "bad indentation: this line is indented deeper than the key above it";
  if (code === "DUPLICATE_KEY") return "duplicate key: this key is already defined in the same mapping";
  if (code === "MISSING_CHAR" && /quote/i.test(message)) return "unterminated quoted string: the closing quote is missing";
  return `YAML syntax error: ${message}`;
}

/**
 * The yaml package reports an unterminated quote or flow collection where it gave up (often
 * the end of the file). Users need where it opens: the last quoted scalar or flow collection
 * that starts before the reported offset and runs up to it.
 */
function whereProblemStarts(doc: Document.Parsed, text: string, code: string, offset: number): number {
  if (code === "BLOCK_AS_IMPLICIT_KEY" || code === "MULTILINE_IMPLICIT_KEY") {
    // A key indented too far: the problem is the over-indented line, not the key above it.
    const nl = text.indexOf("\n", offset);
    if (nl >= 0) {
      let i = nl + 1;
      while (text[i] === " ") i++;
      return i;
    }
    return offset;
  }
  if (code !== "MISSING_CHAR" && code !== "BAD_INDENT" && code !== "UNEXPECTED_TOKEN") return offset;
  let best = -1;
  visit(doc, {
    Scalar(_k, node) {
      const r = node.range;
      if (!r) return;
      const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE";
      if (quoted && r[0] < offset && r[2] >= offset && r[0] > best) best = r[0];
    },
    Map(_k, node) {
      const r = node.range;
      if (node.flow && r && r[0] < offset && r[2] >= offset && r[0] > best) best = r[0];
    },
    Seq(_k, node) {
      const r = node.range;
      if (node.flow && r && r[0] < offset && r[2] >= offset && r[0] > best) best = r[0];
    },
  });
  return best >= 0 ? best : offset;
}

/**
 * Finds the node at `path` (keys and indexes) and returns its position; when the path does not
 * exist all the way down, the position of the deepest node that does. With `key: true` the
 * position of the last key itself (for "unknown field" errors).
 */
export function locate(parsed: ParsedYaml, path: readonly (string | number)[], opts: { key?: boolean } = {}): Position {
  const { doc, lineCounter } = parsed;
  let node: unknown = doc.contents;
  let keyNode: unknown;
  let lastGood: unknown = node;
  for (const seg of path) {
    node = deref(doc, node);
    const next = child(doc, node, seg);
    if (!next) break;
    keyNode = next.key;
    node = next.value;
    // An empty value (`harbor:` and nothing after it) has no place of its own: point at its key.
    const empty = isScalar(next.value) && next.value.value === null && next.value.range?.[0] === next.value.range?.[1];
    lastGood = empty ? next.key : (next.value ?? next.key);
    if (next.value == null) break;
  }
  const target = opts.key && keyNode ? keyNode : lastGood;
  const range = (target as Node | undefined)?.range;
  return toPos(lineCounter, range ? range[0] : 0);
}

function deref(doc: Document.Parsed, node: unknown): unknown {
  let n = node;
  for (let i = 0; i < 16 && isAlias(n); i++) n = n.resolve(doc);
  return n;
}

/** `<<` merge keys: the yaml package stores their value as Symbol("<<"). */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return v === "<<" || (typeof v === "symbol" && v.description === "<<");
}

/** Key → pair index per mapping, built on first use: lookups stay O(1) in a 10,000-clip `clips:` map. */
const keyIndex = new WeakMap<object, Map<string, { key: unknown; value: unknown }>>();

function pairsByKey(node: YAMLMap): Map<string, { key: unknown; value: unknown }> {
  let index = keyIndex.get(node);
  if (!index) {
    index = new Map();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = String(isScalar(pair.key) ? pair.key.value : pair.key);
      if (!index.has(k)) index.set(k, { key: pair.key, value: pair.value });
    }
    keyIndex.set(node, index);
  }
  return index;
}

function child(doc: Document.Parsed, node: unknown, seg: string | number): { key: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const hit = pairsByKey(node).get(String(seg));
    if (hit) return hit;
    // YAML merge keys (<<: *base): look in the merged mappings.
    for (const pair of node.items) {
      if (!isPair(pair) || !isMergeKey(pair.key)) continue;
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const s of sources) {
        const found = child(doc, deref(doc, s), seg);
        if (found) return found;
      }
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === "number") {
    const item = node.items[seg];
    return item === undefined ? undefined : { key: undefined, value: item };
  }
  return undefined;
}
