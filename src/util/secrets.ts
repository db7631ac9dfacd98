/**
 * The one place that knows how to hide the API key. A key echoed back by a server can come in
 * any spelling that decodes to it later: raw, JSON-escaped (`\u0073k…`, which JSON.parse turns
 * back into the key), URL-encoded (`%73k…`), as HTML entities, or broken by whitespace and line
 * breaks. Every text that leaves clipform (terminal, lockfile, plan and report files) and every
 * response body before it is parsed goes through `redactSecrets` or a redactor made here.
 */
export type Redact = (text: string) => string;

export const REDACTED = "[redacted]";
/** Shorter keys are not real keys; redacting them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 4;
/** Below this length, only unbroken spellings are redacted (a gap between letters is too common). */
const MIN_SPLIT_LENGTH = 8;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** Every spelling of one character: itself, `\uXXXX` (escaped once or more), `%XX`, `&#N;` / `&#xH;`. */
function charPattern(ch: string): string {
  const code = ch.codePointAt(0)!;
  const hex = code.toString(16);
  const forms = [escapeRe(ch), `\\\\+u${hex.padStart(4, "0")}`, `&#0*${code};`, `&#[xX]0*${hex};`];
  if (code < 0x80) forms.push(`%${hex.padStart(2, "0")}`);
  // A JSON text escapes '/' and '"' and '\' with a backslash.
  if (ch === "/" || ch === '"' || ch === "\\") forms.push(`\\\\+${escapeRe(ch)}`);
  return `(?:${forms.join("|")})`;
}

/** What may split a key once it is printed: whitespace, and its JSON or URL escapes. */
const GAP = "(?:\\s|\\\\+[nrt]|%0[aAdD9]|%20|\\+)*";

function patternFor(secret: string): RegExp {
  const chars = [...secret].map(charPattern);
  return new RegExp(chars.join(secret.length >= MIN_SPLIT_LENGTH ? GAP : ""), "gi");
}

/** A redactor for one secret, in every spelling above. */
export function redactorFor(secret: string): Redact {
  if (secret.length < MIN_SECRET_LENGTH) return (text) => text;
  const re = patternFor(secret);
  return (text) => (text.length < secret.length ? text : text.replace(re, REDACTED));
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
