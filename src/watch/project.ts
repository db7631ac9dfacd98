/**
 * A project kept loaded between saves: each manifest is parsed once and again only when it
 * changes (YAML parsing dominates the cost of a plan); images are re-hashed only when their
 * size or mtime changes.
 */
import { resolve } from "node:path";
import { fileStamp } from "../util/stamp.js";
import { LocalImageCache } from "../manifest/images.js";
import { assembleProject, DEFAULT_SPECS_DIR, discoverManifests, loadManifestFile, type ManifestResult, type Project } from "../manifest/index.js";

export class IncrementalProject {
  readonly root: string;
  readonly paths: string[];
  readonly images = new LocalImageCache();
  readonly #parsed = new Map<string, { result: ManifestResult; stamp: string }>();
  parses = 0;

  constructor(root: string, paths: string[]) {
    this.root = resolve(root);
    this.paths = paths.length ? paths : [DEFAULT_SPECS_DIR];
  }

  /** Forgets a manifest so the next load parses it again. */
  invalidate(absPath: string): void {
    this.#parsed.delete(resolve(absPath));
  }

  /** Loads the project, re-parsing only manifests that are new or were invalidated. Throws like loadProject when there are none. */
  load(): Project {
    const files = discoverManifests(this.root, this.paths);
    const live = new Set(files);
    for (const f of [...this.#parsed.keys()]) if (!live.has(f)) this.#parsed.delete(f);
    const results = files.map((f) => {
      // File events can be missed (a save right as watching starts); size and mtime are the truth.
      const stamp = fileStamp(f);
      const cached = this.#parsed.get(f);
      if (cached && cached.stamp === stamp) return cached.result;
      const result = loadManifestFile(f, this.root);
      this.#parsed.set(f, { result, stamp });
      this.parses++;
      return result;
    });
    return assembleProject(this.root, results, this.images);
  }

  /** Size, mtime and inode of every manifest and of `extra` files, by path: some differ whenever any of them changes on disk. */
  diskStamps(extra: Iterable<string>): Map<string, string> {
    let files: string[];
    try {
      files = discoverManifests(this.root, this.paths);
    } catch {
      files = [];
    }
    return new Map([...files, ...extra].map((f) => [f, fileStamp(f)]));
  }

  /**
   * The stamp of a local image this load has read with content hash `sha256`: taken after the
   * read, so the image is read again (from the cache while its size and mtime hold) to make sure
   * the stamp describes what was read. When it does not, the stamp is one no file has, so the
   * next check sees a change (a real save, made while this load ran).
   */
  stampOfRead(path: string, sha256: string | undefined): string {
    const stamp = fileStamp(path);
    const again = this.images.load(path, this.root, this.root);
    return again.ok && again.image.sha256 === sha256 ? stamp : "changed since it was read";
  }
}

/** Whether two sets of stamps describe the same files in the same state. */
export function sameStamps(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [f, s] of a) if (b.get(f) !== s) return false;
  return true;
}
