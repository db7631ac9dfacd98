/** Problems found in the user's files, each pointing at a file, line and column. */
export type Severity = "error" | "warning";

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  message: string;
  code?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity === "warning" ? "warning: " : ""}${d.message}`;
}

/** Sorted by file, line and column; the same message at the same place only once. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col)) {
    const key = `${d.file}:${d.line}:${d.col}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

/** A fan-out clip's diagnostics start with its address (`harbor/wide/foggy: …`), which has a slash. */
const ADDRESS_PREFIX = /^([^\s:]+\/[^\s:]*): ([\s\S]*)$/;
/** Addresses listed in full; beyond that, how many more. */
const MAX_LISTED_ADDRESSES = 6;

/**
 * One problem in a fan-out clip is the same problem in every clip it expands to, at the same
 * place: reported once, with the addresses it affects, instead of once per address.
 */
export function groupRepeated(list: readonly Diagnostic[]): Diagnostic[] {
  const groups = new Map<string, { first: Diagnostic; message: string; addresses: string[] }>();
  const out: (Diagnostic | string)[] = [];
  for (const d of list) {
    const m = ADDRESS_PREFIX.exec(d.message);
    if (!m) {
      out.push(d);
      continue;
    }
    const key = `${d.file}:${d.line}:${d.col}:${d.severity}:${m[2]}`;
    const g = groups.get(key);
    if (g) g.addresses.push(m[1]!);
    else {
      groups.set(key, { first: d, message: m[2]!, addresses: [m[1]!] });
      out.push(key);
    }
  }
  return out.map((item) => {
    if (typeof item !== "string") return item;
    const g = groups.get(item)!;
    if (g.addresses.length === 1) return g.first;
    const listed = g.addresses.slice(0, MAX_LISTED_ADDRESSES).join(", ");
    const more = g.addresses.length > MAX_LISTED_ADDRESSES ? ` and ${g.addresses.length - MAX_LISTED_ADDRESSES} more` : "";
    return { ...g.first, message: `${g.message} (in ${g.addresses.length} clips of the fan-out: ${listed}${more})` };
  });
}
