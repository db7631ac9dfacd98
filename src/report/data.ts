/**
 * The report model: every clip in the manifests and every lockfile entry, with its videos,
 * status, cost and what the current plan would do to it. Pure: the state of files on disk and
 * the report's location come in as data, so every case is tested with plain values.
 */
import { existsSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { frameIdHash } from "../core/address.js";
import { framePath } from "../media/frames.js";
import { ledgerOf, type Ledger, type ResultPrice } from "../lockfile/ledger.js";
import { costUnknownText, type UnknownCosts } from "../money/unknown-cost.js";
import type { LockEntry, Lockfile } from "../lockfile/schema.js";
import { usedResults } from "../lockfile/live.js";
import type { DesiredClip } from "../manifest/index.js";
import { clipState, lastError, shownState, SHOWN_STATES, type ShownState } from "../status/clip-state.js";
import type { Action, Change, FileState, Plan } from "../plan/plan.js";
import { roundUsd } from "../money/usd.js";
import { reportTakes, reportVideo, type ReportTake, type ReportVideo, type VideoLocator } from "./takes.js";
import { reportSequences, type ReportSequence } from "./sequences.js";
import { own } from "../util/own.js";

export type { ReportSequence } from "./sequences.js";

/** A clip's status, as `clipform status` defines it (see status/clip-state.ts), in the gallery's four. */
export const STATUSES = SHOWN_STATES;
export type ClipStatus = ShownState;

export const STATUS_LABEL: Record<ClipStatus, string> = {
  generated: "generated",
  pending: "pending",
  "in-flight": "in flight",
  failed: "failed",
};

export type { ReportTake, ReportVideo, VideoState } from "./takes.js";

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
  /** The manifest's clip id and, for a fan-out, its key on each matrix axis (the report's grid). */
  clipId?: string;
  matrix?: Record<string, string>;
  description?: string;
  /** Input keyframes: position, what kind of image (a local file's name), and for local files a URL from the report. */
  keyframes?: { frame: "first" | "last"; label: string; src?: string }[];
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
  /** The videos the clip uses now: its picked take's, else its entry's (lockfile/live.ts usedResults). */
  videos: ReportVideo[];
  /** Its takes with videos (current first, then kept ones): what `clipform pick` chooses among. */
  takes: ReportTake[];
  spentUsd: number;
  /** Some of `spentUsd` is an estimate: results whose charge is unknown ("cost unknown: …"). */
  costUnknown?: string;
}

export interface ReportModel {
  clips: ReportClip[];
  manifests: string[];
  models: string[];
  counts: Record<ClipStatus, number>;
  /** Lifetime spend: everything the ledger records as charged, and estimates of results whose charge is unknown. */
  spentUsd: number;
  /** Those results, when there are any: the spend is then shown as approximate. */
  spentUnknown?: UnknownCosts;
  /** What applying the current plan is estimated to cost. */
  estimatedUsd: number;
  generations: number;
  lockfileSerial: number;
  /** The lockfile read is the simulator's record (`--sim`): the page says so. */
  simulated?: string;
  /** Films cut from the clips' picked takes, each playable once cut. */
  sequences: ReportSequence[];
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
  /** The simulator's record was read (this lockfile, as shown to people). */
  simulated?: string;
  /** State of each sequence's film, by its path (relative to the root); unlisted films count as missing. */
  films?: ReadonlyMap<string, FileState>;
  /** The plan's price per result: results whose charge is unknown count at it (never $0). */
  price?: ResultPrice;
}

/** Values shown in a change that are not prompts are cut to this length (data URIs can be huge). */
const MAX_VALUE_CHARS = 80;

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

