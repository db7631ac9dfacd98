/** Problems found in the user's files, each pointing at a file, line and column. */
export type Severity = "error" | "warning";

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  message: string;
  code?: string;
  /**
   * A problem written in `defaults:`: the clips it reaches and the field, so that it is reported
   * once, naming them (sortDiagnostics folds these into the message).
   */
  fromDefaults?: { clips: string[]; field: string };
}

/** `FILE:LINE:COL: message`; a warning says so, with its code (what `warnings: {ignore: [CODE]}` silences). */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity === "warning" ? "warning: " : ""}${d.message}${d.severity === "warning" && d.code ? ` [${d.code}]` : ""}`;
}

/**
 * Drops the warnings the project silences (`warnings: {ignore: […]}` in clipform.yaml) or the
 * manifest they are in does. Errors are never silenced.
 */
export function silenceWarnings(list: readonly Diagnostic[], project: ReadonlySet<string>, byFile: ReadonlyMap<string, ReadonlySet<string>>): Diagnostic[] {
  if (project.size === 0 && byFile.size === 0) return [...list];
  return list.filter((d) => d.severity !== "warning" || !d.code || !(project.has(d.code) || byFile.get(d.file)?.has(d.code)));
}

/** Clips a default's problem names in full; beyond that, how many more. */
const MAX_LISTED_CLIPS = 6;

/**
 * Sorted by file, line and column; the same message at the same place only once. A problem in
 * `defaults:` that reaches several clips is one problem, naming them.
 */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Map<string, Diagnostic>();
  const out: Diagnostic[] = [];
  for (const d of [...list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col)) {
    const key = `${d.file}:${d.line}:${d.col}:${d.message}`;
    const first = seen.get(key);
    if (first) {
      if (first.fromDefaults && d.fromDefaults) first.fromDefaults.clips.push(...d.fromDefaults.clips);
      continue;
    }
    const copy: Diagnostic = d.fromDefaults ? { ...d, fromDefaults: { ...d.fromDefaults, clips: [...d.fromDefaults.clips] } } : d;
    seen.set(key, copy);
    out.push(copy);
  }
  return out.map(({ fromDefaults, ...d }) => {
    if (!fromDefaults) return d;
    const { clips, field } = fromDefaults;
    const listed = clips.slice(0, MAX_LISTED_CLIPS).join(", ") + (clips.length > MAX_LISTED_CLIPS ? ` and ${clips.length - MAX_LISTED_CLIPS} more` : "");
    return { ...d, message: `${d.message} (set by defaults:, reaching ${listed}; \`${field}: null\` in a clip unsets it there)` };
  });
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
