/**
 * The stages joined: manifests → lockfile → plan. Each command starts here; apply and watch
 * add their own side effects on top.
 */
import { relative, resolve, sep } from "node:path";
import { groupRepeated } from "./diagnostics.js";
import { ClipformError } from "./errors.js";
import { fileStamp } from "./util/stamp.js";
import { checkOutputFiles } from "./lockfile/files.js";
import { readCurrentRecord } from "./lockfile/current.js";
import { collectGarbage, LARGE_PROJECT_CLIPS } from "./util/collect-garbage.js";
import type { Lockfile } from "./lockfile/schema.js";
import type { LocalImageCache } from "./manifest/images.js";
import { loadProject, type Project } from "./manifest/index.js";
import { plan, type Plan, type QuoteBook } from "./plan/plan.js";
import type { PlanOptions } from "./plan/planfile.js";
import { priceBook } from "./plan/prices.js";
import { recordOf, workspaceAt, type Record, type Workspace } from "./project/workspace.js";
import { sequencePlanInput } from "./media/sequence-record.js";

export interface Planned {
  project: Project;
  lock: Lockfile;
  lockExists: boolean;
  lockPath: string;
  /** Where the lockfile and the videos are: the project's own record, or the simulator's. */
  record: Record;
  /** fileStamp() of the lockfile just before it was read: tells whether it changed since. */
  lockStamp: string;
  /** Rescue files of earlier applies, folded into `lock` (apply writes them in, then removes them). */
  rescues: string[];
  /** Journals of earlier applies that did not finish (a crash), folded into `lock` the same way. */
  journals: string[];
  plan: Plan;
}

/** The real lockfile of the project at `root`. */
export function lockfilePath(root: string): string {
  return workspaceAt(root).record.lockPath;
}

/** Loads and validates the manifests; throws with every diagnostic when any is an error. */
export function loadValidProject(root: string, paths: string[], images?: LocalImageCache, projectPaths?: readonly string[]): Project {
  const loaded = loadProject({ root, paths, ...(images ? { images } : {}), ...(projectPaths ? { projectPaths } : {}) });
  const project = { ...loaded, diagnostics: groupRepeated(loaded.diagnostics) };
  const errors = project.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw new ClipformError("INVALID_MANIFEST", `${errors.length} problem${errors.length === 1 ? "" : "s"} found; nothing was planned or sent`, project.diagnostics);
  }
  return project;
}

/** `record` says where the films of the sequences are (the simulator's are apart); the project's real one by default. */
export function planProject(project: Project, lock: Lockfile, opts: PlanOptions, quotes?: QuoteBook, record?: Record): Plan {
  return plan({
    sequences: sequencePlanInput(project.root, record ?? recordOf(workspaceAt(project.root), false), project.sequences),
    ...(quotes ? { quotes } : {}),
    clips: project.clips,
    ...(project.context ? { context: project.context } : {}),
    lock,
    prices: priceBook(lock, project.catalog),
    manifests: project.manifests,
    files: checkOutputFiles(lock, project.root),
    targets: opts.targets,
    replace: opts.replace,
    ...(opts.paths.length ? { inManifestScope: manifestScope(project.root, opts.paths) } : {}),
    ...(opts.maxCost !== undefined ? { maxCost: opts.maxCost } : {}),
    ...(opts.projectBudget !== undefined ? { projectBudget: opts.projectBudget } : {}),
  });
}

/** Whether a manifest (as recorded, relative to the root) is under one of the given paths. */
export function manifestScope(root: string, paths: readonly string[]): (manifest: string) => boolean {
  const prefixes = paths.map((p) => relative(root, resolve(root, p)).split(sep).join("/"));
  return (manifest) => prefixes.some((p) => p === "" || manifest === p || manifest.startsWith(`${p}/`));
}

/** Plans a loaded project against the lockfile of `record` (the project's real one by default) as it is on disk now. */
export function planAgainstLockfile(project: Project, opts: PlanOptions, record: Record = recordOf(workspaceAt(project.root), false), quotes?: QuoteBook): Planned {
  const lockPath = record.lockPath;
  // The manifests' parsed documents are dead now: collect them before the lockfile is read.
  if (project.clips.length >= LARGE_PROJECT_CLIPS) collectGarbage();
  const lockStamp = fileStamp(lockPath);
  const { lock, exists, rescues, journals } = readCurrentRecord(lockPath);
  return { project, lock, lockExists: exists, lockPath, record, lockStamp, rescues, journals, plan: planProject(project, lock, opts, quotes, record) };
}

/**
 * Loads the manifests (the paths asked for, else the project's) and plans them against the
 * record. `at` is a workspace, or a root folder for its real record.
 */
export function computePlan(at: string | Workspace, opts: PlanOptions, images?: LocalImageCache, quotes?: QuoteBook): Planned {
  const ws = typeof at === "string" ? workspaceAt(at) : at;
  return planAgainstLockfile(loadValidProject(ws.root, manifestPaths(ws, opts.paths), images, wholeProject(ws, opts.paths)), opts, ws.record, quotes);
}

/** When only some manifests are asked for, the project's: what they name resolves against all of them. */
export function wholeProject(ws: Pick<Workspace, "config">, paths: readonly string[]): readonly string[] | undefined {
  return paths.length ? ws.config.manifests : undefined;
}

/** The manifests to load: the paths asked for, else the project's (config `manifests`, default specs/). */
export function manifestPaths(ws: Pick<Workspace, "config">, paths: readonly string[]): string[] {
  return paths.length ? [...paths] : ws.config.manifests;
}
