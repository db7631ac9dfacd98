/**
 * `clipform watch`: re-validate and re-plan on every save of a manifest, a local image it uses,
 * or the lockfile, and redraw the plan with its cost. An invalid edit shows its errors and the
 * watcher keeps going. With `apply`, changes are applied automatically, within a per-change
 * cost limit and a budget for the whole run; a newer save cancels queued work it made obsolete,
 * never work already submitted.
 */
import { basename, relative, resolve } from "node:path";
import { watch as chokidarWatch, type FSWatcher } from "chokidar";
import type { Palette } from "../render/colors.js";
import { formatDiagnostic, groupRepeated } from "../diagnostics.js";
import type { ApplyEngine } from "../apply/engine.js";
import { applyPlanned } from "../apply/orchestrate.js";
import { projectBudgetOf } from "../apply/gate-open.js";
import { lineReporter } from "../apply/reporter.js";
import type { ApiSession } from "../apply/session.js";
import { ClipformError } from "../errors.js";
import { pickedMessage, recordPick } from "../lockfile/record-pick.js";
import type { Project } from "../manifest/index.js";
import { planAgainstLockfile, type Planned } from "../pipeline.js";
import { defaultConfig } from "../project/config.js";
import { recordOf, type Record } from "../project/workspace.js";
import { GENERATING } from "../plan/actions.js";
import { hasChanges } from "../plan/plan.js";
import { renderText, usd } from "../plan/render.js";
import { reportOf, renderReportHtml } from "../report/index.js";
import type { ReportModel } from "../report/data.js";
import { IncrementalProject, sameStamps } from "./project.js";
import { reportLinks, type ReportLinks } from "./report-links.js";
import { startReportServer, type ReportServer } from "./serve.js";

export const DEFAULT_DEBOUNCE_MS = 40;
const SAFETY_CHECK_MS = 500;

export interface WatchApplyOptions {
  /** Most one change (one save's plan) may cost. */
  maxCostPerChange: number;
  /** Most the whole watch run may spend. */
  budget: number;
  session: ApiSession;
  concurrency: number;
  pollIntervalMs: number;
  outDir: string;
}

export interface WatchOptions {
  root: string;
  /** Path arguments, relative to the root: the scope ([] = the whole project). */
  paths: string[];
  /** The project's manifests, loaded when `paths` is empty (default specs/). */
  manifests?: string[];
  /** The lockfile and videos to read and write (default: the project's real record). */
  record?: Record;
  /** The record is the simulator's: this names it, so the screen says so. */
  simulated?: string;
  debounceMs?: number;
  color: Palette;
  /** On a terminal each update redraws the screen; otherwise updates are printed one after another. */
  tty: boolean;
  write: (text: string) => void;
  apply?: WatchApplyOptions;
  /** Serve the live report on this loopback port (0: any free port). */
  servePort?: number;
}

export class ProjectWatcher {
  readonly #o: WatchOptions;
  readonly #project: IncrementalProject;
  readonly #record: Record;
  #fs: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #updates = 0;
  #images = new Set<string>();
  #running: Promise<void> | undefined;
  #engine: ApplyEngine | undefined;
  #replanAfterRun = false;
  #spent = 0;
  #closed = false;
  #safetyNet: NodeJS.Timeout | undefined;
  /** The files the last update read, as they were when it read them (see #update). */
  #lastStamps = new Map<string, string>();
  /** The last valid plan, for the live report (kept while an edit is broken). */
  #lastGood: Planned | undefined;
  #server: ReportServer | undefined;
  #linked: { planned: Planned; links: ReportLinks } | undefined;
  /** Applying follows the user's saves, never this watcher's own lockfile writes (no retry loops). */
  #userChanged = true;
  /** Resolves after each update has been drawn (for tests and the benchmark). */
  onUpdate: ((n: number) => void) | undefined;

  constructor(options: WatchOptions) {
    this.#o = options;
    this.#project = new IncrementalProject(options.root, options.paths.length ? options.paths : (options.manifests ?? []));
    this.#record = options.record ?? recordOf({ root: options.root, config: defaultConfig() }, false);
  }

  get updates(): number {
    return this.#updates;
  }

  /** Where the live report is served, once started with `servePort`. */
  get reportUrl(): string | undefined {
    return this.#server?.url;
  }

