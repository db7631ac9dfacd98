/**
 * `clipform init`: scaffolds a project in a folder. Never overwrites a file: what exists is kept
 * and reported; ignore and attribute lines are appended only when missing. Returns what it did;
 * the command prints it.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_OUT_DIR, LOCKFILE_NAME, PROJECT_CONFIG, SIM_RECORD_DIR, STATE_DIR } from "../core/layout.js";
import { isInside } from "../core/paths.js";
import { ClipformError } from "../errors.js";
import { entryKind, linkOnTheWay, READ_CAPS, readProjectText } from "../util/safe-fs.js";
import { PROJECT_CONFIG_VERSION } from "./config.js";
import { findUp } from "./root.js";

/** This package's own folder (dist/project/init.js → the package root). */
const PACKAGE_DIR = fileURLToPath(new URL("../../", import.meta.url));
const SCHEMA = join("schemas", "manifest.schema.json");
const WORKFLOW = join(".github", "workflows", "clipform.yml");
export const STARTER_MANIFEST = join("specs", "clips.yaml");

export const MERGE_ATTRIBUTE = `${LOCKFILE_NAME} merge=clipform`;
export const GIT_CONFIG_STEPS = [`git config merge.clipform.name "clipform lockfile merge"`, `git config merge.clipform.driver "npx clipform lock merge %O %A %B %P"`];
const IGNORED = [`${DEFAULT_OUT_DIR}/`, `${STATE_DIR}/`, "clipform-report.html"];

export interface InitResult {
  root: string;
  /** Files created, relative to the root. */
  created: string[];
  /** Files that already existed and were left as they were. */
  kept: string[];
  /** Files that got lines appended (ignore entries, the merge attribute). */
  appended: string[];
  /** The `$schema` the starter manifest points at, as written, and whether that file exists yet. */
  schema: { ref: string; resolves: boolean };
  /** Commands to run once per clone (git reads merge drivers from its config only). */
  gitConfig: string[];
}

const toSlash = (p: string) => p.split(sep).join("/");

/**
 * The manifest schema as seen from `fromDir`, for a line that must resolve in every clone: the
 * project's installed clipform (node_modules/clipform/schemas, found as Node resolves packages),
 * else this clipform's own schemas/ when the project is inside its checkout (relative, so it
 * survives a move of the whole tree). Else (clipform run from elsewhere, say a global install)
 * where `npm install --save-dev clipform` will put it, with `resolves: false` so init says so.
 */
export function schemaRef(fromDir: string, root: string): { ref: string; resolves: boolean } {
  const installed = findUp(fromDir, join("node_modules", "clipform", SCHEMA));
  if (installed !== undefined) return { ref: toSlash(relative(fromDir, join(installed, "node_modules", "clipform", SCHEMA))), resolves: true };
  if (isInside(PACKAGE_DIR, root, { orSelf: true })) return { ref: toSlash(relative(fromDir, join(PACKAGE_DIR, SCHEMA))), resolves: true };
  return { ref: toSlash(relative(fromDir, join(root, "node_modules", "clipform", SCHEMA))), resolves: false };
}

function starterManifest(schema: string): string {
  return `# yaml-language-server: $schema=${schema}
# A starter manifest: \`clipform plan\` shows what it would generate and cost, \`clipform apply --sim\`
# tries it on the local simulator (no key, no cost), \`clipform apply\` generates it for real.
version: 1
budget:
  maxCost: 2.00                   # USD: plan fails and apply refuses past this, for this file's clips
defaults:
  model: klingai:3@1
  width: 1280
  height: 720
  duration: 5
clips:
  first-light:
    description: A first clip to try the loop with
    positivePrompt: A slow aerial drift over a quiet fishing harbor at first light, mist on the water.
    negativePrompt: blurry, watermark, text, flicker
`;
}

const CONFIG_TEXT = `# clipform's project config: clipform finds this file by walking up from the current folder,
# so every command run anywhere inside this project uses the same root and lockfile.
version: ${PROJECT_CONFIG_VERSION}
manifests: [specs]                # manifest files or folders
outDir: ${DEFAULT_OUT_DIR}              # where apply saves the videos (not committed)
lockfile: ${LOCKFILE_NAME}      # the record of what was generated (committed)
# concurrency: 8                  # generations in flight at most (apply's default)
# budget: 50                      # USD the whole project may ever spend
`;

