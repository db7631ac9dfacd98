/**
 * Sequences in the plan, pure: for each sequence, whether its film must be cut, is up to date,
 * or waits for this plan's generations. A film is cut from the video each member uses
 * (pickedResult), so it is cut again exactly when one of those videos changes, or when the film
 * is gone or altered. Cutting is local and free: never counted in cost or budgets.
 */
import { posix } from "node:path";
import type { DesiredSequence } from "../manifest/sequences.js";
import { pickedResult } from "../lockfile/pick.js";
import type { Lockfile } from "../lockfile/schema.js";
import { canonicalJson, sha256Hex } from "../util/canonical.js";
import { matchesAny } from "../util/glob.js";
import type { Action } from "./actions.js";
import type { FileState } from "./plan.js";
import { own } from "../util/own.js";

export type SequenceAction = "cut" | "no-op" | "wait";

export interface SequenceChange {
  name: string;
  manifest: string;
  action: SequenceAction;
  reason: string;
  members: string[];
  /** Where the film is (or will be written), relative to the project root. */
  file: string;
  /**
   * Members outside this plan (not targeted, or in a manifest not asked for) that are not up to
   * date: the film waits for them, and this apply never cuts it.
   */
  outside?: string[];
}

/** What was last cut for one sequence (`.clipform/sequences.json`). */
export interface SequenceRecordEntry {
  /** sequenceKey() of the members' videos it was cut from. */
  key: string;
  /** The film, relative to the project root. */
  file: string;
  sha256: string;
  bytes: number;
  /** Its modification time when written: an untouched film is not hashed again. */
  mtimeMs: number;
  mode: "copy" | "encode";
  members: string[];
  /** The video UUID each member used, in order. */
  videos: string[];
  cutAt: string;
}

export type SequenceRecord = Record<string, SequenceRecordEntry>;

export interface SequencePlanInput {
  sequences: readonly DesiredSequence[];
  record: Readonly<SequenceRecord>;
  /** State of each recorded film, by sequence name (ok when unlisted). */
  films: ReadonlyMap<string, FileState>;
  /** The output folder, relative to the root: films are `<outDir>/<name>.mp4`. */
  outDir: string;
}

/** Changes that give a clip another video (or its first one): its sequences are cut after them. */
const CHANGES_VIDEO: ReadonlySet<Action> = new Set<Action>(["create", "replace", "reuse", "resume", "retry"]);

const KEY_VERSION = "v1";

/** `<outDir>/<name>.mp4`, relative to the root with forward slashes. */
export function sequenceFile(outDir: string, name: string): string {
  return posix.normalize(posix.join(outDir.split("\\").join("/"), `${name}.mp4`));
}

export interface MemberVideo {
  address: string;
  videoUUID: string;
  file: string;
  sha256: string;
}

/**
 * The video each member uses, or why some member has none to cut from yet. `files` is the
 * state of recorded files on disk (ok when unlisted).
 */
export function memberVideos(lock: Lockfile, members: readonly string[], files: ReadonlyMap<string, FileState> = new Map()): { videos: MemberVideo[] } | { missing: string[] } {
  const videos: MemberVideo[] = [];
  const missing: string[] = [];
  for (const address of new Set(members)) {
    const r = pickedResult(lock, address);
    if (!r) missing.push(`${address} has no video yet`);
    else if (!r.file || !r.sha256) missing.push(`${address}'s video is not downloaded`);
    else if ((files.get(r.file) ?? "ok") !== "ok") missing.push(`${address}'s file ${r.file} is ${files.get(r.file)}`);
  }
  if (missing.length > 0) return { missing };
  for (const address of members) {
    const r = pickedResult(lock, address)!;
    videos.push({ address, videoUUID: r.videoUUID, file: r.file!, sha256: r.sha256! });
  }
  return { videos };
}

/** What a film is cut from: each member's video, by identity and content, in order. */
export function sequenceKey(videos: readonly MemberVideo[]): string {
  return `${KEY_VERSION}:${sha256Hex(canonicalJson(videos.map((v) => [v.videoUUID, v.sha256])))}`;
}

