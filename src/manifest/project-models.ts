/**
 * A project's own models: JSON (or YAML) definitions in `models/` at the project root (or the
 * folder `clipform.yaml` names in `models`), whatever folder inside the project a command runs in. A file
 * whose `air` is a built-in model overrides it field by field (objects merge, lists replace: a
 * newly allowed duration is `durations: {values: [5, 8, 10]}`); `extends: AIR` starts a new
 * model from a built-in one; any other file defines a new model and must be complete. Each is validated against schemas/model.schema.json, with every
 * problem located at FILE:LINE:COL. `clipform models import` writes such files.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { PROJECT_CONFIG } from "../core/layout.js";
import type { Diagnostic } from "../diagnostics.js";
import { checkAgainst } from "./check-schema.js";
import { locate, parseYaml } from "../util/yaml.js";
import { ClipformError } from "../errors.js";
import { readProjectConfig } from "../project/root.js";
import { READ_CAPS, readProjectText } from "../util/safe-fs.js";
import { loadValidatorSync } from "../util/validators.js";
import { builtinCatalog, catalogOf, type Catalog, type ModelSpec } from "../models/catalog.js";
import type { ModelDefinition } from "../models/definition.js";

export const PROJECT_MODELS_DIR = "models";

export interface ProjectCatalog {
  catalog: Catalog;
  diagnostics: Diagnostic[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Objects merge key by key; anything else (lists included) is replaced. */
export function mergeDefinition(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeDefinition(base[k], v) : v;
  return out;
}

/** The project's models folder, absolute: the config's `models` path, or `models/` at the root. */
export function projectModelsDir(root: string): string {
  return resolve(root, readProjectConfig(root).models ?? PROJECT_MODELS_DIR);
}

/**
 * The catalog of the project at `root`: the built-in models with the project's own over them.
 * `dir` (absolute) reads another folder of definitions instead; problems name files relative to `root`.
 */
export function loadProjectCatalog(root: string, dir: string = projectModelsDir(root)): ProjectCatalog {
  const builtin = builtinCatalog();
  const shown = relative(root, dir).split(sep).join("/") || ".";
  if (!existsSync(dir)) return { catalog: builtin, diagnostics: [] };
  const files = readdirSync(dir).filter((f) => /\.(json|ya?ml)$/i.test(f)).sort();
  if (files.length === 0) return { catalog: builtin, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const own: ModelSpec[] = [];
  for (const name of files) {
    const file = shown === "." ? name : `${shown}/${name}`;
    let text: string | undefined;
    try {
      text = readProjectText(join(dir, name), { within: root, maxBytes: READ_CAPS.model, shown: file });
    } catch (e) {
      // A planted link, FIFO or device is one error on its file; the other model files still load.
      if (!(e instanceof ClipformError)) throw e;
      diagnostics.push({ file, line: 1, col: 1, severity: "error", message: e.message.replace(`${file}: `, ""), code: "invalidModelDefinition" });
      continue;
    }
    if (text === undefined) continue;
    const parsed = parseYaml(text);
    const problem = (path: (string | number)[], message: string, key = false) => {
      const pos = locate(parsed, path, { key });
      diagnostics.push({ file, line: pos.line, col: pos.col, severity: "error", message, code: "invalidModelDefinition" });
    };
    if (parsed.syntaxErrors.length > 0) {
      for (const e of parsed.syntaxErrors) diagnostics.push({ file, ...e.pos, severity: "error", message: e.message });
      continue;
    }
    const data: unknown = parsed.doc.toJS();
    if (!isObject(data) || typeof data.air !== "string") {
      problem([], "a model definition needs `air` (the model's identifier, e.g. klingai:5@3)");
      continue;
    }
    const from = typeof data.extends === "string" ? data.extends : data.air;
    const base = builtin.get(from);
    if (typeof data.extends === "string" && !base) {
      problem(["extends"], `extends: unknown built-in model "${data.extends}"`);
      continue;
    }
    const { origin: _o, ...baseDefinition } = base ?? ({} as ModelSpec);
    // The base's references and page belong to it, not to a new model built from it.
    const merged = base ? mergeDefinition(from === data.air ? baseDefinition : { ...baseDefinition, page: undefined }, data) : data;
    const problems = checkAgainst(loadValidatorSync("model"), "model", JSON.parse(JSON.stringify(merged)), "the model definition");
    for (const p of problems) problem(p.at, base ? `${p.message} (after merging over the built-in ${from})` : p.message, p.key);
    if (problems.length === 0) own.push({ ...(merged as ModelDefinition), origin: file });
  }
  return { catalog: catalogOf([...builtin.all(), ...own], builtin.images()), diagnostics };
}