  async start(): Promise<void> {
    const root = this.#project.root;
    const targets = [...this.#project.paths.map((p) => resolve(root, p)), this.#record.lockPath];
    this.#fs = chokidarWatch(targets, { ignoreInitial: true, ignored: (p) => /(^|[/\\])(node_modules|\.git)([/\\]|$)/.test(p) });
    this.#fs.on("all", (_event, path) => this.#changed(String(path)));
    if (this.#o.servePort !== undefined) {
      this.#server = await startReportServer(
        {
          root,
          outDir: resolve(root, this.#o.apply?.outDir ?? this.#record.outDir),
          version: () => String(this.#updates),
          page: (pickToken) => {
            const model = this.#lastGood && this.#reportModel(this.#lastGood);
            return model && renderReportHtml(model, { live: { version: String(this.#updates), ...(pickToken ? { pickToken } : {}) } });
          },
          // What the page links to, and nothing else: every take's files (one can be picked), films, input pictures.
          servable: (rel) => this.#links()?.outputs.has(rel) ?? false,
          inputImage: (rel) => this.#links()?.inputs.has(rel) ?? false,
          pick: (address, take) => this.#pick(address, take),
        },
        this.#o.servePort,
      );
    }
    this.#fs.on("error", (e) => this.#o.write(this.#o.color.red(`watch error: ${(e as Error).message}\n`)));
    await new Promise<void>((r) => this.#fs!.once("ready", () => r()));
    this.#update();
    // File events can be missed (chokidar drops a save made just as watching starts): a cheap
    // check of sizes and mtimes catches whatever the events did not report.
    this.#safetyNet = setInterval(() => {
      if (this.#closed || this.#timer !== undefined || sameStamps(this.#project.diskStamps(this.#images), this.#lastStamps)) return;
      this.#userSaved();
      this.#update();
    }, SAFETY_CHECK_MS);
    this.#safetyNet.unref();
  }

  /** The report of a plan, as the page shows it now; what it links to is kept for the server. */
  #reportModel(planned: Planned): ReportModel {
    const model = reportOf(planned);
    this.#linked = { planned, links: reportLinks(model) };
    return model;
  }

  /** What the page of the last valid plan links to (computed once per plan, and at each page load). */
  #links(): ReportLinks | undefined {
    if (!this.#lastGood) return undefined;
    if (this.#linked?.planned !== this.#lastGood) this.#reportModel(this.#lastGood);
    return this.#linked!.links;
  }

  /**
   * The live page's pick, written as `clipform pick` writes it. `watch --apply` holds the state
   * lock for its whole run, so it refuses while one of its applies runs; otherwise the lock is
   * taken, and an apply elsewhere refuses the pick.
   */
  #pick(address: string, take: number): string {
    if (this.#running) throw new ClipformError("LOCKED", "an apply is running: pick again when it has finished");
    const picked = recordPick({ root: this.#project.root, lockPath: this.#record.lockPath, address, ref: String(take), command: `clipform watch --serve (pick ${address} ${take})`, lockHeld: this.#o.apply !== undefined });
    return pickedMessage(address, picked, this.#record.simulated ? relative(this.#project.root, this.#record.lockPath) : basename(this.#record.lockPath), this.#record.simulated);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#safetyNet);
    await this.#server?.close();
    await this.#fs?.close();
    this.#engine?.stopSubmitting();
    await this.#running;
  }

  #changed(path: string): void {
    if (/\.ya?ml$/i.test(path)) this.#project.invalidate(path);
    if (resolve(path) !== this.#record.lockPath) this.#userSaved();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#update(), this.#o.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  #userSaved(): void {
    this.#userChanged = true;
    if (this.#running) this.#replanAfterRun = true;
  }

  #update(): void {
    if (this.#closed) return;
    const t0 = performance.now();
    const n = ++this.#updates;
    this.#timer = undefined;
    // Taken before loading: a save landing during this update still differs from it.
    const known = this.#images;
    const before = this.#project.diskStamps(known);
    const out: string[] = [];
    let project: Project | undefined;
    let planned: Planned | undefined;
    try {
      project = this.#project.load();
      const read = this.#watchImages(project);
      // The baseline of the safety check holds every file this plan read, or its first check would
      // take an image this load read for the first time (all of them, at start) for a save: with
      // --apply, an apply nobody asked for. Images no longer used leave it.
      for (const f of known) if (!read.has(f)) before.delete(f);
      for (const [f, sha256] of read) if (!before.has(f)) before.set(f, this.#project.stampOfRead(f, sha256));
      const shown = groupRepeated(project.diagnostics);
      const errors = shown.filter((d) => d.severity === "error");
      for (const d of shown) out.push(d.severity === "error" ? this.#o.color.red(formatDiagnostic(d)) : this.#o.color.yellow(formatDiagnostic(d)));
      if (errors.length > 0) {
        out.push("", this.#o.color.red(`${errors.length} problem${errors.length === 1 ? "" : "s"}: fix and save; nothing is planned or applied until then.`));
      } else {
        const budget = projectBudgetOf(project.root);
        const p = planAgainstLockfile(project, { paths: this.#o.paths, targets: [], replace: [], ...(budget !== undefined ? { projectBudget: budget } : {}) }, this.#record);
        planned = p;
        this.#lastGood = p;
        out.push(renderText(p.plan, { color: this.#o.color, manifests: project.manifests.length, clips: project.clips.length, ...(this.#o.simulated ? { simulated: this.#o.simulated } : {}) }).trimEnd());
      }
    } catch (e) {
      if (!(e instanceof ClipformError)) throw e;
      out.push(this.#o.color.red(`error: ${e.message}`));
    }
    this.#lastStamps = before;
    const ms = Math.round(performance.now() - t0);
    const manifests = project?.manifests.length ?? 0;
    const served = this.#server ? ` · report at ${this.#server.url}` : "";
    const status = `watching ${this.#project.paths.join(", ")} (${manifests} manifest${manifests === 1 ? "" : "s"}, ${this.#images.size} image${this.#images.size === 1 ? "" : "s"}) · update #${n} in ${ms} ms · ${new Date().toLocaleTimeString()}${this.#o.apply ? ` · spent this run ${usd(this.#spent)} of ${usd(this.#o.apply.budget)}` : ""}${served} · Ctrl-C to stop`;
    out.push("", this.#o.color.dim(status));
    const frame = out.join("\n") + "\n";
    this.#o.write(this.#o.tty ? `\x1b[2J\x1b[H${frame}` : `\n${frame}`);
    if (planned && this.#o.apply) {
      try {
        this.#maybeApply(planned);
      } catch (e) {
        // A refusal (an unsafe path in the lockfile, say) is shown; the watcher keeps going.
        if (!(e instanceof ClipformError)) throw e;
        this.#o.write(this.#o.color.red(`not applying: ${e.message}\n`));
      }
    }
    this.onUpdate?.(n);
  }

  /** Watches the local images the project uses, and returns them with the content hash this load read. */
  #watchImages(project: Project): Map<string, string | undefined> {
    const read = new Map(project.clips.flatMap((c) => c.frameImages.flatMap((f) => (f.path ? [[f.path, f.sha256] as const] : []))));
    const added = [...read.keys()].filter((p) => !this.#images.has(p));
    const removed = [...this.#images].filter((p) => !read.has(p));
    if (added.length) this.#fs?.add(added);
    if (removed.length) this.#fs?.unwatch(removed);
    this.#images = new Set(read.keys());
    return read;
  }

  /** Applies what this save planned, from the very lockfile it was planned against. */
  #maybeApply(planned: Planned): void {
    const { project, plan, lock, lockExists } = planned;
    const a = this.#o.apply!;
    const say = (line: string) => this.#o.write(`${line}\n`);
    if (this.#running) {
      // A run is going: drop queued work this save made obsolete, and plan again when it ends.
      const wanted = new Map(plan.changes.filter((c) => GENERATING.has(c.action)).map((c) => [c.address, project.clips.find((x) => x.address === c.address)?.fingerprint]));
      const dropped = this.#engine?.cancelQueued((address, fingerprint) => wanted.get(address) !== fingerprint);
      if (dropped?.length) say(`cancelled ${dropped.length} queued generation${dropped.length === 1 ? "" : "s"} made obsolete by this save`);
      return;
    }
    if (!this.#userChanged || !hasChanges(plan)) return;
    this.#userChanged = false;
    const est = plan.summary.estimated_cost_usd;
    const reporter = lineReporter(say);
    const spent = this.#spent;
    this.#running = applyPlanned({
      planned,
      simulated: a.session.simulated,
      // The per-change limit and the run budget: the spend gate adds the project's and the
      // manifests' lifetime budgets itself (actual charges included).
      limits: [
        { scope: "watch --max-cost (per change)", limitUsd: a.maxCostPerChange, refusal: (e) => `this change is estimated at ${usd(e)}, over --max-cost ${usd(a.maxCostPerChange)} per change` },
        { scope: "watch --budget", limitUsd: a.budget - spent, refusal: (e) => `${usd(e)} more would take this run past its --budget of ${usd(a.budget)} (spent ${usd(spent)})` },
      ],
      outDir: a.outDir,
      concurrency: a.concurrency,
      pollIntervalMs: a.pollIntervalMs,
      emit: (e) => {
        // Counted as charges arrive, so a run that fails half-way still counts what it spent; a
        // charge that cannot be believed counts at its estimate, as every budget counts it.
        if (e.type === "succeeded" || e.type === "failed") this.#spent += e.countedUsd ?? e.costUsd ?? 0;
        reporter.event(e);
      },
      connect: async () => {
        say(`applying: ${usd(est)} estimated`);
        return a.session.client;
      },
      started: (engine) => {
        this.#engine = engine;
      },
    })
      .then((summary) => {
        if (summary) reporter.finish(summary);
      })
      .catch((e: unknown) => {
        if (e instanceof ClipformError) say(this.#o.color.yellow(`not applying: ${e.message}`));
        else say(this.#o.color.red(`apply failed: ${(e as Error).message}`));
      })
      .finally(() => {
        this.#engine = undefined;
        this.#running = undefined;
        if (this.#replanAfterRun && !this.#closed) {
          this.#replanAfterRun = false;
          this.#update();
        }
      });
  }
}
