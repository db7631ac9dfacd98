/** `clipform prune [--target GLOB] [--dry-run]`: drop kept takes that are not live (lockfile/live.ts), showing what each cost. */
import { rmSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { TAKES_DIR } from "../core/layout.js";
import { containedPath, isInside } from "../core/paths.js";
import { ClipformError } from "../errors.js";
import { linkOnTheWay } from "../util/safe-fs.js";
import { acquireStateLock, describeHolder } from "../lockfile/statelock.js";
import { writeFileAtomic, serializeLockfile } from "../lockfile/io.js";
import { readCurrentRecord, settleJournals } from "../lockfile/current.js";
import { planPrune, type PrunePlan } from "../lockfile/prune.js";
import { LIVE_REASONS, LIVE_WORDS } from "../lockfile/live.js";
import { readSequenceRecord, sequenceRecordPath } from "../media/sequence-record.js";
import { priceFromBook } from "../lockfile/ledger.js";
import { priceBook } from "../plan/prices.js";
import { loadProjectCatalog } from "../manifest/project-models.js";
import { takeDir } from "../lockfile/takes.js";
import { openWorkspace } from "../project/workspace.js";
import { usd } from "../plan/render.js";
import { countResults } from "../images/kind.js";
import { matchesAny } from "../util/glob.js";
import type { Command } from "./commands.js";

/** "2 kept takes are live, so kept: first-light (picked); arrival (a film was cut from it)." Counted by reason past three. */
export function keptLive(live: PrunePlan["live"]): string {
  const head = `${live.length} kept take${live.length === 1 ? " is" : "s are"} live, so kept`;
  if (live.length <= 3) return `${head}: ${live.map((l) => `${l.address} (${l.reasons.map((r) => LIVE_WORDS[r]).join(", ")})`).join("; ")}.`;
  const counts = LIVE_REASONS.map((r) => [r, live.filter((l) => l.reasons.includes(r)).length] as const).filter(([, n]) => n > 0);
  return `${head}: ${counts.map(([r, n]) => `${n} ${LIVE_WORDS[r]}`).join(", ")}.`;
}

export const pruneCommand: Command = {
  usage: "[--target GLOB] [--dry-run] [--sim]",
  options: {
    target: { type: "string", multiple: true, arg: "GLOB", help: "only takes generated for addresses matching GLOB (repeatable)" },
    "dry-run": { type: "boolean", help: "show what would be dropped, change nothing" },
    sim: { type: "boolean", help: "the simulator's record (apply --sim's), not the real one" },
  },
  async run(ctx, values) {
    const targets = (values.target as string[] | undefined) ?? [];
    const dry = Boolean(values["dry-run"]);
    // The project's root and record, wherever inside the project it runs.
    const ws = openWorkspace(ctx.cwd, { sim: Boolean(values.sim) });
    const lock = dry ? undefined : acquireStateLock(ws.root, "clipform prune");
    if (lock?.tookOver) ctx.err(`note: took over a stale state lock (${describeHolder(lock.tookOver)}: that process is gone)`);
    try {
      const path = ws.record.lockPath;
      // Whatever an interrupted apply left in its journal is part of the record pruned.
      const record = readCurrentRecord(path);
      const { lock: current } = record;
      const exists = record.exists || record.journals.length > 0;
      // A take whose charge is unknown keeps its estimate in the ledger: learned prices, else the
      // project's catalog (its own models included), as plan and status price it.
      const price = priceFromBook(priceBook(current, loadProjectCatalog(ws.root).catalog));
      // The videos the films were last cut from are live: a film is never left without its takes.
      const films = Object.values(readSequenceRecord(sequenceRecordPath(ws.root, ws.record))).flatMap((s) => s.videos);
      const p = planPrune(current, { now: new Date(), price, films, ...(targets.length ? { match: (a: string) => matchesAny(a, targets) } : {}) });
      for (const u of p.unpriced) {
        ctx.err(`kept take ${takeDir(u.fingerprint)} of ${u.address}: a charge of it is unknown and no price estimates it, so pruning would record it as $0 (add the model's price to the catalog to prune it)`);
      }
      if (p.dropped.length === 0) {
        ctx.out(p.unpriced.length > 0 ? "Nothing pruned." : `Nothing to prune.${p.live.length ? ` ${keptLive(p.live)}` : ""}`);
        return 0;
      }
      for (const d of p.dropped) {
        ctx.out(`${dry ? "would drop" : "dropped"} take ${takeDir(d.fingerprint)} of ${d.address}: ${d.tasks} task${d.tasks === 1 ? "" : "s"}, ${countResults(d.results, d.kind)}, cost ${usd(d.costUsd)}${d.files.length ? `, ${d.files.length} file${d.files.length === 1 ? "" : "s"}` : ""}`);
      }
      ctx.out(`${dry ? "Would prune" : "Pruned"} ${p.dropped.length} take${p.dropped.length === 1 ? "" : "s"} that cost ${usd(p.totalUsd)}. Lifetime spend still counts it; what ${p.dropped.length === 1 ? "it" : "they"} made cannot be reused without paying again.`);
      if (p.live.length) ctx.out(keptLive(p.live));
      if (dry || !exists) return 0;
      // The files come from the lockfile: only one inside a takes folder of the output folder is removed.
      const files = p.dropped.flatMap((d) => d.files);
      const unsafe = files.filter((f) => takeFileToRemove(ws.root, ws.record.outDir, f) === undefined);
      if (unsafe.length > 0) {
        throw new ClipformError(
          "UNSAFE_PATH",
          `${basename(path)} names files of kept takes outside the takes folders of ${ws.record.outDir} (${unsafe.slice(0, 3).map((f) => JSON.stringify(f.slice(0, 120))).join(", ")}${unsafe.length > 3 ? `, and ${unsafe.length - 3} more` : ""}): clipform removes no other file. Nothing was pruned or removed; restore the lockfile from git.`,
        );
      }
      writeFileAtomic(path, serializeLockfile({ ...p.lock, serial: current.serial + 1 }));
      settleJournals(record);
      // Only files at a per-take path are removed: a clip's own file names are never touched.
      for (const f of files) {
        const abs = takeFileToRemove(ws.root, ws.record.outDir, f);
        if (abs !== undefined) rmSync(abs, { force: true });
      }
      return 0;
    } finally {
      lock?.release();
    }
  },
};

/**
 * The absolute path of a kept take's file prune may remove, or undefined: inside the output
 * folder, under a takes folder there, with no link on the way.
 */
function takeFileToRemove(root: string, outDir: string, file: string): string | undefined {
  const abs = containedPath(root, file);
  const base = resolve(root, outDir);
  if (abs === undefined || !isInside(base, abs)) return undefined;
  if (!relative(base, abs).split(sep).slice(0, -1).includes(TAKES_DIR)) return undefined;
  return linkOnTheWay(root, abs) === undefined ? abs : undefined;
}
