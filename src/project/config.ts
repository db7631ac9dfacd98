/**
 * The project config, `clipform.yaml` at the project root: where the manifests, the lockfile and
 * the videos are, the default concurrency, the project-wide lifetime budget and the folder of
 * model overrides. Every problem is reported at once, located at FILE:LINE:COL.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_OUT_DIR, LOCKFILE_NAME, PROJECT_CONFIG } from "../core/layout.js";
import type { Diagnostic } from "../diagnostics.js";
import { ClipformError } from "../errors.js";
import { locate, parseYaml } from "../util/yaml.js";
import { closest } from "../util/suggest.js";
import { outDirProblem } from "../core/paths.js";

export const PROJECT_CONFIG_VERSION = 1;
export const DEFAULT_MANIFEST_PATHS: readonly string[] = ["specs"];

export interface ProjectConfig {
  /** Manifest files or folders, relative to the root. */
  manifests: string[];
  /** Where apply saves videos, relative to the root. */
  outDir: string;
  /** The lockfile, relative to the root. */
  lockfile: string;
  /** Generations in flight at most; absent: apply's own default. `--concurrency` wins. */
  concurrency?: number;
  /** USD the whole project may ever spend (spent + in flight + planned); enforced by plan and apply. */
  budget?: number;
  /** A folder of model definitions that override or extend the catalog, relative to the root. */
  models?: string;
  /** Warnings silenced in the whole project, by code (each warning shows its code: `[undocumentedParameter]`). */
  warnings?: { ignore: string[] };
}

/** The settings of a project without a config file (and of every setting a config leaves out). */
export function defaultConfig(): ProjectConfig {
  return { manifests: [...DEFAULT_MANIFEST_PATHS], outDir: DEFAULT_OUT_DIR, lockfile: LOCKFILE_NAME };
}

type Check = (v: unknown) => string | undefined;

/** A path inside the project: relative, without `..` (the project's files stay under its root). */
const insidePath: Check = (v) => {
  if (typeof v !== "string" || v.trim() === "") return "must be a path relative to the project root";
  if (v.startsWith("/") || /^[A-Za-z]:[\\/]/.test(v)) return `must be relative to the project root, got "${v}"`;
  if (v.split(/[\\/]/).includes("..")) return `must stay inside the project (no ".."), got "${v}"`;
  return undefined;
};

const withProblem = (p: string | undefined) => (p === undefined ? undefined : `must be a folder inside the project (apply removes every link and special file in it): it ${p}`);

const FIELDS: Record<string, Check> = {
  version: (v) => (v === PROJECT_CONFIG_VERSION ? undefined : `version must be ${PROJECT_CONFIG_VERSION}, got ${JSON.stringify(v)}`),
  manifests: (v) => {
    if (!Array.isArray(v) || v.length === 0) return "must be a non-empty list of manifest files or folders";
    return v.map(insidePath).find((m) => m !== undefined);
  },
  outDir: (v) => insidePath(v) ?? (typeof v === "string" ? withProblem(outDirProblem("/project", v)) : undefined),
  lockfile: (v) => insidePath(v) ?? (typeof v === "string" && /\.json$/i.test(v) ? undefined : `must name a .json file, got "${String(v)}"`),
  concurrency: (v) => (Number.isInteger(v) && (v as number) >= 1 ? undefined : `must be a whole number of at least 1, got ${JSON.stringify(v)}`),
  budget: (v) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? undefined : `must be an amount in USD, like 50 or 12.50, got ${JSON.stringify(v)}`),
  models: insidePath,
  warnings: (v) => warningsSetting(v),
};

/** `warnings: { ignore: [CODE…] }`, in clipform.yaml and in a manifest. */
export function warningsSetting(v: unknown): string | undefined {
  const ok = v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).every((k) => k === "ignore");
  const ignore = ok ? (v as { ignore?: unknown }).ignore : undefined;
  if (!ok || !Array.isArray(ignore) || !ignore.every((c) => typeof c === "string" && /^[A-Za-z][A-Za-z0-9]*$/.test(c))) {
    return "must be { ignore: [CODE, …] }, the codes shown in brackets after each warning";
  }
  return undefined;
}

/** The warning codes the project at `root` silences (none without a config). */
export function ignoredWarnings(root: string): ReadonlySet<string> {
  const file = join(root, PROJECT_CONFIG);
  if (!existsSync(file)) return new Set();
  return new Set(parseProjectConfig(readFileSync(file, "utf8"), PROJECT_CONFIG).warnings?.ignore ?? []);
}

/** Parses a project config; throws with every located problem at once. */
export function parseProjectConfig(text: string, file: string): ProjectConfig {
  const parsed = parseYaml(text);
  const diags: Diagnostic[] = parsed.syntaxErrors.map((e) => ({ file, ...e.pos, severity: "error", message: e.message }));
  const data: unknown = diags.length ? undefined : parsed.doc.toJS();
  const at = (path: string[], message: string, key = false): Diagnostic => ({ file, ...locate(parsed, path, { key }), severity: "error", message });
  const config = defaultConfig();
  if (!diags.length) {
    if (data === null || data === undefined) {
      diags.push(at([], `${PROJECT_CONFIG} is empty: it needs at least \`version: ${PROJECT_CONFIG_VERSION}\``));
    } else if (typeof data !== "object" || Array.isArray(data)) {
      diags.push(at([], `${PROJECT_CONFIG} must be a mapping of settings`));
    } else {
      collect(data as Record<string, unknown>, config, diags, at);
    }
  }
  if (diags.length) {
    throw new ClipformError("INVALID_CONFIG", `${diags.length} problem${diags.length === 1 ? "" : "s"} in ${file}; nothing was planned or sent`, diags);
  }
  return config;
}

function collect(
  data: Record<string, unknown>,
  config: ProjectConfig,
  diags: Diagnostic[],
  at: (path: string[], message: string, key?: boolean) => Diagnostic,
): void {
  if (!("version" in data)) diags.push(at([], `missing \`version: ${PROJECT_CONFIG_VERSION}\``));
  for (const [key, value] of Object.entries(data)) {
    const check = FIELDS[key];
    if (!check) {
      const hint = closest(key, Object.keys(FIELDS));
      diags.push(at([key], `unknown setting "${key}"${hint ? `; did you mean "${hint}"?` : ` (known: ${Object.keys(FIELDS).join(", ")})`}`, true));
      continue;
    }
    const problem = check(value);
    if (problem) {
      diags.push(at([key], `${key} ${problem}`));
      continue;
    }
    if (key !== "version") (config as unknown as Record<string, unknown>)[key] = key === "manifests" ? [...(value as string[])] : value;
  }
}
