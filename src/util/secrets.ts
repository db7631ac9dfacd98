/**
 * The one place that knows how to hide the API key. A key echoed back by a server can come in
 * any spelling that decodes to it later: raw, JSON-escaped (`\u0073k…`, which JSON.parse turns
 * back into the key), URL-encoded (`%73k…`), as HTML entities, broken by whitespace, line breaks
 * or separators (`s.k.-.l…`, `sk-li/ve…`), or encoded whole as hex, base64 or base64url (a server
 * that puts it in a `videoURL` path). Every text that leaves clipform (terminal, lockfile, plan
 * and report files) and every response body before it is parsed goes through `redactSecrets` or
 * a redactor made here.
 *
 * The matcher is one left-to-right pass (an NFA over the spellings' characters, at most one
 * thread per state and position), so its work grows with the text's length times the number of
 * states, never with the square of a run of backslashes: a regular expression with `\\+` did, and
 * a 300 KB reply kept apply busy for 15 minutes.
 */
export type Redact = (text: string) => string;

export const REDACTED = "[redacted]";
/** Shorter keys are not real keys; redacting them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 4;
/** Below this length, only unbroken spellings are redacted (a gap between letters is too common). */
const MIN_SPLIT_LENGTH = 8;
/** Below this length, hex and base64 spellings are too short to tell from ordinary text. */
const MIN_ENCODED_LENGTH = 16;
/** What may split a key once it is printed: whitespace, separators, and their escapes. */
const GAP_CHARS = new Set([..." \t\n\r\f\v.,/_-:;|~+"].map((c) => c.charCodeAt(0)));
/** A decoded `\n`, `\r` or `\t` escape: a gap, never a key character. */
const GAP = -1;

/** The spellings a key is searched in: itself, hex, and base64 / base64url at each byte alignment. */
export function spellingsOf(secret: string): string[] {
  const out = [secret];
  if (secret.length < MIN_ENCODED_LENGTH) return out;
  const bytes = Buffer.from(secret, "utf8");
  out.push(bytes.toString("hex"));
  for (let pad = 0; pad < 3; pad++) {
    // Only the characters made from the key's bits alone: the neighbours change the others.
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString("base64");
    const core = b64.slice(Math.ceil((8 * pad) / 6), Math.floor((8 * (pad + bytes.length)) / 6));
    out.push(core);
    const url = core.replace(/\+/g, "-").replace(/\//g, "_");
    if (url !== core) out.push(url);
  }
  return out;
}

const fold = (code: number) => (code >= 65 && code <= 90 ? code + 32 : code);
const hexValue = (code: number) =>
  code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code >= 65 && code <= 70 ? code - 55 : -1;

/** Reads a text once, left to right, and says what each position may decode to. */
class Decoder {
  readonly #text: string;
  #runStart = -1;
  #runEnd = -1;
  constructor(text: string) {
    this.#text = text;
  }

  /** The end of the backslash run that holds `p` (computed once per run: positions only grow). */
  #endOfRun(p: number): number {
    if (p < this.#runStart || p >= this.#runEnd) {
      let end = p;
      while (end < this.#text.length && this.#text.charCodeAt(end) === 92) end++;
      this.#runStart = p;
      this.#runEnd = end;
    }
    return this.#runEnd;
  }

  #hex(from: number, count: number): number {
    let v = 0;
    for (let i = from; i < from + count; i++) {
      const h = hexValue(this.#text.charCodeAt(i));
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return from + count <= this.#text.length ? v : -1;
  }

  /** `&#0*N;` or `&#x0*H;` at `p` (the `&`), as [code, end], or undefined. */
  #entity(p: number): [number, number] | undefined {
    const t = this.#text;
    if (t.charCodeAt(p + 1) !== 35) return undefined;
    let i = p + 2;
    const isHex = (t.charCodeAt(i) | 0x20) === 120;
    if (isHex) i++;
    while (t.charCodeAt(i) === 48) i++;
    let v = 0;
    let digits = 0;
    for (; digits < 7 && i < t.length; i++, digits++) {
      const h = hexValue(t.charCodeAt(i));
      if (h < 0 || (!isHex && h > 9)) break;
      v = v * (isHex ? 16 : 10) + h;
    }
    return t.charCodeAt(i) === 59 && (digits > 0 || t.charCodeAt(i - 1) === 48) ? [v, i + 1] : undefined;
  }

  /** Each [code, end] the text may decode to at `p`: the character itself and its escapes. */
  at(p: number, out: number[]): void {
    out.length = 0;
    const t = this.#text;
    const c = t.charCodeAt(p);
    out.push(c, p + 1);
    if (c === 92) {
      const j = this.#endOfRun(p);
      const next = t.charCodeAt(j);
      if (next === 117) {
        const v = this.#hex(j + 1, 4);
        if (v >= 0) out.push(v, j + 5);
      } else if (next === 110 || next === 114 || next === 116) out.push(GAP, j + 1);
      else if (next === 47 || next === 34) out.push(next, j + 1);
      if (j - p >= 2) out.push(92, j);
    } else if (c === 37) {
      const v = this.#hex(p + 1, 2);
      if (v >= 0 && v < 0x80) out.push(v, p + 3);
    } else if (c === 38) {
      const e = this.#entity(p);
      if (e) out.push(e[0], e[1]);
    }
  }
}

const classEscape = (ch: string) => ch.replace(/[\\\]^-]/g, "\\$&");

/**
 * Where a match may begin: a spelling's first character followed by its second, a separator or
 * the start of an escape; or an escape itself. One character class per spelling, no
 * quantifier: the regular expression engine scans for it in linear time, natively.
 */
