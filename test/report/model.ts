/** Builds a report model from plain data: desired clips × lockfile → plan → report, as the command does. */
import type { Lockfile } from "../../src/lockfile/schema.js";
import type { DesiredClip } from "../../src/manifest/index.js";
import { plan, type FileState } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { reportModel, type ReportModel } from "../../src/report/data.js";

export const ROOT = "/project";

/** Files default to ok: every file recorded in `lock` is on disk unless `files` says otherwise. */
export function modelOf(clips: DesiredClip[], lock: Lockfile, files: Record<string, FileState> = {}, reportDir = ROOT): ReportModel {
  const states = new Map<string, FileState>();
  for (const entry of Object.values(lock.clips)) for (const r of entry.results) if (r.file) states.set(r.file, files[r.file] ?? "ok");
  return reportModel({ clips, lock, plan: plan({ clips, lock, prices: priceBook(lock), files: states }), files: states, root: ROOT, reportDir });
}
