/**
 * The report model: every clip in the manifests and every lockfile entry, with its videos,
 * status, cost and what the current plan would do to it. Pure: the state of files on disk and
 * the report's location come in as data, so every case is tested with plain values.
 */
import { relative, resolve, sep } from "node:path";
import { inFlightTasks } from "../lockfile/entries.js";
import { money, payers } from "../lockfile/money.js";
import type { LockEntry, Lockfile } from "../lockfile/schema.js";
import { saneCost } from "../util/money-guard.js";
import type { DesiredClip } from "../manifest/index.js";
import type { Action, Change, FileState, Plan } from "../plan/plan.js";
import { roundUsd } from "../plan/prices.js";

/**
 * A clip's status, the first that applies: in flight (a task submitted and not finished), failed
 * (the latest task failed; its error is shown), pending (nothing generated yet, or the plan would
 * generate or copy its videos: create, replace, add-variants, reuse, retry), generated.
 */
export const STATUSES = ["generated", "pending", "in-flight", "failed"] as const;
export type ClipStatus = (typeof STATUSES)[number];

export const STATUS_LABEL: Record<ClipStatus, string> = {
  generated: "generated",
  pending: "pending",
  "in-flight": "in flight",
  failed: "failed",
};

/** ok and altered files are playable; altered means the size differs from the recorded one. */
export type VideoState = FileState | "not-downloaded";

export interface ReportVideo {
  variant: number;
  videoUUID: string;
  seed?: number;
  costUsd?: number;
  /** As recorded in the lockfile, relative to the project root. */
  file?: string;
  /** URL of the file relative to the report's folder, when the file is on disk. */
  src?: string;
  state: VideoState;
}

export interface ReportFieldChange {
  field: string;
  old: string;
  new: string;
}

export interface ReportChange {
  action: Exclude<Action, "no-op">;
  reason: string;
  fields: ReportFieldChange[];
  /** New results applying this change pays for. */
  generations: number;
  /** Their estimated cost; null when no price is known. */
  estimateUsd: number | null;
}

export interface ReportClip {
  address: string;
  manifest: string;
  /** False for a lockfile entry whose clip is no longer in any manifest. */
  inManifest: boolean;
  model: string;
  prompt?: string;
  negativePrompt?: string;
  width?: number;
  height?: number;
  duration?: number;
  numberResults: number;
  status: ClipStatus;
  /** The API's error from the latest failed task. */
  error?: { code: string; message: string };
  /** What the current plan would do; absent when the clip is up to date. */
  change?: ReportChange;
  videos: ReportVideo[];
  spentUsd: number;
}

export interface ReportModel {
  clips: ReportClip[];
  manifests: string[];
  models: string[];
  counts: Record<ClipStatus, number>;
  /** Everything the lockfile records as charged. */
  spentUsd: number;
  /** What applying the current plan is estimated to cost. */
  estimatedUsd: number;
  generations: number;
  lockfileSerial: number;
}

export interface ReportInput {
  clips: readonly DesiredClip[];
  lock: Lockfile;
  plan: Plan;
  /** State of each recorded file, keyed by its recorded path; unlisted files count as missing. */
  files: ReadonlyMap<string, FileState>;
  /** Absolute project root, which recorded files are relative to. */
  root: string;
  /** Absolute folder the report is written to (or served from). */
  reportDir: string;
  /** When only some manifests were loaded: lockfile entries of the others are left out. */
  inManifestScope?: (manifest: string) => boolean;
}

/** Plan actions after which the clip's videos will differ from what the lockfile holds now. */
const GENERATING: ReadonlySet<Action> = new Set(["create", "replace", "add-variants", "reuse", "retry"]);

/** Values shown in a change that are not prompts are cut to this length (data URIs can be huge). */
const MAX_VALUE_CHARS = 80;

function statusOf(entry: LockEntry | undefined, action: Action): ClipStatus {
  if (inFlightTasks(entry).length > 0) return "in-flight";
  const last = entry?.tasks.at(-1);
  if (last?.status === "failed" || last?.status === "partial") return "failed";
  if (!entry || entry.results.length === 0 || GENERATING.has(action)) return "pending";
  return "generated";
}

