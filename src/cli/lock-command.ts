/**
 * `clipform lock merge BASE OURS THEIRS [PATH]`: the git merge driver for clipform.lock.json.
 *
 * Git runs it as `clipform lock merge %O %A %B %P` and takes the merged file from %A (OURS):
 * exit 0 when the merge is clean, non-zero when it is not. On a conflict, the entries that could
 * not be combined are written between conflict markers (clipform refuses to read the file until
 * they are resolved); every other entry is merged. When a side cannot be read or the lineages
 * differ, OURS is left untouched.
 */
import { basename, resolve } from "node:path";
import { LOCKFILE_NAME } from "../core/layout.js";
import { ClipformError } from "../errors.js";
import { parseLockfile, serializeLockfile, writeFileAtomic } from "../lockfile/io.js";
import { mergeLockfiles, type MergeConflict, type Resolution } from "../lockfile/merge.js";
import type { Lockfile } from "../lockfile/schema.js";
import { READ_CAPS, readProjectText } from "../util/safe-fs.js";
import type { Command } from "./commands.js";

function readSide(path: string, label: string, display: string, optional: boolean): Lockfile | undefined {
  let text: string | undefined;
  try {
    text = readProjectText(path, { maxBytes: READ_CAPS.lockfile, shown: `${display} (${label}, ${path})` });
  } catch (e) {
    throw new ClipformError("BAD_LOCKFILE", `${(e as Error).message} Nothing was changed.`);
  }
  if (text === undefined) throw new ClipformError("BAD_LOCKFILE", `${display} (${label}, ${path}): cannot read: no such file. Nothing was changed.`);
  // Git passes an empty file as the base when the lockfile did not exist in the merge base.
  if (text.trim() === "") {
    if (optional) return undefined;
    throw new ClipformError("BAD_LOCKFILE", `${display} (${label}) is empty: not a clipform lockfile. Nothing was changed.`);
  }
  try {
    return parseLockfile(text, `${basename(display)} (${label})`);
  } catch (e) {
    if (e instanceof ClipformError) throw new ClipformError(e.code, `${e.message}${/Nothing was changed/.test(e.message) ? "" : " Nothing was changed."}`);
    throw e;
  }
}

/** The entry's block in serialized text: from `    "address": {` to its closing `    }` (with its comma). */
function entryBlock(lines: string[], address: string): [number, number] {
  const start = lines.indexOf(`    ${JSON.stringify(address)}: {`);
  if (start < 0) throw new Error(`internal: entry ${address} not found in the serialized lockfile`);
  let end = start + 1;
  while (end < lines.length && !/^ {4}\}/.test(lines[end]!)) end++;
  return [start, end];
}

/** The merged lockfile, with ours' and theirs' versions of each conflicted entry between markers. */
export function serializeWithConflicts(merged: Lockfile, conflicts: MergeConflict[]): string {
  const ours = serializeLockfile(merged).split("\n");
  const theirsLock: Lockfile = { ...merged, clips: { ...merged.clips } };
  for (const c of conflicts) theirsLock.clips[c.address] = c.theirs;
  const theirs = serializeLockfile(theirsLock).split("\n");
  const out: string[] = [];
  let i = 0;
  for (const c of [...conflicts].sort((a, b) => (a.address < b.address ? -1 : 1))) {
    const [os, oe] = entryBlock(ours, c.address);
    const [ts, te] = entryBlock(theirs, c.address);
    out.push(...ours.slice(i, os));
    out.push(`<<<<<<< ours (clipform lock merge: ${c.address})`, ...ours.slice(os, oe + 1), "=======", ...theirs.slice(ts, te + 1), `>>>>>>> theirs (${c.address})`);
    i = oe + 1;
  }
  out.push(...ours.slice(i));
  return out.join("\n");
}

function describe(resolutions: Record<string, Resolution>): string {
  const counts = new Map<Resolution, number>();
  for (const r of Object.values(resolutions)) counts.set(r, (counts.get(r) ?? 0) + 1);
  const label: Record<Resolution, string> = {
    unchanged: "unchanged",
    ours: "from ours",
    theirs: "from theirs",
    combined: "combined",
    kept: "kept (in flight)",
    deleted: "deleted",
    conflict: "in conflict",
  };
  return (["unchanged", "ours", "theirs", "combined", "kept", "deleted", "conflict"] as Resolution[])
    .filter((r) => counts.get(r))
    .map((r) => `${counts.get(r)} ${label[r]}`)
    .join(", ");
}

export const lockCommand: Command = {
  usage: "merge BASE OURS THEIRS [PATH]   (git: clipform lock merge %O %A %B %P)",
  async run(ctx, _values, positionals) {
    const [sub, ...args] = positionals;
    if (sub !== "merge") {
      throw new ClipformError("USAGE", `${sub ? `unknown subcommand "lock ${sub}"` : "missing subcommand"}; usage: clipform lock merge BASE OURS THEIRS [PATH]`);
    }
    if (args.length < 3 || args.length > 4) throw new ClipformError("USAGE", "usage: clipform lock merge BASE OURS THEIRS [PATH] (as a git merge driver: clipform lock merge %O %A %B %P)");
    const [basePath, oursPath, theirsPath] = args.slice(0, 3).map((p) => resolve(ctx.cwd, p)) as [string, string, string];
    const display = args[3] ?? LOCKFILE_NAME;

    const base = readSide(basePath, "base", display, true);
    const ours = readSide(oursPath, "ours", display, false)!;
    const theirs = readSide(theirsPath, "theirs", display, false)!;
    const { merged, conflicts, notes, resolutions } = mergeLockfiles(base, ours, theirs);

    for (const n of notes) ctx.err(`clipform lock merge: ${n}`);
    if (conflicts.length > 0) {
      writeFileAtomic(oursPath, serializeWithConflicts(merged, conflicts));
      for (const c of conflicts) ctx.err(`${ctx.colorErr.red("conflict:")} ${display}: ${c.address}: ${c.reason}`);
      ctx.err(
        `clipform lock merge: ${display}: ${conflicts.length} of ${Object.keys(resolutions).length} entries could not be merged without losing money records; they are between conflict markers (every other entry is merged). Edit them, then \`git add ${display}\`.`,
      );
      return 1;
    }
    writeFileAtomic(oursPath, serializeLockfile(merged));
    ctx.err(`clipform lock merge: ${display}: ${Object.keys(merged.clips).length} entries (${describe(resolutions) || "none"}), serial ${ours.serial}/${theirs.serial} → ${merged.serial}`);
    return 0;
  },
};
