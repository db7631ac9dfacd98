/**
 * JSON.parse keeps the last of two equal keys in an object and says nothing: in a lockfile that
 * is a clip entry (its paid tasks) dropped without a word at the next write. This finds the first
 * repeated key of a text JSON.parse accepts, with both places, in one pass (strings are skipped
 * with indexOf, so a 15 MB lockfile takes tens of milliseconds).
 */

export interface RepeatedKey {
  key: string;
  /** Keys from the top level down to the object holding it. */
  path: string[];
  /** Offsets of the key's two opening quotes. */
  first: number;
  second: number;
}

interface Frame {
  /** Undefined for an array. Small objects keep their keys in a list, large ones in a map. */
  keys: string[] | undefined;
  offsets: number[];
  map: Map<string, number> | undefined;
  /** The key this value sits under in its parent (for the path). */
  under: string;
  expectKey: boolean;
}

/** Past this many keys an object's keys go into a map (a lockfile's clips); below, a list is faster. */
const LIST_MAX = 16;

/** Where `key` was seen before in `f`, recording it when new. */
function seenAt(f: Frame, key: string, at: number): number | undefined {
  if (f.map) {
    const seen = f.map.get(key);
    if (seen === undefined) f.map.set(key, at);
    return seen;
  }
  const keys = f.keys!;
  const i = keys.indexOf(key);
  if (i >= 0) return f.offsets[i];
  keys.push(key);
  f.offsets.push(at);
  if (keys.length > LIST_MAX) f.map = new Map(keys.map((k, j) => [k, f.offsets[j]!]));
  return undefined;
}

/** The first repeated key in `text` (valid JSON), or undefined. */
export function firstRepeatedKey(text: string): RepeatedKey | undefined {
  const stack: Frame[] = [];
  let lastKey = "";
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, at);
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const raw = text.slice(at + 1, end);
        const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
        const seen = seenAt(top, key, at);
        if (seen !== undefined) return { key, path: stack.slice(1).map((f) => f.under), first: seen, second: at };
        top.expectKey = false;
        lastKey = key;
      }
      at = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const top = stack[stack.length - 1];
      const under = top && !top.keys ? "[]" : lastKey;
      stack.push({ keys: c === 0x7b ? [] : undefined, offsets: [], map: undefined, under, expectKey: c === 0x7b });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    }
  }
  return undefined;
}

/** The offset of the quote that closes the string opened at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    if (end < 0) return text.length;
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}
