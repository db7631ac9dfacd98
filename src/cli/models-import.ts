/**
 * `clipform models import FILE` and `clipform models pull AIR`: Runware's per-model JSON Schema
 * turned into a definition pinned in the project's models/ folder, then checked the way every
 * project definition is (schemas/model.schema.json, located errors).
 */
import { mkdirSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { containedPath, nameProblem } from "../core/paths.js";
import { formatDiagnostic } from "../diagnostics.js";
import { ClipformError } from "../errors.js";
import { builtinCatalog } from "../models/catalog.js";
import { loadProjectCatalog, projectModelsDir } from "../manifest/project-models.js";
import { writeFileAtomic } from "../lockfile/io.js";
import { findProjectRoot } from "../project/root.js";
import { assertRealFolder, READ_CAPS, readProjectText } from "../util/safe-fs.js";
import { fromRequestSchema } from "../models/runware-schema.js";
import type { Context } from "./context.js";

export const DEFAULT_SCHEMAS_URL = "https://schemas.runware.ai";

const fileNameOf = (air: string) => `${air.replace(/[:@]/g, "-")}.json`;

async function fetchSchema(base: string, air: string): Promise<{ answer: unknown; url: string }> {
  const url = `${base.replace(/\/+$/, "")}/resolve/${encodeURIComponent(air)}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new ClipformError("API", `could not fetch ${url}: ${(e as Error).message}`);
  }
  if (res.status === 404) throw new ClipformError("API", `Runware publishes no schema for ${air} (${url} answered 404)`);
  if (!res.ok) throw new ClipformError("API", `${url} answered HTTP ${res.status}`);
  try {
    return { answer: await res.json(), url };
  } catch {
    throw new ClipformError("API", `${url} did not answer JSON`);
  }
}

export async function importCommand(ctx: Context, sub: "import" | "pull", arg: string | undefined, values: Record<string, unknown>): Promise<number> {
  if (!arg) throw new ClipformError("USAGE", sub === "import" ? "usage: clipform models import FILE (Runware's /resolve/<AIR> answer, saved as JSON)" : "usage: clipform models pull AIR");
  let answer: unknown;
  let air: string;
  let url: string;
  if (sub === "pull") {
    air = arg;
    const base = (values["schemas-url"] as string | undefined) ?? ctx.env.RUNWARE_SCHEMAS_URL ?? DEFAULT_SCHEMAS_URL;
    ({ answer, url } = await fetchSchema(base, air));
  } else {
    const path = resolve(ctx.cwd, arg);
    // The file the user names is read as any project file is: regular only, size-capped.
    const text = readProjectText(path, { maxBytes: READ_CAPS.model, shown: arg });
    if (text === undefined) throw new ClipformError("USAGE", `${arg}: no such file`);
    try {
      answer = JSON.parse(text);
    } catch (e) {
      throw new ClipformError("USAGE", `${arg}: not JSON: ${(e as Error).message}`);
    }
    const props = (answer as { requestSchema?: { properties?: { model?: { const?: unknown; enum?: unknown[] } } } }).requestSchema?.properties;
    const named = props?.model?.const ?? props?.model?.enum?.[0];
    if (typeof named !== "string") throw new ClipformError("USAGE", `${arg}: the schema does not name its model (requestSchema.properties.model.const)`);
    air = named;
    url = `file:${arg}`;
  }
  // The file is named from data (a schema's model.const): a name, never a path.
  const name = fileNameOf(air);
  const problem = nameProblem(name);
  if (problem !== undefined) throw new ClipformError("USAGE", `${sub === "pull" ? url : arg}: the model ${JSON.stringify(air.slice(0, 120))} cannot name a file (${name.slice(0, 120)} ${problem}): nothing was written`);
  const today = new Date().toISOString().slice(0, 10);
  let result;
  try {
    result = fromRequestSchema(air, answer, builtinCatalog().get(air), today, url);
  } catch (e) {
    throw new ClipformError("USAGE", `${sub === "pull" ? url : arg}: ${(e as Error).message}`);
  }
  // Pinned in the project's models folder, wherever inside the project the command runs.
  const { root } = findProjectRoot(ctx.cwd);
  const dir = projectModelsDir(root);
  const path = containedPath(dir, name);
  if (path === undefined) throw new ClipformError("USAGE", `${sub === "pull" ? url : arg}: the model ${JSON.stringify(air.slice(0, 120))} cannot name a file (it leaves the models folder): nothing was written`);
  assertRealFolder(root, dir, "the models folder");
  mkdirSync(dir, { recursive: true });
  // Written atomically (a new file renamed over the old): a link planted at the name is replaced, never written through.
  writeFileAtomic(path, JSON.stringify(result.definition, null, 2) + "\n");
  const file = relative(root, path).split(sep).join("/");
  const { diagnostics } = loadProjectCatalog(root, dir);
  const mine = diagnostics.filter((d) => d.file === file);
  for (const d of mine) ctx.err(formatDiagnostic(d));
  ctx.out(`Wrote ${relative(ctx.cwd, path).split(sep).join("/")}: ${air} pinned from ${url}.`);
  for (const n of result.notes) ctx.out(`  note: ${n}`);
  return mine.some((d) => d.severity === "error") ? 1 : 0;
}