const readText = (path: string) => readProjectText(path, { maxBytes: READ_CAPS.config, shown: path });

function linesOf(path: string): Set<string> {
  return new Set((readText(path) ?? "").split(/\r?\n/).map((l) => l.trim()));
}

/** Appends the lines `path` lacks; returns whether it changed (or was created). */
function ensureLines(path: string, lines: string[], heading: string): "created" | "appended" | "kept" {
  const had = linesOf(path);
  const missing = lines.filter((l) => !had.has(l) && !had.has(`/${l}`));
  if (missing.length === 0) return "kept";
  const existing = readText(path);
  const existed = existing !== undefined;
  const text = existing ?? "";
  appendFileSync(path, `${text && !text.endsWith("\n") ? "\n" : ""}${text ? "\n" : ""}# ${heading}\n${missing.join("\n")}\n`);
  return existed ? "appended" : "created";
}

export function initProject(dir: string, opts: { workflow?: boolean } = {}): InitResult {
  const root = resolve(dir);
  const above = findUp(dirname(root), PROJECT_CONFIG);
  if (above !== undefined && above !== root) {
    throw new ClipformError("OUTSIDE_PROJECT", `${root} is inside the clipform project at ${above} (${PROJECT_CONFIG}): a project here would keep a second lockfile. Nothing was written.`);
  }
  refusePlanted(root, [PROJECT_CONFIG, STARTER_MANIFEST, ".gitignore", ".gitattributes", ...(opts.workflow ? [WORKFLOW] : [])]);
  const result: InitResult = { root, created: [], kept: [], appended: [], schema: { ref: "", resolves: false }, gitConfig: GIT_CONFIG_STEPS };
  const write = (rel: string, content: () => string) => {
    const abs = join(root, rel);
    if (existsSync(abs)) return void result.kept.push(toSlash(rel));
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content(), { flag: "wx" });
    result.created.push(toSlash(rel));
  };
  write(PROJECT_CONFIG, () => CONFIG_TEXT);
  result.schema = schemaRef(join(root, dirname(STARTER_MANIFEST)), root);
  write(STARTER_MANIFEST, () => starterManifest(result.schema.ref));
  const note = (rel: string, state: "created" | "appended" | "kept") => void (state === "kept" ? result.kept : state === "created" ? result.created : result.appended).push(rel);
  note(".gitignore", ensureLines(join(root, ".gitignore"), IGNORED, "clipform: videos, local state (and the simulator's record, in " + SIM_RECORD_DIR + "/), the report"));
  note(".gitattributes", ensureLines(join(root, ".gitattributes"), [MERGE_ATTRIBUTE], "clipform: merge the lockfile clip by clip (see `git config` below)"));
  if (opts.workflow) {
    const rel = toSlash(WORKFLOW);
    if (existsSync(join(root, WORKFLOW))) result.kept.push(rel);
    else {
      mkdirSync(dirname(join(root, WORKFLOW)), { recursive: true });
      copyFileSync(join(PACKAGE_DIR, WORKFLOW), join(root, WORKFLOW));
      result.created.push(rel);
    }
  }
  return result;
}

/**
 * A checkout can hold links where init writes (.gitignore → ~/.bashrc, .github → elsewhere) or a
 * FIFO: init writes and appends only to regular files inside the folder, so it checks every path
 * first, and refuses before writing anything.
 */
function refusePlanted(root: string, rels: readonly string[]): void {
  const found = new Set<string>();
  for (const rel of rels) {
    const abs = join(root, rel);
    const via = linkOnTheWay(root, abs);
    const kind = entryKind(abs);
    if (via) found.add(`${toSlash(relative(root, via))} is ${entryKind(via) === "link" ? "a symbolic link" : "not a folder"}`);
    else if (kind === "link") found.add(`${toSlash(rel)} is a symbolic link`);
    else if (kind === "special" || kind === "dir") found.add(`${toSlash(rel)} is not a regular file`);
  }
  if (found.size > 0) throw new ClipformError("UNSAFE_PATH", `${[...found].join("; ")}: clipform init writes only regular files, never through links. Nothing was written; remove ${found.size === 1 ? "it" : "them"} and run it again.`);
}
