/**
 * Shots that feed shots: `image: {from: CLIP, frame}` makes a clip's frame image another clip's
 * frame (or an entry of `images:`). This module reads those references and checks the graph they
 * make, at validate time: unknown targets ("did you mean …?"), cycles (reported at every
 * reference on the cycle), a variant or frame the target cannot provide, and a picture the
 * downstream model would refuse. The planner (src/plan/links.ts) and apply (src/apply/chain.ts)
 * resolve them.
 */
import type { Diagnostic } from "../diagnostics.js";
import type { Catalog } from "../models/catalog.js";
import type { DesiredClip, GenerationFields } from "./index.js";
import { closest } from "../util/suggest.js";
import { formatPending, type FramePosition } from "../core/address.js";
import { imageLimitIssues } from "./images.js";

export interface ClipLink {
  /** Where the picture goes: a frame image, or a reference image (inputs.referenceImages). */
  input: "frameImages" | "referenceImages";
  /** Its index in that list (for frame images: as the request lists them). */
  index: number;
  /** The address (or image name) as written, variables substituted. */
  target: string;
  /** Which frame of the target's video (default last); an image target is its one picture ("first"). Set by checkLinks. */
  frame?: FramePosition;
  /** 1-based variant of the target's picked take. */
  variant: number;
  /** Where the reference is written (its `from:`). */
  location: { file: string; line: number; col: number };
}

/**
 * Reads a frame item's `image: {from, frame, variant}` (or a reference image's own
 * `{from, frame, variant}`), or undefined when it is an ordinary image.
 */
export function linkOf(item: unknown): { from: string; frame?: FramePosition; variant?: number } | undefined {
  if (!item || typeof item !== "object") return undefined;
  const image = typeof (item as { from?: unknown }).from === "string" ? item : (item as { image?: unknown }).image;
  if (!image || typeof image !== "object" || typeof (image as { from?: unknown }).from !== "string") return undefined;
  const l = image as { from: string; frame?: FramePosition; variant?: number };
  return { from: l.from, ...(l.frame ? { frame: l.frame } : {}), ...(l.variant ? { variant: l.variant } : {}) };
}

/** What a reference can point at: a clip (its video) or an image of `images:`. */
export interface LinkTarget {
  address: string;
  kind: "video" | "image";
  numberResults: number;
  width?: number;
  height?: number;
  location: { file: string; line: number; col: number };
}

export interface LinkSource {
  address: string;
  model: string;
  links: ClipLink[];
  width?: number;
  height?: number;
}

const where = (l: { file: string; line: number; col: number }) => `${l.file}:${l.line}:${l.col}`;
const at = (l: ClipLink, message: string, severity: "error" | "warning" = "error", code?: string): Diagnostic => ({ ...l.location, severity, message, ...(code ? { code } : {}) });

/**
 * Checks every reference; fills in the default frame (last) of video targets. Returns the
 * problems, each at its reference. `sources` are the clips that reference others.
 */
/** `broken`: addresses declared with problems of their own, reported there: a reference to one is no second problem. */
export function checkLinks(sources: readonly LinkSource[], targets: ReadonlyMap<string, LinkTarget>, catalog: Catalog, broken: ReadonlySet<string> = new Set()): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of sources) {
    for (const l of s.links) {
      const t = targets.get(l.target);
      if (!t && broken.has(l.target)) continue;
      if (!t) {
        const guess = closest(l.target, targets.keys());
        out.push(at(l, `${s.address}: no clip or image "${l.target}" to take a frame from${guess ? `; did you mean "${guess}"?` : ""}`));
        continue;
      }
      if (t.kind === "image" && l.frame) {
        out.push(at(l, `${s.address}: "${l.target}" is an image (${where(t.location)}): it has no ${l.frame} frame; leave out \`frame:\``));
        continue;
      }
      // A video gives its last frame unless told; an image is its one picture.
      l.frame ??= t.kind === "video" ? "last" : "first";
      if (l.variant > t.numberResults) {
        out.push(at(l, `${s.address}: "${l.target}" makes ${t.numberResults} variant${t.numberResults === 1 ? "" : "s"} (numberResults): there is no variant ${l.variant}`));
        continue;
      }
      // The frame is the target's picture: its size must suit the model it is given to.
      if (t.width && t.height) {
        for (const i of imageLimitIssues(`the frame of ${l.target} (${t.width}x${t.height})`, { bytes: 0, info: { format: "png", width: t.width, height: t.height } }, catalog.get(s.model))) {
          out.push(at(l, `${s.address}: ${i.message}`, i.severity, i.code));
        }
        if (s.width && s.height && Math.abs(t.width / t.height - s.width / s.height) > 0.02) {
          out.push(at(l, `${s.address}: "${l.target}" is ${t.width}x${t.height} but ${s.address} asks for ${s.width}x${s.height}: the frame will be cropped or letterboxed by the model`, "warning", "frameAspect"));
        }
      }
    }
  }
  out.push(...cycles(sources));
  return out;
}

