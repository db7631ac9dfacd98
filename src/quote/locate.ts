/**
 * Where in the manifests an API error points: the line that set the parameter the API names
 * ("duration", "inputs.frameImages.0.frame"), or the clip's own line when the field came from
 * the defaults, the catalog or nowhere the manifest says.
 */
import { resolve } from "node:path";
import type { Diagnostic } from "../diagnostics.js";
import { originOf } from "../manifest/expand.js";
import { loadManifestFile, type DesiredClip, type ManifestResult } from "../manifest/index.js";
import { locate } from "../util/yaml.js";

/** Re-reads each manifest at most once (only those with a rejected request). */
export class ManifestLocator {
  readonly #root: string;
  readonly #files = new Map<string, ManifestResult>();

  constructor(root: string) {
    this.#root = root;
  }

  diagnostic(clip: DesiredClip, parameter: string | string[] | undefined, message: string, code?: string): Diagnostic {
    const at = this.#position(clip, [parameter ?? []].flat()[0]);
    const prefix = clip.address !== clip.clipId ? `${clip.address}: ` : "";
    return { file: clip.manifest, line: at.line, col: at.col, severity: "error", message: prefix + message, ...(code ? { code } : {}) };
  }

  #position(clip: DesiredClip, parameter: string | undefined): { line: number; col: number } {
    const fallback = { line: clip.location.line, col: clip.location.col };
    if (!parameter) return fallback;
    let result = this.#files.get(clip.manifest);
    if (!result) {
      try {
        result = loadManifestFile(resolve(this.#root, clip.manifest), this.#root);
      } catch {
        return fallback;
      }
      this.#files.set(clip.manifest, result);
    }
    const expanded = result.clips.find((c) => c.address === clip.address);
    if (!expanded) return fallback;
    const path = originOf(expanded.origins, parameter.split(/[./]/).filter(Boolean).join("/"));
    if (path.length === 0) return fallback;
    const pos = locate(result.parsed, path);
    return { line: pos.line, col: pos.col };
  }
}
