/**
 * `sequences:`: films cut from the clips' picked takes. Each member must name a clip of the
 * project (a fan-out's clip by its full address); names are unique in the project, since each
 * is the name of one film. The schema already refused bad names, empty lists and overlong ones.
 */
import type { Diagnostic } from "../diagnostics.js";
import { closest } from "../util/suggest.js";
import type { ManifestResult } from "./index.js";
import { SEQUENCE_NAME_PATTERN } from "./sequence-names.js";
import { locate } from "../util/yaml.js";

export { MAX_SEQUENCE_MEMBERS, SEQUENCE_NAME_PATTERN } from "./sequence-names.js";

export interface DesiredSequence {
  name: string;
  /** Manifest path relative to the project root. */
  manifest: string;
  /** Clip addresses in order; one may appear more than once (a deliberate repeat). */
  members: string[];
  location: { file: string; line: number; col: number };
}

const NAME_RE = new RegExp(SEQUENCE_NAME_PATTERN);
/** `x.v1` would be cut to `x.v1.mp4`, the very file of clip x's first variant. */
const VARIANT_FILE_RE = /\.v\d+$/;
/** Fan-out addresses listed in a hint, at most. */
const HINT_ADDRESSES = 4;

/** Why `member` is not a clip address of the project, with what was probably meant. */
function unknownMember(member: string, addresses: ReadonlySet<string>): string {
  const expanded = [...addresses].filter((a) => a.startsWith(`${member}/`)).sort();
  if (expanded.length > 0) {
    const shown = expanded.slice(0, HINT_ADDRESSES).join(", ") + (expanded.length > HINT_ADDRESSES ? ", …" : "");
    return `no clip "${member}": it fans out to ${shown}; name one of them`;
  }
  const guess = closest(member, addresses);
  return `no clip "${member}"${guess ? `; did you mean "${guess}"?` : ""}`;
}

/**
 * The project's sequences, checked against every clip address the manifests declare (those
 * with errors of their own too, so one mistake is not reported twice).
 */
export function collectSequences(results: readonly ManifestResult[]): { sequences: DesiredSequence[]; diagnostics: Diagnostic[] } {
  const sequences: DesiredSequence[] = [];
  const diagnostics: Diagnostic[] = [];
  // Most projects have no sequences: their addresses are not gathered for nothing.
  if (!results.some((r) => r.manifest?.sequences)) return { sequences, diagnostics };
  const addresses: ReadonlySet<string> = new Set(results.flatMap((r) => r.clips.map((c) => c.address)));
  const byName = new Map<string, DesiredSequence["location"]>();
  for (const r of results) {
    const declared = r.manifest?.sequences;
    if (!declared || typeof declared !== "object" || Array.isArray(declared)) continue;
    for (const [name, members] of Object.entries(declared)) {
      // Shapes the schema refused are reported there once.
      if (!NAME_RE.test(name) || !Array.isArray(members) || members.length === 0 || !members.every((m) => typeof m === "string")) continue;
      const pos = locate(r.parsed, ["sequences", name], { key: true });
      const location = { file: r.file, line: pos.line, col: pos.col };
      if (VARIANT_FILE_RE.test(name)) {
        const clip = name.replace(VARIANT_FILE_RE, "");
        diagnostics.push({ ...location, severity: "error", message: `sequence name "${name}" ends like a variant's file name: its film ${name}.mp4 could overwrite variant ${name.slice(clip.length + 2)} of a clip "${clip}". Choose another name` });
        continue;
      }
      let ok = true;
      for (const [i, member] of members.entries()) {
        if (addresses.has(member)) continue;
        ok = false;
        const at = locate(r.parsed, ["sequences", name, i]);
        diagnostics.push({ file: r.file, line: at.line, col: at.col, severity: "error", message: `sequence ${name}: ${unknownMember(member, addresses)}` });
      }
      const first = byName.get(name);
      if (first) {
        diagnostics.push({ ...location, severity: "error", message: `duplicate sequence "${name}" (also defined at ${first.file}:${first.line}:${first.col}): each sequence is one film` });
        continue;
      }
      byName.set(name, location);
      if (ok) sequences.push({ name, manifest: r.file, members: [...members], location });
    }
  }
  sequences.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { sequences, diagnostics };
}
