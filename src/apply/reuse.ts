/**
 * Reuse: a clip whose exact request was already generated gets a copy of that generation (its
 * records and files) instead of paying again. A source is read as it was before this apply
 * changed anything (two clips swapping names must not copy from an entry already overwritten),
 * and only if it holds the very generation the clip wants.
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { DesiredClip } from "../manifest/index.js";
import { newEntry } from "../lockfile/entries.js";
import { isTakeRef, TAKE_REF, takeAsEntry } from "../lockfile/takes.js";
import type { LockEntry, LockResult } from "../lockfile/schema.js";
import type { LockStore } from "../lockfile/store.js";
import type { Change } from "../plan/plan.js";
import { outputPath, recordedPath } from "./outputs.js";
import { STATE_DIR } from "./statelock.js";

/** A reuse source: its entry and where each result's file can be read. */
export interface Snapshot {
  entry: LockEntry;
  file(r: LockResult): string | undefined;
  cleanup(): void;
}

/** The source entry of a reuse, if it now holds the generation the clip wants. */
export function reusable(store: LockStore, clip: DesiredClip | undefined, ch: Change): Readonly<LockEntry> | undefined {
  const ref = ch.reuseFrom;
  const take = ref && isTakeRef(ref) ? store.lock.takes?.[ref.slice(TAKE_REF.length)] : undefined;
  const source = take ? takeAsEntry(ref!.slice(TAKE_REF.length), take) : ref ? store.entry(ref) : undefined;
  return source && clip && source.fingerprint === clip.fingerprint && source.results.length > 0 ? source : undefined;
}

/** The source as it is on disk now (for a source this apply has just generated). */
export function liveSource(root: string, entry: Readonly<LockEntry>): Snapshot {
  return { entry: entry as LockEntry, file: (r) => (r.file ? resolve(root, r.file) : undefined), cleanup: () => {} };
}

/** A copy of a source entry and its files, taken before any reuse writes anything. */
export function snapshot(root: string, id: string, entry: Readonly<LockEntry>): Snapshot {
  const dir = join(root, STATE_DIR, "tmp", id);
  const files = new Map<LockResult, string>();
  const copy = structuredClone(entry) as LockEntry;
  copy.results.forEach((r, i) => {
    if (!r.file) return;
    const tmp = join(dir, String(i));
    try {
      mkdirSync(dir, { recursive: true });
      copyFileSync(resolve(root, r.file), tmp);
      files.set(r, tmp);
    } catch {
      /* the source file is missing: the copy gets none, and the next plan downloads it */
    }
  });
  return { entry: copy, file: (r) => files.get(r), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Records `clip` at `address` as a copy of the source's results and files; returns how many. */
export function copyGeneration(o: { store: LockStore; root: string; outDir: string }, address: string, clip: DesiredClip, source: Snapshot): number {
  o.store.retire(address); // what the clip used until now is kept among the takes, files first
  const results: LockResult[] = source.entry.results.slice(0, clip.numberResults).map((r, i) => {
    const copy: LockResult = { ...r };
    delete copy.file;
    const from = source.file(r);
    if (from) {
      const dest = outputPath(o.root, o.outDir, address, i, clip.generation.outputFormat);
      try {
        mkdirSync(dirname(dest), { recursive: true });
        copyFileSync(from, dest);
        copy.file = recordedPath(o.root, dest);
      } catch {
        /* the source file is missing: the next plan downloads it again while its URL lives */
      }
    }
    return copy;
  });
  o.store.set(address, { ...newEntry(clip), results });
  return results.length;
}