function candidateStarts(spellings: readonly string[]): RegExp {
  const gaps = [...GAP_CHARS].map((c) => String.fromCharCode(c)).join("");
  const alternatives = spellings.map((s) => `[${classEscape(s[0]!)}][${classEscape(s[1]! + gaps)}\\\\%&]`);
  return new RegExp(`${alternatives.join("|")}|[\\\\%&]`, "gi");
}

/** What a scan costs: `steps` counts every transition tried, the matcher's unit of work. */
export interface ScanStats {
  steps: number;
}

/** The [start, end) ranges of `text` that spell any of `spellings`, merged where they overlap. */
export function findSpellings(text: string, spellings: readonly string[], stats: ScanStats = { steps: 0 }): [number, number][] {
  const codes = spellings.map((s) => Array.from(s, (ch) => fold(ch.charCodeAt(0))));
  const splittable = spellings.map((s) => s.length >= MIN_SPLIT_LENGTH);
  // State id = offset of the spelling + characters matched so far.
  const offsets: number[] = [];
  let total = 0;
  for (const c of codes) {
    offsets.push(total);
    total += c.length;
  }
  const pending = new Map<number, Map<number, number>>();
  const found: [number, number][] = [];
  const decoder = new Decoder(text);
  const units: number[] = [];
  const advance = (pos: number, state: number, start: number) => {
    let bucket = pending.get(pos);
    if (!bucket) pending.set(pos, (bucket = new Map<number, number>()));
    const had = bucket.get(state);
    if (had === undefined || start < had) bucket.set(state, start);
  };
  // Where no thread waits, only a spelling's first character or the start of an escape can
  // begin a match: every other position is passed over without decoding (most of any text).
  const starts = new Uint8Array(65536);
  const byFirst = new Map<number, number[]>();
  codes.forEach((c, s) => {
    starts[c[0]!] = 1;
    byFirst.set(c[0]!, [...(byFirst.get(c[0]!) ?? []), s]);
  });
  for (const c of [92, 37, 38]) starts[c] = 1;
  const candidate = candidateStarts(spellings);
  for (let p = 0; p < text.length; p++) {
    if (pending.size === 0) {
      // Nothing under way: jump (natively, in one linear scan) to where a match could begin.
      candidate.lastIndex = p;
      const next = candidate.exec(text);
      if (!next) break;
      p = next.index;
    }
    const here = pending.size > 0 ? pending.get(p) : undefined;
    if (!here && starts[fold(text.charCodeAt(p))] === 0) continue;
    pending.delete(p);
    decoder.at(p, units);
    for (let u = 0; u < units.length; u += 2) {
      stats.steps++;
      for (const s of byFirst.get(fold(units[u]!)) ?? []) {
        stats.steps++;
        if (codes[s]!.length === 1) found.push([p, units[u + 1]!]);
        else advance(units[u + 1]!, offsets[s]! + 1, p);
      }
    }
    if (!here) continue;
    for (const [state, start] of here) {
      let s = 0;
      while (s + 1 < offsets.length && offsets[s + 1]! <= state) s++;
      const k = state - offsets[s]!;
      const word = codes[s]!;
      for (let u = 0; u < units.length; u += 2) {
        stats.steps++;
        const code = units[u]!;
        const end = units[u + 1]!;
        if (fold(code) === word[k]) {
          if (k + 1 === word.length) found.push([start, end]);
          else advance(end, state + 1, start);
        }
        if (splittable[s] && (code === GAP || GAP_CHARS.has(code))) advance(end, state, start);
      }
    }
  }
  found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const [start, end] of found) {
    const last = merged[merged.length - 1];
    if (last && start < last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** `text` with every range that spells a secret replaced by REDACTED. */
function replaceRanges(text: string, ranges: readonly [number, number][]): string {
  if (ranges.length === 0) return text;
  let out = "";
  let at = 0;
  for (const [start, end] of ranges) {
    out += text.slice(at, start) + REDACTED;
    at = end;
  }
  return out + text.slice(at);
}

/** A redactor for one secret, in every spelling above. */
export function redactorFor(secret: string): Redact {
  if (secret.length < MIN_SECRET_LENGTH) return (text) => text;
  const spellings = spellingsOf(secret);
  const shortest = Math.min(...spellings.map((s) => s.length));
  return (text) => (text.length < shortest ? text : replaceRanges(text, findSpellings(text, spellings)));
}

/**
 * The secrets this process holds. Filled where the key is read (the CLI context, an API
 * session), read by every writer: a writer deep in the lockfile code has no key to pass around.
 */
const known = new Map<string, Redact>();

export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < MIN_SECRET_LENGTH || known.has(secret)) return;
  known.set(secret, redactorFor(secret));
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const r of known.values()) out = r(out);
  return out;
}

/** Whether `text` carries a registered secret in any spelling (a URL the server built with it). */
export function carriesSecret(text: string): boolean {
  return redactSecrets(text) !== text;
}

/**
 * Why `key` cannot be an API key, or undefined. A key copied with its line break (`…\r\n`)
 * makes an invalid Authorization header: nothing would be sent, and nothing said.
 */
export function apiKeyProblem(key: string): string | undefined {
  if (/[\u0000-\u001f\u007f]/.test(key)) return "RUNWARE_API_KEY contains a control character (a line break, tab or similar, often copied with the key): remove it. Nothing was sent.";
  if (key.trim() !== key) return "RUNWARE_API_KEY starts or ends with spaces: remove them. Nothing was sent.";
  if (/[^\u0020-\u007e]/.test(key)) return "RUNWARE_API_KEY contains characters outside printable ASCII: check it was copied whole. Nothing was sent.";
  return undefined;
}
