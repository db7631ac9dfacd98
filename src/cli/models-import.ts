/**
 * `clipform models import FILE` and `clipform models pull AIR`: Runware's per-model JSON Schema
 * turned into a definition pinned in the project's models/ folder, then checked the way every
 * project definition is (schemas/model.schema.json, located errors).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { formatDiagnostic } from "../diagnostics.js";
import { ClipformError } from "../errors.js";
import { builtinCatalog } from "../models/catalog.js";
import { loadProjectCatalog, projectModelsDir } from "../manifest/project-models.js";
import { findProjectRoot } from "../project/root.js";
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
    try {
      answer = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw new ClipformError("USAGE", `${arg}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `not JSON: ${(e as Error).message}`}`);
    }
    const props = (answer as { requestSchema?: { properties?: { model?: { const?: unknown; enum?: unknown[] } } } }).requestSchema?.properties;
    const named = props?.model?.const ?? props?.model?.enum?.[0];
    if (typeof named !== "string") throw new ClipformError("USAGE", `${arg}: the schema does not name its model (requestSchema.properties.model.const)`);
    air = named;
    url = `file:${arg}`;
  }
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
  mkdirSync(dir, { recursive: true });
  const path = join(dir, fileNameOf(air));
  writeFileSync(path, JSON.stringify(result.definition, null, 2) + "\n");
  const file = relative(root, path).split(sep).join("/");
  const { diagnostics } = loadProjectCatalog(root, dir);
  const mine = diagnostics.filter((d) => d.file === file);
  for (const d of mine) ctx.err(formatDiagnostic(d));
  ctx.out(`Wrote ${relative(ctx.cwd, path).split(sep).join("/")}: ${air} pinned from ${url}.`);
  for (const n of result.notes) ctx.out(`  note: ${n}`);
  return mine.some((d) => d.severity === "error") ? 1 : 0;
}
