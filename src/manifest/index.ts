/**
 * The manifest stage: find manifest files, parse them with positions, validate against the JSON
 * Schema and the model catalog, expand defaults and matrices, and produce the desired clips
 * with their fingerprints. Returns `{clips, diagnostics}`; only the CLI prints.
 */
import { dirname, join, relative, resolve, sep } from "node:path";
import { fromLabel } from "../core/address.js";
import type { Diagnostic } from "../diagnostics.js";
import { silenceWarnings, sortDiagnostics } from "../diagnostics.js";
import { ClipformError } from "../errors.js";
import type { Catalog } from "../models/catalog.js";
import { loadProjectCatalog } from "./project-models.js";
import { checkVideoRequest, frameImagesOf, resolveFramePositions, type FrameImage } from "../models/rules.js";
import { sha256Hex } from "../util/canonical.js";
import { checkManifestSchema } from "./check-schema.js";
import { toData } from "./yaml-limits.js";
import { expandImages, expandManifest, originOf, type ExpandedClip, type YamlPath } from "./expand.js";
import { classifyImage, imageLimitIssues, inlineImage, inlineLabel, LocalImageCache, type ImageKind } from "./images.js";
import { misspelledFields } from "./fields.js";
import { linkGraph, linkOf, referenceLinks, type ClipLink } from "./links.js";
import { fingerprintOf, normalizeGeneration } from "./generation.js";
export { fingerprintOf } from "./generation.js";
import type { Manifest } from "./schema.js";
import { READ_CAPS, readProjectText } from "../util/safe-fs.js";
import { locate, parseYaml, type ParsedYaml } from "../util/yaml.js";
import { ignoredWarnings } from "../project/config.js";
import { imageEntries, joinImages, type Declared } from "./images-section.js";
import { collectSequences, type DesiredSequence } from "./sequences.js";
import { otherManifests, scopeProject, unresolvedNames } from "./scope.js";
import { discoverManifests } from "./discover.js";
import { own } from "../util/own.js";

export type { DesiredSequence } from "./sequences.js";
export { discoverManifests } from "./discover.js";

export const DEFAULT_SPECS_DIR = "specs";

export interface FrameImageRef {
  frame: "first" | "last";
  kind: ImageKind;
  /** As written in the manifest. */
  ref: string;
  /** Local files: absolute path and content hash. */
  path?: string;
  sha256?: string;
  /** kind "link": the clip (and frame) it comes from. */
  link?: ClipLink;
}

/** The fields that determine the video (or a keyframe image); what the fingerprint covers. */
export interface GenerationFields {
  /** Only for keyframe images ("imageInference"): hashed, so an image never shares a video's fingerprint. */
  taskType?: "imageInference";
  model: string;
  positivePrompt?: string;
  negativePrompt?: string;
  width?: number;
  height?: number;
  /** Always set for videos; absent for images. */
  duration?: number;
  /** Images: inference steps, when set. */
  steps?: number;
  /** Absent for models that take no CFGScale. */
  CFGScale?: number;
  outputFormat: string;
  /** Always set for videos; for images only when the manifest sets it. */
  outputQuality?: number;
  safety?: { checkContent?: boolean; mode?: string };
  /**
   * By content: `sha256:` of a local file (with `file` as written), or as written; a frame of
   * another clip is `frame:<pixels sha256>` with `from`, `video` and `at` saying where it came from
   * (`from:CLIP#…` while it is not known yet). Only frame and image are fingerprinted.
   */
  frameImages?: { frame: string; image: string; file?: string; from?: string; video?: string; at?: string }[];
  seed?: number;
  resolution?: string;
  providerSettings?: Record<string, unknown>;
  /** inputs besides frame images (reference images, audio…), as written: URLs or Runware UUIDs. */
  otherInputs?: Record<string, unknown>;
}

