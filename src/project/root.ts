/**
 * The project root: the nearest folder, from the current one upwards (as git finds `.git`), that
 * holds `clipform.yaml`. Every command run anywhere inside uses that root, its manifests and its
 * one lockfile. Without a config file the current folder is the root, as it always was.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { LOCKFILE_NAME, PROJECT_CONFIG } from "../core/layout.js";
import { ClipformError } from "../errors.js";
import { entryKind, READ_CAPS, readProjectText } from "../util/safe-fs.js";
import { defaultConfig, parseProjectConfig, type ProjectConfig } from "./config.js";

export interface ProjectRoot {
  /** Absolute. */
  root: string;
  /** Absolute path of the project config; absent when the current folder is the root by default. */
  configFile?: string;
  config: ProjectConfig;
}

/** The nearest ancestor of `from` (itself included) that holds `name`, if any. */
export function findUp(from: string, name: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    // Whatever is there counts (a dangling link too): the reader then says what is wrong with it.
    if (entryKind(join(dir, name)) !== "absent") return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function findProjectRoot(cwd: string): ProjectRoot {
  const root = findUp(cwd, PROJECT_CONFIG);
  if (root === undefined) return { root: resolve(cwd), config: defaultConfig() };
  const configFile = join(root, PROJECT_CONFIG);
  const shown = relative(cwd, configFile) || PROJECT_CONFIG;
  return { root, configFile, config: readProjectConfig(root, shown) };
}

/** The config file at `root`, read as every project file is (regular, inside the project, capped) and parsed. */
export function readProjectConfig(root: string, shown: string = PROJECT_CONFIG): ProjectConfig {
  const text = readProjectText(join(root, PROJECT_CONFIG), { within: root, maxBytes: READ_CAPS.config, shown });
  return text === undefined ? defaultConfig() : parseProjectConfig(text, shown);
}

/**
 * Without a config file the current folder is the root; but when a folder above it already
 * keeps a lockfile, planning here would start a second, empty one and pay for every clip again.
 */
export function refuseSecondLockfile(p: ProjectRoot, cwd: string): void {
  if (p.configFile || existsSync(join(p.root, p.config.lockfile))) return;
  const parent = dirname(resolve(cwd));
  const above = parent === resolve(cwd) ? undefined : findUp(parent, LOCKFILE_NAME);
  if (above === undefined) return;
  const rel = relative(cwd, above) || ".";
  throw new ClipformError(
    "OUTSIDE_PROJECT",
    `${join(rel, LOCKFILE_NAME)} already records this project's clips: running here would start a second lockfile in ${resolve(cwd)} and generate them all again. ` +
      `Nothing was read or sent. Run clipform from ${above} (paths like ${relative(above, cwd) || "."}/… work there), or add ${PROJECT_CONFIG} there (\`clipform init\`) so every folder inside finds it.`,
  );
}
