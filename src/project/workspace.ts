/**
 * What a command works on: the project root, the manifests it names (paths given relative to the
 * current folder, kept relative to the root) and the record it reads and writes. The simulator
 * keeps its record apart (`.clipform/sim/`), so trying `--sim` never touches the real lockfile or
 * videos, and going live afterwards leaves nothing to clean.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { LOCKFILE_NAME, PROJECT_CONFIG, SIM_RECORD_DIR } from "../core/layout.js";
import { isInside } from "../core/paths.js";
import { ClipformError } from "../errors.js";
import { defaultConfig } from "./config.js";
import { findProjectRoot, refuseSecondLockfile, type ProjectRoot } from "./root.js";

export interface Record {
  /** Absolute path of the lockfile. */
  lockPath: string;
  /** Where videos are saved, relative to the root. */
  outDir: string;
  /** The record of `--sim` runs: every output that reads it says so. */
  simulated: boolean;
}

export interface Workspace extends ProjectRoot {
  /** The manifest paths given on the command line, relative to the root ([] = the whole project). */
  paths: string[];
  record: Record;
}

/** Where the record lives: the project's lockfile and output folder, or the simulator's, apart. */
export function recordOf(p: Pick<ProjectRoot, "root" | "config">, sim: boolean): Record {
  if (sim) return { lockPath: join(p.root, SIM_RECORD_DIR, LOCKFILE_NAME), outDir: `${SIM_RECORD_DIR}/${p.config.outDir}`, simulated: true };
  return { lockPath: resolve(p.root, p.config.lockfile), outDir: p.config.outDir, simulated: false };
}

/** Before a run writes the record: its folder exists (the simulator's lives under `.clipform/sim/`). */
export function prepareRecord(record: Record): void {
  mkdirSync(dirname(record.lockPath), { recursive: true });
}

/** The workspace of the project whose root is `root` (its config read when it has one), with its real record. */
export function workspaceAt(root: string): Workspace {
  const p = existsSync(join(root, PROJECT_CONFIG)) ? findProjectRoot(root) : { root: resolve(root), config: defaultConfig() };
  return { ...p, paths: [], record: recordOf(p, false) };
}

const toSlash = (p: string) => p.split(sep).join("/");

/** A path argument, relative to the current folder, as a path relative to the root (refused outside it). */
function rootRelative(p: ProjectRoot, cwd: string, arg: string): string {
  const abs = resolve(cwd, arg);
  const rel = relative(p.root, abs);
  const inside = isInside(p.root, abs, { orSelf: true });
  if (p.configFile && !inside) {
    throw new ClipformError(
      "OUTSIDE_PROJECT",
      `${arg} is outside the project at ${p.root} (${PROJECT_CONFIG}): its clips would need a lockfile of their own. Nothing was read or sent. Run clipform in that folder's own project instead.`,
    );
  }
  // A folder inside this project that is a project of its own keeps its own lockfile: mixing its
  // clips into this one's would record them twice.
  for (let dir = isDir(abs) ? abs : dirname(abs); inside && dir.length > p.root.length; dir = dirname(dir)) {
    if (existsSync(join(dir, PROJECT_CONFIG))) {
      throw new ClipformError(
        "OUTSIDE_PROJECT",
        `${arg} belongs to another clipform project (${relative(cwd, join(dir, PROJECT_CONFIG))}) with its own lockfile. Nothing was read or sent. Run clipform from ${relative(cwd, dir) || "."} for it.`,
      );
    }
  }
  return inside ? toSlash(rel) || "." : abs;
}

/** A folder without a config that still holds a project of the defaults: its manifests or its lockfile. */
function holdsAProject(p: ProjectRoot): boolean {
  return [...p.config.manifests, p.config.lockfile].some((rel) => existsSync(resolve(p.root, rel)));
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The workspace of a command run in `cwd`: the project root found upwards, the path arguments
 * made relative to it, and the record (`sim`: the simulator's own, apart from the real one).
 */
export function openWorkspace(cwd: string, opts: { paths?: readonly string[]; sim?: boolean; readsRecord?: boolean } = {}): Workspace {
  const p = findProjectRoot(cwd);
  if (opts.readsRecord !== false) refuseSecondLockfile(p, cwd);
  if (!p.configFile && !opts.paths?.length && !holdsAProject(p)) {
    throw new ClipformError(
      "NO_PROJECT",
      `no clipform project here: no ${PROJECT_CONFIG} in ${p.root} or any folder above, and no ${p.config.manifests.join(", ")} folder. Run \`clipform init\` to start one here, or name the manifests to read.`,
    );
  }
  const paths = (opts.paths ?? []).map((a) => rootRelative(p, cwd, a));
  return { ...p, paths, record: recordOf(p, Boolean(opts.sim)) };
}

/**
 * For outputs that read the simulator's record: the lockfile they read, as the user would type
 * it, so every such output can say it is simulated. Undefined for the real record.
 */
export function recordNote(ws: Pick<Workspace, "record">, cwd: string): string | undefined {
  return ws.record.simulated ? toSlash(relative(cwd, ws.record.lockPath)) : undefined;
}