function locator(input: ReportInput): VideoLocator {
  return { files: input.files, src: (file) => videoSrc(input.root, input.reportDir, file) };
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

/** The kept picture a chained clip's recorded request names at `index`, if it is on disk. */
function linkedFramePath(entry: LockEntry | undefined, index: number, root: string): string | undefined {
  const image = (entry?.request.frameImages as { image?: unknown }[] | undefined)?.[index]?.image;
  const hash = frameIdHash(image);
  if (hash === undefined) return undefined;
  const path = join(root, framePath(hash));
  return existsSync(path) ? path : undefined;
}

const KEYFRAME_LABEL: Record<string, string> = { url: "image URL", uuid: "uploaded image", dataUri: "inline image", base64: "inline image" };

/** Where the clip sits in its fan-out, its note, and its input keyframes (local ones with a URL from the report). */
function layoutOf(clip: DesiredClip, entry: LockEntry | undefined, input: ReportInput): Pick<ReportClip, "clipId" | "matrix" | "description" | "keyframes"> {
  const keyframes = clip.frameImages.map((f, i) => {
    // A frame of another clip: the picture it was made from, as kept under .clipform/frames.
    const path = f.link ? linkedFramePath(entry, i, input.root) : f.path;
    return {
      frame: f.frame,
      // Remote references are named, never linked: the page loads nothing from the network.
      label: f.link ? `${f.link.target}'s ${f.link.frame ?? "last"} frame` : f.kind === "file" ? basename(f.ref) : (KEYFRAME_LABEL[f.kind] ?? "image"),
      ...(path && /\.(png|jpe?g|webp|gif)$/i.test(path) ? { src: relative(input.reportDir, path).split(sep).join("/") } : {}),
    };
  });
  return {
    clipId: clip.clipId,
    ...(Object.keys(clip.matrix).length ? { matrix: clip.matrix } : {}),
    ...(clip.description !== undefined ? { description: clip.description } : {}),
    ...(keyframes.length ? { keyframes } : {}),
  };
}

function reportClip(address: string, clip: DesiredClip | undefined, entry: LockEntry | undefined, change: Change | undefined, input: ReportInput, ledger: Ledger): ReportClip {
  const spend = ledger.byClip.get(address);
  const status = shownState(clipState(change?.action ?? "no-op", clip !== undefined));
  return {
    address,
    manifest: clip?.manifest ?? entry!.manifest,
    inManifest: clip !== undefined,
    ...fieldsOf(clip, entry),
    ...(clip ? layoutOf(clip, entry, input) : {}),
    status,
    error: lastError(entry),
    change: change && reportChange(change),
    videos: usedResults(input.lock, address).map((r, i) => reportVideo(r, i + 1, locator(input))),
    takes: reportTakes(input.lock, address, locator(input)),
    spentUsd: spend?.usd ?? 0,
    ...(spend && spend.results > 0 ? { costUnknown: costUnknownText(spend) } : {}),
  };
}

const sortedUnique = (values: string[]) => [...new Set(values)].sort();

export function reportModel(input: ReportInput): ReportModel {
  const desired = new Map(input.clips.map((c) => [c.address, c]));
  const changes = new Map(input.plan.changes.map((c) => [c.address, c]));
  const recorded = Object.entries(input.lock.clips).filter(([, e]) => !input.inManifestScope || input.inManifestScope(e.manifest));
  const addresses = sortedUnique([...desired.keys(), ...recorded.map(([a]) => a)]);
  const ledger = ledgerOf(input.lock, input.price);
  const spent = [...ledger.byClip.values()].filter((c) => !input.inManifestScope || input.inManifestScope(c.manifest));
  const unknown = spent.reduce((u, c) => ({ results: u.results + c.results, estimatedUsd: roundUsd(u.estimatedUsd + c.estimatedUsd), unpriced: u.unpriced + c.unpriced }), { results: 0, estimatedUsd: 0, unpriced: 0 });
  const clips = addresses.map((a) => reportClip(a, desired.get(a), own(input.lock.clips, a), changes.get(a), input, ledger));
  const counts = Object.fromEntries(STATUSES.map((s) => [s, clips.filter((c) => c.status === s).length])) as Record<ClipStatus, number>;
  return {
    clips,
    manifests: sortedUnique(clips.map((c) => c.manifest)),
    models: sortedUnique(clips.map((c) => c.model)),
    counts,
    // Lifetime: every charge the ledger holds for the manifests in scope (kept and pruned takes too).
    spentUsd: roundUsd(spent.reduce((s, c) => s + c.usd, 0)),
    ...(unknown.results > 0 ? { spentUnknown: unknown } : {}),
    estimatedUsd: input.plan.summary.estimated_cost_usd,
    generations: input.plan.summary.generations,
    lockfileSerial: input.lock.serial,
    ...(input.simulated ? { simulated: input.simulated } : {}),
    sequences: reportSequences(input.plan.sequences, input.films ?? new Map(), (file) => videoSrc(input.root, input.reportDir, file)),
  };
}
