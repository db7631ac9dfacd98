/**
 * After an apply: cut every sequence whose film is out of date and whose members all have a
 * downloaded video, from the lockfile as the apply left it. Local and free, after every paid
 * record is written: a failed cut is reported and loses nothing (the next apply cuts again).
 */
import { lstatSync, mkdirSync, readdirSync, unlinkSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isAlive } from "../lockfile/statelock.js";
import { recordedPath } from "./outputs.js";
import type { ApplyEvent } from "./types.js";
import { ClipformError } from "../errors.js";
import { checkOutputFiles } from "../lockfile/files.js";
import type { Lockfile } from "../lockfile/schema.js";
import type { DesiredSequence } from "../manifest/sequences.js";
import { memberVideos, planSequences, sequenceKey, type MemberVideo, type SequenceChange } from "../plan/sequences.js";
import type { Record as ProjectRecord } from "../project/workspace.js";
import { containedPath } from "../core/paths.js";
import { entryKind, linkOnTheWay } from "../util/safe-fs.js";
import { cutSequence, type CutInput } from "../media/sequence.js";
import { sequencePlanInput, sequenceRecordPath, sha256OfFile, writeSequenceRecord } from "../media/sequence-record.js";

export interface CutRequest {
  root: string;
  /** The record the apply wrote (the simulator's keeps its films and their record apart). */
  record: ProjectRecord;
  /** Where films go, relative to the root (`--out-dir`, else the record's output folder). */
  outDir: string;
  sequences: readonly DesiredSequence[];
  /** The lockfile as the apply left it. */
  lock: Lockfile;
  emit: (e: ApplyEvent) => void;
  now?: () => Date;
}

export interface CutCounts {
  cut: number;
  failed: number;
  skipped: number;
}

/** Where the film is written: a regular file inside the project, never through a link. */
function filmPath(root: string, file: string): string {
  const abs = containedPath(root, file);
  if (!abs) throw new ClipformError("UNSAFE_PATH", `${file} is outside the project: clipform writes films only inside it`);
  const via = linkOnTheWay(root, abs);
  if (via) throw new ClipformError("UNSAFE_PATH", `${recordedPath(root, via)} is a symbolic link or not a folder: clipform never writes through links`);
  mkdirSync(dirname(abs), { recursive: true });
  sweepParts(abs);
  const kind = entryKind(abs);
  if (kind === "link" || kind === "special") unlinkSync(abs);
  else if (kind === "dir") throw new ClipformError("UNSAFE_PATH", `${file} is a folder: the film cannot be written there`);
  return abs;
}

/** Removes what an apply killed mid-cut left beside the film (its process is gone): never committed, never mistaken for a film. */
function sweepParts(film: string): void {
  const prefix = `.${basename(film)}.`;
  for (const name of readdirSync(dirname(film))) {
    const m = /^(\d+)\.[0-9a-f]{8}\.part$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : "");
    if (m && !isAlive(Number(m[1]))) unlinkSync(join(dirname(film), name));
  }
}

/**
 * The members' files as cut inputs, checked to be the very videos the lockfile records (the
 * film's key stands for their content), or why they are not.
 */
async function memberInputs(root: string, lock: Lockfile, seq: SequenceChange): Promise<{ inputs: CutInput[]; videos: MemberVideo[] } | { missing: string }> {
  const videos = memberVideos(lock, seq.members);
  if ("missing" in videos) return { missing: videos.missing.join("; ") };
  const inputs: CutInput[] = [];
  const checked = new Map<string, string | undefined>();
  for (const v of videos.videos) {
    if (!checked.has(v.file)) {
      const abs = containedPath(root, v.file);
      let problem: string | undefined;
      try {
        if (!abs || !lstatSync(abs).isFile()) problem = `${v.address}'s file ${v.file} is not a regular file inside the project`;
        else if ((await sha256OfFile(abs)) !== v.sha256) problem = `${v.address}'s file ${v.file} was altered since it was downloaded`;
      } catch {
        problem = `${v.address}'s file ${v.file} is missing`;
      }
      checked.set(v.file, problem);
    }
    const problem = checked.get(v.file);
    if (problem) return { missing: problem };
    inputs.push({ file: resolve(root, v.file), label: v.address });
  }
  return { inputs, videos: videos.videos };
}

/** Cuts what is out of date, one film at a time, recording each one as soon as it is in place. */
export async function cutSequences(r: CutRequest): Promise<CutCounts> {
  const counts: CutCounts = { cut: 0, failed: 0, skipped: 0 };
  if (r.sequences.length === 0) return counts;
  const input = sequencePlanInput(r.root, r.record, r.sequences, r.outDir);
  const record = { ...input.record };
  const recordPath = sequenceRecordPath(r.root, r.record);
  const now = r.now ?? (() => new Date());
  for (const seq of planSequences(input, r.lock, [], checkOutputFiles(r.lock, r.root))) {
    if (seq.action === "no-op") continue;
    if (seq.action === "wait") {
      counts.skipped++;
      r.emit({ type: "sequence-skipped", name: seq.name, reason: seq.reason.replace(/^waits for its members: /, "") });
      continue;
    }
    try {
      const members = await memberInputs(r.root, r.lock, seq);
      if ("missing" in members) {
        counts.skipped++;
        r.emit({ type: "sequence-skipped", name: seq.name, reason: members.missing });
        continue;
      }
      const { videos } = members;
      const cut = await cutSequence(members.inputs, filmPath(r.root, seq.file));
      record[seq.name] = {
        key: sequenceKey(videos),
        file: seq.file,
        sha256: cut.sha256,
        bytes: cut.bytes,
        mtimeMs: cut.mtimeMs,
        mode: cut.mode,
        members: seq.members,
        videos: videos.map((v) => v.videoUUID),
        cutAt: now().toISOString(),
      };
      mkdirSync(dirname(recordPath), { recursive: true });
      writeSequenceRecord(recordPath, record);
      counts.cut++;
      r.emit({ type: "sequence-cut", name: seq.name, file: seq.file, mode: cut.mode, members: seq.members });
    } catch (e) {
      // A decoder or a path problem is the user's to fix; anything else is a bug, for the one boundary.
      if (!(e instanceof ClipformError)) throw e;
      counts.failed++;
      r.emit({ type: "sequence-failed", name: seq.name, message: e.message });
    }
  }
  return counts;
}