const list = (items: readonly string[]) => (items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`);

/** Why the film must be cut again, from what it was last cut from. */
function whyCut(prev: SequenceRecordEntry, seq: DesiredSequence, videos: readonly MemberVideo[]): string {
  if (canonicalJson(prev.members) !== canonicalJson(seq.members)) return "its members changed";
  const changed = [...new Set(videos.filter((v, i) => prev.videos[i] !== v.videoUUID).map((v) => v.address))];
  if (changed.length > 0) return `the video ${list(changed)} ${changed.length === 1 ? "uses" : "use"} changed`;
  return "a member's file changed";
}

/** What a plan limited by `--target` or to some manifests knows of the sequences' other members. */
export interface SequenceScope {
  /** `--target` globs: a sequence is in the plan when its name matches one, or every one of its members does. */
  targets?: readonly string[];
  /** The change each of these members (outside the plan) would need, planned on their own; absent for a member no manifest declares validly. */
  outside: (members: readonly string[]) => ReadonlyMap<string, { action: Action }>;
  /**
   * The plan leaves out some of the project's manifests: a member it cannot plan at all is in one
   * of them that has problems, so its video may be about to change.
   */
  partial?: boolean;
}

/** Whether a sequence belongs to a plan limited to `targets`: named itself, or every member is. */
export function sequenceInScope(seq: Pick<DesiredSequence, "name" | "members">, targets: readonly string[] | undefined): boolean {
  return !targets?.length || matchesAny(seq.name, targets) || seq.members.every((m) => matchesAny(m, targets));
}

/**
 * Members of the sequences that the plan did not plan and that are not up to date, with the
 * change they need: a film is never cut from a video that is about to change.
 */
function staleOutside(sequences: readonly DesiredSequence[], planned: ReadonlySet<string>, scope: SequenceScope | undefined): Map<string, string> {
  const members = [...new Set(sequences.flatMap((s) => s.members))].filter((m) => !planned.has(m));
  const stale = new Map<string, string>();
  if (!scope || members.length === 0) return stale;
  const changes = scope.outside(members);
  for (const m of members) {
    const ch = changes.get(m);
    if (ch) {
      if (ch.action !== "no-op") stale.set(m, `${m} (${ch.action}, outside this plan)`);
    } else if (scope.partial) stale.set(m, `${m} (its manifest has problems)`);
  }
  return stale;
}

/** `addresses` and every clip they take frames from, transitively: what must be planned to know whether they are up to date. */
export function withUpstream(clips: readonly { address: string; links?: readonly { target: string }[] }[], addresses: readonly string[]): string[] {
  const by = new Map(clips.map((c) => [c.address, c]));
  const out = new Set<string>();
  const queue = addresses.filter((a) => by.has(a));
  while (queue.length > 0) {
    const a = queue.pop()!;
    if (out.has(a)) continue;
    out.add(a);
    for (const l of by.get(a)?.links ?? []) if (by.has(l.target)) queue.push(l.target);
  }
  return [...out].sort();
}

/**
 * A plan whose only work is cutting films: nothing is sent, paid or dropped, so apply needs no
 * approval for it (it still shows what it cuts).
 */
export function onlyCuts(plan: { changes: readonly { action: Action }[]; sequences: readonly SequenceChange[] }): boolean {
  return plan.changes.every((c) => c.action === "no-op") && plan.sequences.some((s) => s.action === "cut");
}

/** The project's sequences that an apply of `plan` may cut afterwards: those in the plan and not waiting on members outside it. */
export function sequencesToCut(plan: { sequences: readonly SequenceChange[] }, sequences: readonly DesiredSequence[]): DesiredSequence[] {
  const ok = new Set(plan.sequences.filter((s) => !s.outside?.length).map((s) => s.name));
  return sequences.filter((s) => ok.has(s.name));
}

/**
 * Every sequence's action, given this plan's clip changes. With a `scope`, only the sequences in
 * it, and their members outside the plan must be up to date.
 */
export function planSequences(input: SequencePlanInput, lock: Lockfile, changes: readonly { address: string; action: Action }[], files: ReadonlyMap<string, FileState>, scope?: SequenceScope): SequenceChange[] {
  const changing = new Map(changes.filter((c) => CHANGES_VIDEO.has(c.action)).map((c) => [c.address, c.action]));
  const sequences = input.sequences.filter((s) => sequenceInScope(s, scope?.targets));
  const stale = staleOutside(sequences, new Set(changes.map((c) => c.address)), scope);
  return sequences.map((seq) => {
    const file = sequenceFile(input.outDir, seq.name);
    const out = (action: SequenceAction, reason: string): SequenceChange => ({ name: seq.name, manifest: seq.manifest, action, reason, members: [...seq.members], file });
    const blocked = [...new Set(seq.members)].filter((m) => stale.has(m));
    if (blocked.length > 0) {
      const them = blocked.length === 1 ? "it" : "them";
      return { ...out("wait", `waits for ${list(blocked.map((m) => stale.get(m)!))}: never cut from a video about to change; plan ${them} too (--target, or ${them === "it" ? "its" : "their"} manifest)`), outside: blocked };
    }
    const waiting = [...new Set(seq.members)].filter((m) => changing.has(m));
    if (waiting.length > 0) return out("wait", `cut after this apply: ${list(waiting.map((m) => `${m} (${changing.get(m)})`))}`);
    const inputs = memberVideos(lock, seq.members, files);
    if ("missing" in inputs) return out("wait", `waits for its members: ${list(inputs.missing)}`);
    const prev = own(input.record, seq.name);
    if (!prev) return out("cut", `not cut yet: ${seq.members.length} clip${seq.members.length === 1 ? "" : "s"} into ${file}`);
    if (prev.key !== sequenceKey(inputs.videos)) return out("cut", `${whyCut(prev, seq, inputs.videos)}: cut again`);
    // Like a clip's video, an intact film stays where it was cut (an apply with --out-dir elsewhere included).
    const state = input.films.get(seq.name) ?? "ok";
    if (state !== "ok") return out("cut", `${prev.file} is ${state}: cut again`);
    return { ...out("no-op", "up to date"), file: prev.file };
  });
}