function shorten(s: string): string {
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS - 1)}…` : s;
}

/** A field's value as people read it: prompts in full, local images by file, the rest cut short. */
export function displayValue(field: string, v: unknown): string {
  if (v === undefined || v === null) return "(unset)";
  if (field === "frameImages" && Array.isArray(v)) {
    const frames = v as { frame?: string; image?: string; file?: string }[];
    return frames.map((f) => `${f.frame}: ${f.file ?? shorten(String(f.image))}`).join(", ") || "(none)";
  }
  if (typeof v === "string") return field.endsWith("Prompt") ? v : shorten(v);
  return shorten(JSON.stringify(v));
}

/** A project-relative file as a URL relative to the report's folder, each segment percent-encoded. */
export function videoSrc(root: string, reportDir: string, file: string): string {
  return relative(reportDir, resolve(root, file)).split(sep).map(encodeURIComponent).join("/");
}

function reportChange(change: Change): ReportChange | undefined {
  if (change.action === "no-op") return undefined;
  return {
    action: change.action,
    reason: change.reason,
    fields: (change.fields ?? []).map((f) => ({ field: f.field, old: displayValue(f.field, f.old), new: displayValue(f.field, f.new) })),
    generations: change.generate,
    estimateUsd: change.estimate?.usd ?? null,
  };
}

function videosOf(entry: LockEntry | undefined, input: ReportInput): ReportVideo[] {
  return (entry?.results ?? []).map((r, i) => {
    const state: VideoState = r.file ? (input.files.get(r.file) ?? "missing") : "not-downloaded";
    const src = state === "ok" || state === "altered" ? videoSrc(input.root, input.reportDir, r.file!) : undefined;
    return { variant: i + 1, videoUUID: r.videoUUID, seed: r.seed, costUsd: saneCost(r.costUsd), file: r.file, src, state };
  });
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

/** Generation fields of a clip: what the manifest asks for now, or what was last generated for a deleted clip. */
function fieldsOf(clip: DesiredClip | undefined, entry: LockEntry | undefined) {
  if (clip) {
    const g = clip.generation;
    return { model: g.model, prompt: g.positivePrompt, negativePrompt: g.negativePrompt, width: g.width, height: g.height, duration: g.duration, numberResults: clip.numberResults };
  }
  const r = entry!.request;
  return { model: entry!.model, prompt: str(r.positivePrompt), negativePrompt: str(r.negativePrompt), width: num(r.width), height: num(r.height), duration: num(r.duration), numberResults: entry!.numberResults };
}

function reportClip(address: string, clip: DesiredClip | undefined, entry: LockEntry | undefined, change: Change | undefined, input: ReportInput, paidBy: Map<string, string>): ReportClip {
  const status = statusOf(entry, change?.action ?? "no-op");
  return {
    address,
    manifest: clip?.manifest ?? entry!.manifest,
    inManifest: clip !== undefined,
    ...fieldsOf(clip, entry),
    status,
    error: status === "failed" ? entry?.tasks.at(-1)?.error : undefined,
    change: change && reportChange(change),
    videos: videosOf(entry, input),
    spentUsd: money(address, entry, paidBy).spent,
  };
}

const sortedUnique = (values: string[]) => [...new Set(values)].sort();

export function reportModel(input: ReportInput): ReportModel {
  const desired = new Map(input.clips.map((c) => [c.address, c]));
  const changes = new Map(input.plan.changes.map((c) => [c.address, c]));
  const recorded = Object.entries(input.lock.clips).filter(([, e]) => !input.inManifestScope || input.inManifestScope(e.manifest));
  const addresses = sortedUnique([...desired.keys(), ...recorded.map(([a]) => a)]);
  const paidBy = payers(input.lock);
  const clips = addresses.map((a) => reportClip(a, desired.get(a), input.lock.clips[a], changes.get(a), input, paidBy));
  const counts = Object.fromEntries(STATUSES.map((s) => [s, clips.filter((c) => c.status === s).length])) as Record<ClipStatus, number>;
  return {
    clips,
    manifests: sortedUnique(clips.map((c) => c.manifest)),
    models: sortedUnique(clips.map((c) => c.model)),
    counts,
    spentUsd: roundUsd(clips.reduce((s, c) => s + c.spentUsd, 0)),
    estimatedUsd: input.plan.summary.estimated_cost_usd,
    generations: input.plan.summary.generations,
    lockfileSerial: input.lock.serial,
  };
}