export interface DesiredClip {
  /** "image": a keyframe of `images:` (an imageInference request); absent for a clip (video). */
  kind?: "image";
  address: string;
  clipId: string;
  /** Manifest path relative to the project root. */
  manifest: string;
  matrix: Record<string, string>;
  /** A note for people (the report shows it); never sent, never in the fingerprint. */
  description?: string;
  generation: GenerationFields;
  fingerprint: string;
  numberResults: number;
  delivery: { webhookURL?: string; uploadEndpoint?: string; ttl?: number };
  frameImages: FrameImageRef[];
  /** Frames this clip takes from other clips (`image: {from: …}`): it is made after them. */
  links?: ClipLink[];
  /** Set at apply for references in inputs.referenceImages: the frame file to upload at that index. */
  referenceFiles?: Record<number, { path: string; sha256: string }>;
  location: { file: string; line: number; col: number };
}

export interface ManifestInfo {
  file: string;
  budget?: number;
  clips: number;
}

export interface Project {
  root: string;
  clips: DesiredClip[];
  manifests: ManifestInfo[];
  diagnostics: Diagnostic[];
  /** Hash of every manifest's text and every local image's content: a saved plan is stale when it changes. */
  digest: string;
  /** The models this project knows: built-in, plus its own models/ folder. */
  catalog: Catalog;
  /** Films cut from the clips' picked takes (`sequences:`), by name. */
  sequences: DesiredSequence[];
  /**
   * Clips of the project's other manifests, when only some were asked for and they name
   * something declared there (src/manifest/scope.ts): never planned themselves.
   */
  context?: DesiredClip[];
}

export interface LoadOptions {
  root: string;
  paths?: string[];
  images?: LocalImageCache;
  /** The whole project's manifests, when `paths` names only some: what those name may be declared there. */
  projectPaths?: readonly string[];
  /** YYYY-MM-DD for model retirement dates; today by default. */
  today?: string;
}

/** Parses and checks one manifest file; the unit that watch mode re-runs when a file changes. */
export interface ManifestResult {
  file: string;
  text: string;
  diagnostics: Diagnostic[];
  clips: ExpandedClip[];
  /** The keyframe images of `images:`, expanded like clips (imageDefaults, matrix, variables). */
  images?: ExpandedClip[];
  manifest?: Manifest;
  parsed: ParsedYaml;
}

/** What a manifest is for: at least one of these. */
const SECTIONS = ["clips", "images", "sequences"] as const;

export function loadManifestFile(absPath: string, root: string): ManifestResult {
  const file = relative(root, absPath).split(sep).join("/") || absPath;
  const diagnostics: Diagnostic[] = [];
  let text: string | undefined;
  try {
    text = readProjectText(absPath, { within: root, maxBytes: READ_CAPS.manifest, shown: file });
  } catch (e) {
    // A planted link, FIFO or device is one error on its file; the other manifests are still checked.
    if (!(e instanceof ClipformError)) throw e;
    diagnostics.push({ file, line: 1, col: 1, severity: "error", message: e.message.replace(`${file}: `, "") });
  }
  if (text === undefined) {
    // Removed between finding and reading it (a save in watch mode): said, and read again on the next change.
    if (diagnostics.length === 0) diagnostics.push({ file, line: 1, col: 1, severity: "error", message: "no such file (removed while it was read)" });
    return { file, text: "", diagnostics, clips: [], parsed: parseYaml("") };
  }
  const parsed = parseYaml(text);
  const at = (path: YamlPath, message: string, opts: { key?: boolean; severity?: "error" | "warning"; code?: string } = {}) => {
    const pos = locate(parsed, path, { key: opts.key ?? false });
    diagnostics.push({ file, line: pos.line, col: pos.col, severity: opts.severity ?? "error", message, ...(opts.code ? { code: opts.code } : {}) });
  };
  for (const e of parsed.syntaxErrors) diagnostics.push({ file, line: e.pos.line, col: e.pos.col, severity: "error", message: e.message });
  if (diagnostics.length > 0) return { file, text, diagnostics, clips: [], parsed };

  const converted = toData(parsed);
  if (!converted.ok) {
    for (const e of converted.problems) diagnostics.push({ file, line: e.pos.line, col: e.pos.col, severity: "error", message: e.message });
    return { file, text, diagnostics, clips: [], parsed };
  }
  const data = converted.data;
  if (data === null || data === undefined) {
    at([], "the manifest is empty: expected `version: 1` and `clips:`");
    return { file, text, diagnostics, clips: [], parsed };
  }
  for (const p of checkManifestSchema(data)) at(p.at, p.message, { key: p.key });
  if (typeof data !== "object" || Array.isArray(data)) return { file, text, diagnostics, clips: [], parsed };
  if (!SECTIONS.some((k) => k in data)) at([], "the manifest holds nothing to make: expected `clips:`, `images:` or `sequences:`");
  const manifest = data as Manifest;
  const { clips, problems } = expandManifest(manifest);
  const images = manifest.images ? expandImages(manifest) : undefined;
  for (const p of [...problems, ...(images?.problems ?? [])]) at(p.at, p.message, p.key ? { key: true } : {});
  return { file, text, diagnostics, clips, ...(images ? { images: images.clips } : {}), manifest, parsed };
}