/** Every reference that lies on a cycle, reported at its own line with the whole cycle. */
function cycles(sources: readonly LinkSource[]): Diagnostic[] {
  const edges = new Map<string, ClipLink[]>();
  for (const s of sources) edges.set(s.address, s.links);
  const out: Diagnostic[] = [];
  for (const s of sources) {
    for (const l of s.links) {
      const path = pathTo(edges, l.target, s.address);
      if (!path) continue;
      out.push(at(l, `${s.address}: a cycle: ${[s.address, ...path].join(" → ")}; a clip cannot start from its own frames`));
    }
  }
  return out;
}

/** The shortest chain of references from `from` back to `to`, or undefined. */
function pathTo(edges: ReadonlyMap<string, ClipLink[]>, from: string, to: string): string[] | undefined {
  const prev = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (node === to) {
      const path: string[] = [];
      for (let n: string | null = node; n !== null; n = prev.get(n) ?? null) path.unshift(n);
      return path;
    }
    for (const l of edges.get(node) ?? []) {
      if (prev.has(l.target)) continue;
      prev.set(l.target, node);
      queue.push(l.target);
    }
  }
  return undefined;
}

/**
 * The clips in an order where every clip comes after the clips it takes frames from (and in
 * `order` otherwise); clips on a cycle (refused at validate time) keep their place.
 */
export function dependencyOrder<T extends { address: string; links?: readonly ClipLink[] }>(items: readonly T[]): T[] {
  const by = new Map(items.map((c) => [c.address, c]));
  const out: T[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (c: T) => {
    if (state.get(c.address)) return;
    state.set(c.address, "visiting");
    for (const l of c.links ?? []) {
      const up = by.get(l.target);
      if (up && !state.get(up.address)) visit(up);
    }
    state.set(c.address, "done");
    out.push(c);
  };
  for (const c of items) visit(c);
  return out;
}

/** The references of a clip's inputs.referenceImages, read with their positions by `where(index)`. */
export function referenceLinks(inputs: unknown, where: (index: number) => ClipLink["location"]): ClipLink[] {
  const list = inputs && typeof inputs === "object" ? (inputs as { referenceImages?: unknown }).referenceImages : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, index) => {
    const l = linkOf(item);
    return l ? [{ input: "referenceImages" as const, index, target: l.from, variant: l.variant ?? 1, ...(l.frame ? { frame: l.frame } : {}), location: where(index) }] : [];
  });
}

/**
 * `g` with the picture of each reference written at its place: a frame image's whole entry
 * (position, image and where it came from), a reference image's image alone.
 */
export function withPictures<G extends { frameImages?: { frame: string; image: string }[]; otherInputs?: Record<string, unknown> }>(
  g: G,
  links: readonly ClipLink[],
  pictures: ReadonlyMap<ClipLink, { frame: string; image: string }>,
): G {
  const out = { ...g };
  for (const l of links) {
    const p = pictures.get(l);
    if (!p) continue;
    if (l.input === "frameImages") {
      out.frameImages = [...(out.frameImages ?? [])];
      out.frameImages[l.index] = { ...p };
    } else {
      const list = [...((out.otherInputs?.referenceImages as unknown[] | undefined) ?? [])];
      list[l.index] = p.image;
      out.otherInputs = { ...out.otherInputs, referenceImages: list };
    }
  }
  return out;
}

/**
 * Checks the references between clips (src/manifest/links.ts) and, now that every target is
 * known, writes each link's default frame into its clip's placeholder and fingerprint.
 */
export function linkGraph(clips: DesiredClip[], catalog: Catalog, fingerprintOf: (g: GenerationFields) => string, broken: ReadonlySet<string> = new Set()): Diagnostic[] {
  const targets = new Map<string, LinkTarget>();
  for (const c of clips) {
    targets.set(c.address, { address: c.address, kind: c.kind ?? "video", numberResults: c.numberResults, ...(c.generation.width ? { width: c.generation.width, height: c.generation.height } : {}), location: c.location });
  }
  const sources = clips.filter((c) => c.links?.length);
  const problems = checkLinks(
    sources.map((c) => ({ address: c.address, model: c.generation.model, links: c.links!, ...(c.generation.width ? { width: c.generation.width, height: c.generation.height } : {}) })),
    targets,
    catalog,
    broken,
  );
  for (const c of sources) {
    const placeholders = new Map(c.links!.map((l) => [l, { frame: c.generation.frameImages?.[l.index]?.frame ?? "", image: formatPending(l) }]));
    c.generation = withPictures(c.generation, c.links!, placeholders);
    c.fingerprint = fingerprintOf(c.generation);
  }
  return problems;
}
