/**
 * A plan limited to some manifests (`clipform plan specs/a.yaml`) still belongs to one project:
 * a sequence of a.yaml may cut a clip declared in b.yaml, and a clip of a.yaml may start on a
 * frame of one. Those names resolve against the whole project, so the other manifests are read
 * too, but only when the asked ones name something they do not declare (a large project's
 * partial plan stays as cheap as its files). What the others declare is context: it is checked
 * and planned only as far as the asked manifests need it, and their own problems are theirs.
 */
import type { Diagnostic } from "../diagnostics.js";
import { ClipformError } from "../errors.js";
import { frameImagesOf } from "../models/rules.js";
import { linkOf, referenceLinks } from "./links.js";
import type { ManifestResult, Project } from "./index.js";

/** Names the manifests use (sequence members, `from:` targets) that none of them declares. */
export function unresolvedNames(results: readonly ManifestResult[]): string[] {
  const declared = new Set<string>();
  for (const r of results) {
    for (const c of [...r.clips, ...(r.images ?? [])]) declared.add(c.address);
  }
  const missing = new Set<string>();
  const want = (name: unknown) => {
    if (typeof name === "string" && !declared.has(name)) missing.add(name);
  };
  const noWhere = () => ({ file: "", line: 0, col: 0 });
  for (const r of results) {
    const sequences = r.manifest?.sequences;
    if (sequences && typeof sequences === "object" && !Array.isArray(sequences)) {
      for (const members of Object.values(sequences)) if (Array.isArray(members)) members.forEach(want);
    }
    for (const c of r.clips) {
      for (const item of frameImagesOf(c.fields) ?? []) want(linkOf(item)?.from);
      for (const l of referenceLinks(c.fields.inputs, noWhere)) want(l.target);
    }
  }
  return [...missing].sort();
}

/**
 * The project as seen from the manifests in `files` (relative to the root): their clips are
 * planned; the other manifests' clips are `context`; only the asked manifests' problems,
 * budgets and sequences are theirs. The digest still covers every manifest read, so a saved
 * plan is stale when a manifest it relied on changes.
 */
export function scopeProject(project: Project, files: ReadonlySet<string>): Project {
  const others = new Set(project.manifests.map((m) => m.file).filter((f) => !files.has(f)));
  if (others.size === 0) return project;
  const mine = (d: Diagnostic) => !others.has(d.file);
  return {
    ...project,
    clips: project.clips.filter((c) => files.has(c.manifest)),
    context: project.clips.filter((c) => !files.has(c.manifest)),
    manifests: project.manifests.filter((m) => files.has(m.file)),
    diagnostics: project.diagnostics.filter(mine),
    sequences: project.sequences.filter((s) => files.has(s.manifest)),
  };
}

/** The project's manifests (as `discover` finds them) besides `loaded`; none when the project's folders are gone. */
export function otherManifests(discover: () => string[], loaded: readonly string[]): string[] {
  const seen = new Set(loaded);
  try {
    return discover().filter((f) => !seen.has(f));
  } catch (e) {
    if (e instanceof ClipformError && e.code === "NO_MANIFESTS") return [];
    throw e;
  }
}