export function loadProject(opts: LoadOptions): Project {
  const root = resolve(opts.root);
  const images = opts.images ?? new LocalImageCache();
  const files = discoverManifests(root, opts.paths?.length ? opts.paths : [DEFAULT_SPECS_DIR]);
  const models = { ...loadProjectCatalog(root), ...(opts.today ? { today: opts.today } : {}) };
  const results = files.map((f) => loadManifestFile(f, root));
  const project = opts.projectPaths;
  const others = project && unresolvedNames(results).length > 0 ? otherManifests(() => discoverManifests(root, [...project]), files) : [];
  if (others.length === 0) return assembleProject(root, results, images, models);
  const all = [...results, ...others.map((f) => loadManifestFile(f, root))].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return scopeProject(assembleProject(root, all, images, models), new Set(results.map((r) => r.file)));
}

export interface ProjectModels {
  catalog: Catalog;
  /** Problems in the project's own model definitions. */
  diagnostics?: Diagnostic[];
  today?: string;
}

/** Joins per-file results into the project: rule checks, images, fingerprints, cross-file duplicates. */
export function assembleProject(root: string, results: ManifestResult[], images: LocalImageCache, models: ProjectModels = loadProjectCatalog(root)): Project {
  const { catalog } = models;
  const diagnostics: Diagnostic[] = [...(models.diagnostics ?? [])];
  // Today once per run: a date per clip costs more than all the rules together.
  const ruleOptions = { catalog, today: models.today ?? new Date().toISOString().slice(0, 10) };
  const clips: DesiredClip[] = [];
  const manifests: ManifestInfo[] = [];
  const digestParts: string[] = [];
  const byAddress = new Map<string, DesiredClip>();
  const clipIds = new Map<string, { file: string; line: number; col: number }>();
  const reportedIds = new Set<string>();
  const declaredImages: Declared[] = [];
  /** Clips with problems of their own: still targets for references (no second, false error). */
  const broken = new Set<string>();
  /** Places where a model rule replaces the schema's problem. */
  const superseded = new Set<string>();

  for (const r of results) {
    diagnostics.push(...r.diagnostics);
    digestParts.push(`${r.file}\0${sha256Hex(r.text)}`);
    manifests.push({ file: r.file, clips: r.clips.length, ...(r.manifest?.budget ? { budget: r.manifest.budget.maxCost } : {}) });
    const schemaErrorLines = new Set(r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.col}`));
    const baseDir = dirname(resolve(root, r.file));
    const section = imageEntries({ file: r.file, parsed: r.parsed, errorsAt: schemaErrorLines, images: r.images ?? [], ...(r.manifest ? { manifest: r.manifest } : {}) }, catalog, fingerprintOf);
    diagnostics.push(...section.diagnostics);
    declaredImages.push(...section.declared);

    for (const clip of r.clips) {
      const clipDiags: Diagnostic[] = [];
      const report = (fieldPath: string, message: string, severity: "error" | "warning", code?: string) => {
        const path = fieldPath ? originOf(clip.origins, fieldPath) : clip.declaredAt;
        const pos = locate(r.parsed, path.length ? path : clip.declaredAt, { key: !fieldPath || path.length === 0 });
        if (severity === "error" && schemaErrorLines.has(`${pos.line}:${pos.col}`)) {
          // Already reported by the schema, unless the model takes no such field at all: "does not
          // take CFGScale" says more than "must be <= 1", and replaces it (one round, not two).
          if (code !== "unsupportedParameter") return;
          superseded.add(`${r.file}:${pos.line}:${pos.col}`);
        }
        // A problem written in `defaults:` names the clips it reaches, with the way out (sortDiagnostics).
        if (path[0] === "defaults" && typeof path[1] === "string") {
          clipDiags.push({ file: r.file, line: pos.line, col: pos.col, severity, message, ...(code ? { code } : {}), fromDefaults: { clips: [clip.address], field: path[1] } });
          return;
        }
        const prefix = clip.address !== clip.clipId ? `${clip.address}: ` : "";
        clipDiags.push({ file: r.file, line: pos.line, col: pos.col, severity, message: prefix + message, ...(code ? { code } : {}) });
      };

      const typos = misspelledFields(r.manifest, clip.clipId);
      for (const issue of checkVideoRequest(clip.fields, ruleOptions)) {
        // "positivePrompt is required" next to "unknown field positivPrompt; did you mean…" says the same thing twice.
        if (issue.code.startsWith("missing") && typos.has(String(issue.path[0]))) continue;
        const fieldPath = issue.code === "missingModel" || issue.code === "missingFrameImages" || issue.path.length === 0 ? "" : issue.path.join("/");
        const useClip = issue.code.startsWith("missing") && !clip.origins.has(issue.path.join("/"));
        report(useClip ? "" : fieldPath, issue.message, issue.severity, issue.code);
      }

      const frameItems = frameImagesOf(clip.fields) ?? [];
      const positions = resolveFramePositions(frameItems);
      const refs: FrameImageRef[] = [];
      const links: ClipLink[] = [];
      frameItems.forEach((item, i) => {
        const link = linkOf(item);
        if (link && positions[i]) {
          const path = originOf(clip.origins, `inputs/frameImages/${i}/image/from`);
          const pos = locate(r.parsed, path.length ? path : clip.declaredAt);
          const l: ClipLink = { input: "frameImages", index: refs.length, target: link.from, variant: link.variant ?? 1, ...(link.frame ? { frame: link.frame } : {}), location: { file: r.file, line: pos.line, col: pos.col } };
          links.push(l);
          refs.push({ frame: positions[i]!, kind: "link", ref: fromLabel(link.from), link: l });
          return;
        }
        const ref = typeof item === "string" ? item : (item as FrameImage | null)?.image;
        const frame = positions[i];
        if (typeof ref !== "string" || !frame) return;
        const kind = classifyImage(ref);
        const field = typeof item === "string" ? `inputs/frameImages/${i}` : `inputs/frameImages/${i}/image`;
        // Each model has its own limits on an image's size, weight and format.
        const fits = (label: string, image: Parameters<typeof imageLimitIssues>[1]) => {
          const issues = imageLimitIssues(label, image, typeof clip.fields.model === "string" ? catalog.get(clip.fields.model) : undefined);
          for (const i of issues) report(field, i.message, i.severity, i.code);
          return !issues.some((i) => i.severity === "error");
        };
        if (kind === "dataUri" || kind === "base64") {
          const inline = inlineImage(ref, kind);
          if (!inline.ok) {
            report(field, inline.message, "error", "invalidImage");
            return;
          }
          if (!fits(inlineLabel(kind), inline)) return;
        }
        if (kind !== "file") {
          refs.push({ frame, kind, ref });
          return;
        }
        const loaded = images.load(ref, baseDir, root);
        if (!loaded.ok) {
          report(field, loaded.message, "error", "invalidImage");
          return;
        }
        if (!fits(ref, loaded.image)) return;
        refs.push({ frame, kind, ref, path: loaded.image.path, sha256: loaded.image.sha256 });
        digestParts.push(`${loaded.image.path}\0${loaded.image.sha256}`);
      });

      links.push(
        ...referenceLinks(clip.fields.inputs, (i) => {
          const path = originOf(clip.origins, `inputs/referenceImages/${i}/from`);
          const pos = locate(r.parsed, path.length ? path : clip.declaredAt);
          return { file: r.file, line: pos.line, col: pos.col };
        }),
      );

      diagnostics.push(...clipDiags);
      const pos = locate(r.parsed, clip.declaredAt, { key: true });
      const here = { file: r.file, line: pos.line, col: pos.col };
      // Clip ids are unique in the project (addresses derive from them), whatever else is wrong.
      const firstId = clipIds.get(clip.clipId);
      if (!firstId) clipIds.set(clip.clipId, here);
      else if (firstId.file !== r.file) {
        if (!(clip.address !== clip.clipId && reportedIds.has(`${r.file}\0${clip.clipId}`))) {
          diagnostics.push({ ...here, severity: "error", message: `duplicate clip id "${clip.clipId}" (also defined at ${firstId.file}:${firstId.line}:${firstId.col})` });
        }
        reportedIds.add(`${r.file}\0${clip.clipId}`);
        continue;
      }
      if (clipDiags.some((d) => d.severity === "error") || r.diagnostics.some((d) => d.severity === "error")) {
        broken.add(clip.address);
        continue;
      }

      const generation = normalizeGeneration(clip.fields, refs, catalog);
      const desired: DesiredClip = {
        address: clip.address,
        clipId: clip.clipId,
        manifest: r.file,
        matrix: clip.matrix,
        ...(clip.description !== undefined ? { description: clip.description } : {}),
        generation,
        fingerprint: fingerprintOf(generation),
        numberResults: (clip.fields.numberResults as number | undefined) ?? 1,
        delivery: pickDelivery(clip.fields),
        frameImages: refs,
        ...(links.length ? { links } : {}),
        location: here,
      };
      const prev = byAddress.get(desired.address);
      if (prev) {
        const where = `${prev.location.file}:${prev.location.line}:${prev.location.col}`;
        diagnostics.push({ ...desired.location, severity: "error", message: `duplicate clip address "${desired.address}" (also defined at ${where})` });
        continue;
      }
      byAddress.set(desired.address, desired);
      clips.push(desired);
    }
  }
  clips.push(...joinImages(declaredImages, byAddress, diagnostics));
  diagnostics.push(...linkGraph(clips, catalog, fingerprintOf, broken));
  clips.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const sequences = collectSequences(results);
  diagnostics.push(...sequences.diagnostics);
  const kept = superseded.size ? diagnostics.filter((d) => d.code !== undefined || !superseded.has(`${d.file}:${d.line}:${d.col}`)) : diagnostics;
  const silenced = new Map(results.flatMap((r) => (r.manifest?.warnings ? [[r.file, new Set(r.manifest.warnings.ignore)] as const] : [])));
  return { root, clips, manifests, diagnostics: sortDiagnostics(silenceWarnings(kept, ignoredWarnings(root), silenced)), digest: sha256Hex(digestParts.sort().join("\n")), catalog, sequences: sequences.sequences };
}

function pickDelivery(fields: Record<string, unknown>): DesiredClip["delivery"] {
  const d: DesiredClip["delivery"] = {};
  if (typeof fields.webhookURL === "string") d.webhookURL = fields.webhookURL;
  if (typeof fields.uploadEndpoint === "string") d.uploadEndpoint = fields.uploadEndpoint;
  if (typeof fields.ttl === "number") d.ttl = fields.ttl;
  return d;
}
