/** Which manifest files a project has: the paths given (files or folders, walked), never a link out of the project. */
import { readdirSync, realpathSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { PROJECT_CONFIG } from "../core/layout.js";
import { isInside } from "../core/paths.js";
import { ClipformError } from "../errors.js";

export function discoverManifests(root: string, paths: string[]): string[] {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const ent of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (ent.name.startsWith(".") || ent.name === "node_modules" || ent.name === PROJECT_CONFIG) continue;
      const p = join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(ent.name)) out.add(p);
    }
  };
  for (const p of paths) {
    const abs = resolve(root, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new ClipformError("NO_MANIFESTS", `${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      // A manifest folder that is a link out of the project (specs → /) is never walked.
      if (isInside(root, abs) && !isInside(realpathSync(root), realpathSync(abs))) {
        throw new ClipformError("UNSAFE_PATH", `${p}: is a symbolic link out of the project (to ${realpathSync(abs)}); clipform reads only files inside the project. Nothing was read from it.`);
      }
      walk(abs);
    } else out.add(abs);
  }
  if (out.size === 0) throw new ClipformError("NO_MANIFESTS", `no manifests (*.yaml) found in ${paths.join(", ")}`);
  return [...out].sort();
}
