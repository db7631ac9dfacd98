/**
 * `clipform report`: a static HTML gallery of every clip, for `report` to write and `watch` to
 * serve. The page's video sources are relative to the folder the page lives in (or is served
 * from), so it works opened from disk and served over HTTP alike.
 */
import { dirname, relative, resolve, sep } from "node:path";
import { entryKind } from "../util/safe-fs.js";
import { checkResultFiles } from "../lockfile/files.js";
import { computePlan, manifestScope, type Planned } from "../pipeline.js";
import { recordOf, workspaceAt } from "../project/workspace.js";
import { reportModel, type ReportModel } from "./data.js";
import { priceFromBook } from "../lockfile/ledger.js";
import { priceBook } from "../plan/prices.js";
import { renderReportHtml, type RenderOptions } from "./html.js";

export { renderReportHtml, type RenderOptions } from "./html.js";
export { PICK_ENDPOINT, PICK_TOKEN_HEADER, VERSION_ENDPOINT, VERSION_META } from "./client.js";

export const DEFAULT_REPORT_FILE = "clipform-report.html";

export interface ReportOptions extends RenderOptions {
  /** Manifest files or folders (default specs/). */
  paths?: string[];
  /** Where the page is written or served from; default `<root>/clipform-report.html`. */
  outFile?: string;
  /** Show the simulator's record (`.clipform/sim/`) instead of the project's real one. */
  sim?: boolean;
}

/** The report model of an already computed plan (which must cover the whole project: no --target). */
export function reportOf(planned: Planned, outFile?: string, paths: readonly string[] = []): ReportModel {
  const root = planned.project.root;
  return reportModel({
    ...(paths.length ? { inManifestScope: manifestScope(root, paths) } : {}),
    clips: planned.project.clips,
    lock: planned.lock,
    plan: planned.plan,
    // Kept takes' files too: the gallery plays every take, so one can be picked.
    files: checkResultFiles([...Object.values(planned.lock.clips), ...Object.values(planned.lock.takes ?? {})].flatMap((e) => e.results), root),
    root,
    price: priceFromBook(priceBook(planned.lock, planned.project.catalog)),
    reportDir: dirname(resolve(root, outFile ?? DEFAULT_REPORT_FILE)),
    // A film on disk plays, even one the next apply cuts again.
    films: new Map(planned.plan.sequences.map((s) => [s.file, entryKind(resolve(root, s.file)) === "file" ? ("ok" as const) : ("missing" as const)])),
    ...(planned.record.simulated ? { simulated: relative(root, planned.record.lockPath).split(sep).join("/") } : {}),
  });
}

/**
 * The whole page for the project at `root`: loads the manifests and the lockfile, plans, and
 * renders. Throws ClipformError (INVALID_MANIFEST, BAD_LOCKFILE…) as `clipform plan` would.
 */
export function buildReportHtml(root: string, opts: ReportOptions = {}): string {
  const ws = workspaceAt(root);
  const planned = computePlan({ ...ws, record: recordOf(ws, Boolean(opts.sim)) }, { paths: opts.paths ?? [], targets: [], replace: [] });
  return renderReportHtml(reportOf(planned, opts.outFile, opts.paths ?? []), opts);
}
