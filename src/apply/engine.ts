/**
 * The apply engine: turns a plan into paid generations, files on disk and lockfile entries.
 * It is only the loop; each job is a module: plan → work (work.ts), reuse (reuse.ts), the spend
 * gate (gate.ts: budgets, probes, charges), adaptive concurrency (concurrency.ts), pacing (pacing.ts), sending (send.ts),
 * polling (poll.ts), recording (record.ts) and downloads (downloads.ts).
 *
 * Never pay twice: each task's UUID is recorded durably before the request that spends money
 * leaves; a recorded task is only ever polled again, and a task sent again reuses its UUID.
 * Never pay by surprise: only the plan's changes are executed, and every submission and every
 * charge passes the spend gate.
 */
import type { Change } from "../plan/plan.js";
import { DEFAULT_TASK_TIMEOUT_MS } from "../runware/waiting.js";
import type { Admission, SpendGate } from "./gate.js";
import { AdaptiveLimit } from "./concurrency.js";
import { Downloads } from "./downloads.js";
import { dueForPoll, nextBackoff, nextPollIn, RECENT_DURATIONS } from "./pacing.js";
import { dropClaimedElsewhere } from "./claims.js";
import { pollAnswers, pollTask, verdicts } from "./poll.js";
import { Recorder, reportFinished } from "./record.js";
import { copyAndDeleteFirst, copyAtEnd, copyGeneration, type Snapshot } from "./reuse.js";
import { send, sendContext, SUBMIT_ROUND, type Outgoing, type SendContext } from "./send.js";
import { emptySummary, type ApplySummary, type EngineOptions, type ErrorInfo, type GenJob, type InFlight } from "./types.js";
import { jobOf, networkWork, pulledByOthers, takeOut } from "./work.js";
import { Chains } from "./chain.js";
import { Collecting, resendable, resumedFlights, STILL_COLLECTING } from "./resume.js";
import type { DesiredClip } from "../manifest/index.js";

export class ApplyEngine {
  readonly #o: EngineOptions;
  readonly #pending: GenJob[] = [];
  /** The run's clips, chained ones as sent (with their frames) once they are. */
  readonly #clips: Map<string, DesiredClip>;
  /** Chained clips, held until the clips whose frames they are made from are done. */
  readonly #chains: Chains;
  /** Addresses copied from a generation this run makes, at its end (reuse "later"). */
  readonly #copiedLast = new Set<string>();
  readonly #inflight = new Map<string, InFlight>();
  readonly #s: ApplySummary;
  readonly #gate: SpendGate;
  readonly #limit: AdaptiveLimit;
  readonly #recorder: Recorder;
  readonly #downloads: Downloads;
  /** Clips whose change waits for their earlier request's tasks (resume.ts), and what it reads. */
  readonly #collecting = new Collecting();
  readonly #held: Parameters<Collecting["state"]>[1];
  readonly #send: SendContext;
  #stopping = false;
  #budgetStopped = false;
  /** The latest save's verdict on queued work (watch): see cancelQueued. */
  #obsolete: ((address: string, fingerprint: string) => boolean) | undefined;
  /** Task UUIDs sent again after the API said it did not know them (at most once each). */
  readonly #resent = new Set<string>();
  /** How long this run's latest generations took (at most RECENT_DURATIONS), from send to the poll that saw them finish. */
  readonly #durations: number[] = [];
  /** Task UUIDs in the lockfile when the run started or sent by it: any other came from a foreign write. */
  readonly #knownTasks = new Set<string>();

  constructor(options: EngineOptions) {
    const o = (this.#o = options);
    this.#s = emptySummary(o.plan.summary.estimated_cost_usd);
    this.#gate = o.gate;
    this.#limit = new AdaptiveLimit(o.concurrency);
    this.#clips = new Map(o.clips);
    this.#chains = new Chains({ store: o.store, root: o.root, emit: o.emit, clips: this.#clips, downloading: (a) => this.#downloads.busy(a), copy: (a, from, source) => this.#copy(a, from, source), uuid: o.uuid });
    this.#recorder = new Recorder(o.store, this.#clips, o.now);
    this.#downloads = new Downloads(o, this.#s);
    this.#held = { flying: (t) => this.#inflight.has(t), downloading: (a) => this.#downloads.busy(a), store: o.store };
    this.#send = sendContext(o, {
      recorder: this.#recorder,
      inflight: this.#inflight,
      expected: (job) => this.#gate.expected(job) ?? 0,
      dropObsolete: (items) => this.#dropObsolete(items, (i) => i.job),
      fail: (address, taskUUID, info) => this.#fail(address, taskUUID, info),
      acknowledged: (flight) => this.#acknowledged(flight),
      elsewhere: (items) => o.claims && dropClaimedElsewhere(items, { claims: o.claims, store: o.store, known: this.#knownTasks, skip: (a, r) => this.#skip(a, r) }),
      submitted: (flight) => void (this.#s.submitted++, o.emit({ type: "submitted", address: flight.address, taskUUID: flight.taskUUID, numberResults: flight.job?.count ?? 0, estimateUsd: flight.estimateUsd })),
    });
  }

  /** First Ctrl-C: submit nothing more, keep polling what is in flight and record it. */
  stopSubmitting(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#s.stoppedEarly = true;
    this.#o.emit({ type: "stopping" });
  }

  /** Second Ctrl-C, the process about to exit: every record so far made durable now, not at the next tick. */
  recordNow = (): void => this.#o.store.durable();

  /**
   * Drops queued (not yet submitted) work for which `obsolete` says true, e.g. after a newer save
   * changed the clip. Work already submitted is never cancelled: it is paid for and recorded.
   */
  cancelQueued(obsolete: (address: string, fingerprint: string) => boolean): string[] {
    this.#obsolete = obsolete; // also checked once more just before a batch is written ahead
    return [...this.#dropObsolete(this.#pending, (job) => job), ...this.#dropObsolete(this.#chains.held, (job) => job)].map((job) => job.address);
  }

  /** The API said slow down: halve the generations in flight (grows back one by one). */
  onRateLimited(): void {
    const next = this.#limit.rateLimited();
    if (next !== undefined) this.#o.emit({ type: "concurrency", limit: next, reason: "rate limited (429): halved" });
  }

  async run(): Promise<ApplySummary> {
    const { plan, store, root } = this.#o;
    const clips = this.#clips;
    // A chained clip planned as a copy names its pictures as the plan resolved them (from the record).
    for (const ch of plan.changes) if (ch.action === "reuse") this.#chains.resolveFromRecord(ch.address, plan.changes);
    // Local work first: copies of existing generations (before their old address is dropped),
    // then deletions. A copy made at the end of the run is not done before then: what is made from it waits.
    const later = copyAndDeleteFirst(plan, { store, root, clips, uuid: this.#o.uuid, copy: (ch, source) => this.#copy(ch.address, ch.reuseFrom!, source), deleted: (a) => this.#deleted(a) });
    for (const ch of later) this.#copiedLast.add(ch.address);
    store.flush();

    for (const e of Object.values(store.lock.clips)) for (const t of e.tasks) this.#knownTasks.add(t.taskUUID);
    const work = networkWork(plan, clips, (a) => !this.#copiedLast.has(a) && store.entry(a) !== undefined); // a copy made at the end gets its extra variants then
    for (const job of work.jobs) (job.clip.links ? this.#chains.held : this.#pending).push(job);
    for (const ch of work.resumes) {
      // A chained clip's task is resent (if the API never got it) with the frames it was made from.
      await this.#chains.prepareResume(ch.address);
      this.#resume(ch);
    }
    for (const d of work.downloads) this.#downloads.start(d.address, d.indexes, undefined, d.kept);
    await this.#loop();
    await this.#drain();
    // Copies of what this run made, once their clip's earlier tasks are in; then what they lack.
    for (const ch of later) {
      const go = this.#collecting.state(ch.address, this.#held) === "go";
      const copied = go && copyAtEnd(ch, { store, root, clips, copy: (source) => this.#copy(ch.address, ch.reuseFrom!, source), skip: (why) => this.#skip(ch.address, why) });
      if (!go) this.#skip(ch.address, STILL_COLLECTING);
      // The variants the copy lacks are generated now, appended to it (a chained clip's: by the next apply).
      else if (copied && ch.generate > 0 && !clips.get(ch.address)?.links) this.#pending.push(jobOf(ch, clips, false));
    }
    if (this.#pending.length > 0) await this.#loop();
    // Clips left the manifests while a task was in flight: deleted once it is collected (and copied from).
    for (const ch of plan.changes) if (ch.action === "delete" && ch.resumeTasks?.length && this.#collecting.state(ch.address, this.#held) === "go") this.#deleted(ch.address);
    await this.#drain();
    this.#s.spentUsd = this.#gate.chargedUsd;
    this.#s.countedUsd = this.#gate.countedUsd;
    this.#s.budgetsExceeded = this.#gate.exceeded();
    return this.#s;
  }

  async #loop(): Promise<void> {
    const { pollIntervalMs, sleep, now } = this.#o;
    let backoff = pollIntervalMs;
    while (true) {
      await this.#release();
      const submitted = await this.#submitSome();
      // The journal is folded into the lockfile (when due) here, once the freed slots are filled
      // again: rewriting a big lockfile never stands between a finished task and the next send.
      this.#o.store.flush();
      if (this.#inflight.size === 0) {
        if (this.#stopping || this.#budgetStopped) break;
        if (this.#pending.length > 0) {
          if (!submitted) await this.#downloads.drain(); // a clip waits for its earlier request's videos
          continue;
        }
        if (this.#chains.held.length === 0) break;
        // Only chained clips are left: their upstream videos must be on disk first.
        await this.#downloads.drain();
        if (!(await this.#release())) break;
        continue;
      }
      const since = [...this.#inflight.values()].map((f) => f.since);
      await sleep(nextPollIn({ baseMs: pollIntervalMs, backoffMs: backoff, durations: this.#durations, since, now: now().getTime() }));
      // What the poll recorded is made durable by the next round's write-ahead (or the flush
      // after it): one fsync between a result and the next send, not two.
      const changed = await this.#pollOnce();
      backoff = nextBackoff(backoff, pollIntervalMs, changed || submitted);
    }
    const why = this.#budgetStopped ? "not submitted: the budget would be exceeded" : this.#stopping ? "not submitted: apply was interrupted" : undefined;
    for (const job of this.#pending.splice(0)) this.#skip(job.address, why ?? "not submitted: apply was interrupted");
    for (const job of this.#chains.held.splice(0)) this.#skip(job.address, why ?? "not sent: a clip it is made from is only finished at the end of this run; the next apply makes it");
  }

  /** Queues the chained clips whose upstream clips are done (see Chains.release). */
  #release(): Promise<boolean> {
    // Nothing held (no chained clips): no O(pending + in flight) set built on every tick.
    if (this.#stopping || this.#budgetStopped || this.#chains.held.length === 0) return Promise.resolve(false);
    const busy = new Set<string>([...this.#pending.map((j) => j.address), ...this.#copiedLast]);
    for (const f of this.#inflight.values()) busy.add(f.address);
    return this.#chains.release(busy, (job) => this.#pending.push(job), (address, reason) => this.#skip(address, reason));
  }

  /** Submits pending jobs up to the concurrency limit. Returns whether anything was sent. */
  async #submitSome(): Promise<boolean> {
    if (this.#o.store.rescued && !this.#stopping) {
      // The lockfile cannot take more records (the store said why): submit nothing more.
      this.#stopping = true;
      this.#s.stoppedEarly = true;
    }
    if (this.#stopping || this.#budgetStopped) return false;
    const room = Math.min(this.#limit.value - this.#inflight.size, SUBMIT_ROUND);
    if (room <= 0 || this.#pending.length === 0) return false;
    this.#o.store.sync();
    // Every job passes the spend gate (gate.ts): it goes, waits for work in flight to settle (a
    // price probe, or room near a budget), or nothing more is sent (a budget would be crossed).
    const outgoing: Outgoing[] = [];
    let waited: { scope: string; limitUsd: number } | undefined;
    for (let i = 0; i < this.#pending.length && outgoing.length < room; ) {
      const job = this.#pending[i]!;
      // A fresh generation retires what the clip holds: not while its files are still being fetched.
      const collecting = job.fresh && this.#downloads.busy(job.address) ? "wait" : this.#collecting.state(job.address, this.#held);
      if (collecting !== "go") {
        if (collecting === "wait") i++;
        else this.#skip(this.#pending.splice(i, 1)[0]!.address, STILL_COLLECTING);
        continue;
      }
      if (this.#pulled(job)) {
        this.#pending.splice(i, 1);
        this.#skip(job.address, "not sent: the lockfile gained a task for this very request during this run (a git pull, another machine); the next plan shows it");
        continue;
      }
      const a = this.#gate.admit(job);
      if (!a.go) {
        if ("stop" in a) {
          this.#budgetStop(a);
          break;
        }
        waited = a.wait;
        i++;
        continue;
      }
      this.#pending.splice(i, 1);
      const taskUUID = this.#o.uuid();
      this.#gate.sent(taskUUID, job, a);
      outgoing.push({ job, taskUUID, count: job.count, resend: false });
      if (a.probe) this.#o.emit({ type: "price-probe", address: job.address, model: job.clip.generation.model });
    }
    if (outgoing.length === 0) {
      // Waiting on nothing that can settle (only tasks left running past their deadline): nothing more goes.
      if (waited && this.#inflight.size === 0) this.#budgetStop({ go: false, stop: { ...waited, committedUsd: 0, reason: "waiting" } });
      return false;
    }
    for (const o of outgoing) this.#knownTasks.add(o.taskUUID);
    const sent = await send(this.#send, outgoing);
    // What the gate let go but never left (dropped, unbuildable, refused) commits nothing any more.
    for (const o of outgoing) if (!this.#inflight.has(o.taskUUID)) this.#gate.release(o.taskUUID);
    if (!sent) return false;
    const grown = this.#limit.roundDone();
    if (grown !== undefined) this.#o.emit({ type: "concurrency", limit: grown, reason: "no rate limit: growing back" });
    return true;
  }

  async #pollOnce(): Promise<boolean> {
    const { store, client, now, emit } = this.#o;
    // Only the tasks that may be done by now (all of them until this run has seen one finish):
    // asking about 1,000 tasks in flight every tick would cost O(in flight) per tick.
    const ids = dueForPoll(this.#inflight.values(), { durations: this.#durations, now: now().getTime(), timeoutMs: this.#o.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS });
    if (ids.length === 0) return false;
    // Each task with the count it was sent for: one resumed from an earlier run completes by count too.
    const tasks = ids.map((taskUUID) => pollTask(this.#inflight.get(taskUUID)!, store));
    let answers;
    try {
      answers = await pollAnswers(client, tasks, { until: Math.max(...ids.map((id) => this.#inflight.get(id)!.since)) + (this.#o.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS), now: now().getTime() });
    } catch (e) {
      store.flush();
      throw e;
    }
    if (answers) emit({ type: "polled", tasks: ids.length });
    let changed = false;
    const resend: Outgoing[] = [];
    const seen = verdicts(ids, answers, {
      flight: (id) => this.#inflight.get(id)!,
      task: (f) => store.task(f.address, f.taskUUID),
      resent: this.#resent,
      now: now().getTime(),
      timeoutMs: this.#o.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS,
    });
    for (const v of seen) {
      const { flight } = v;
      // Only an answer that shows the API has the task acknowledges it: silence proves nothing.
      if (v.kind === "finished" || (v.kind === "processing" && v.acknowledged)) this.#acknowledged(flight);
      if (v.kind === "processing") {
        if (v.progress !== undefined) emit({ type: "progress", address: flight.address, progress: v.progress });
      } else if (v.kind === "resend") {
        const out = this.#resendable(flight);
        if (out) resend.push(out);
      } else if (v.kind === "leave") {
        this.#inflight.delete(flight.taskUUID);
        this.#s.stillRunning++;
        emit({ type: "still-running", address: flight.address, taskUUID: flight.taskUUID });
      } else {
        this.#inflight.delete(flight.taskUUID);
        changed = true;
        if (v.kind === "lost") this.#fail(flight.address, flight.taskUUID, { code: "taskNotFound", message: "the API does not know this task (never received, or expired); the next plan will offer to retry it" });
        else {
          this.#durations.push(now().getTime() - flight.since);
          if (this.#durations.length > RECENT_DURATIONS) this.#durations.shift();
          this.#finished(flight, v.answer);
        }
      }
    }
    if (resend.length > 0) await send(this.#send, resend);
    return changed;
  }

  /** A task written ahead but never received by the API: sent again with its UUID if the gate lets it (resume.ts). */
  #resendable(f: InFlight): Outgoing | undefined {
    const out = resendable(f, { gate: this.#gate, stopping: this.#stopping, store: this.#o.store, budgetStop: (a) => this.#budgetStop(a), drop: () => this.#inflight.delete(f.taskUUID), skip: (a, why) => this.#skip(a, why) });
    if (out) this.#resent.add(f.taskUUID);
    return out;
  }

  #resume(ch: Change): void {
    const flights = resumedFlights(ch, this.#clips.get(ch.address), this.#o);
    if (!flights) return;
    this.#collecting.add(ch);
    for (const f of flights) {
      this.#inflight.set(f.taskUUID, f);
      this.#gate.resumed(f.taskUUID, { manifest: f.manifest, generation: f.generation, estimateUsd: f.estimateUsd, count: f.count });
    }
    this.#s.resumed++;
    this.#o.emit({ type: "resumed", address: ch.address, taskUUIDs: ch.resumeTasks ?? [] });
  }

  /**
   * Whether a foreign write (merged in by the store) brought a task for the very request `job`
   * would generate: that work is no longer needed, and sending it would pay twice.
   */
  #pulled(job: GenJob): boolean {
    return pulledByOthers(this.#o.store.entry(job.address), job, this.#knownTasks);
  }

  /** The gate says a budget would be crossed: nothing more is sent, and the first stop is told. */
  #budgetStop(a: Extract<Admission, { stop: unknown }>): void {
    if (!this.#budgetStopped) this.#o.emit({ type: "budget-stop", ...a.stop });
    this.#budgetStopped = true;
  }

  /** Removes (in place) the items whose job the latest save made obsolete; returns them. */
  #dropObsolete<T>(items: T[], jobOf: (item: T) => GenJob): T[] {
    const dropped = this.#obsolete ? takeOut(items, (item) => this.#obsolete!(jobOf(item).address, jobOf(item).clip.fingerprint)) : [];
    for (const item of dropped) this.#skip(jobOf(item).address, "cancelled before submission: a newer save made it obsolete");
    return dropped;
  }

  /** `address` recorded as a copy of the generation `source` holds (named `from`): at $0. */
  #copy(address: string, from: string, source: Snapshot): number {
    const clip = this.#clips.get(address);
    if (!clip) throw new Error(`internal: no desired clip for ${address}`);
    const results = copyGeneration(this.#o, address, clip, source);
    this.#s.reused++;
    this.#o.emit({ type: "reused", address, from, results });
    // The copy's videos whose file is not on this machine (the plan says which): fetched to the clip's paths.
    const missing = this.#o.store.entry(address)?.results.flatMap((r, i) => (r.file ? [] : [i])) ?? [];
    if (missing.length) this.#downloads.start(address, missing);
    return results;
  }

  #deleted(address: string): void {
    this.#o.store.delete(address);
    this.#s.deleted++;
    this.#o.emit({ type: "deleted", address });
  }

  /** The API has the task: record it, and never send it again, whatever a later poll says. */
  #acknowledged(flight: InFlight): void {
    this.#recorder.acknowledged(flight);
    delete flight.job;
  }

  #finished(flight: InFlight, answer: Parameters<Recorder["finished"]>[1]): void {
    // Every result's charge passes the gate, believable or not (then it counts at its estimate).
    const generation = this.#o.clips.get(flight.address)?.generation ?? this.#o.store.entry(flight.address)?.request;
    const settled = this.#gate.settle(flight.taskUUID, answer.items.map((it) => it.cost), generation);
    if (settled.note) this.#o.emit({ type: "note", message: settled.note });
    const r = this.#recorder.finished(flight, answer);
    if (!r) return;
    reportFinished(flight, r, this.#s, this.#o.emit, settled.countedUsd);
    if (r.results.length > 0) this.#downloads.start(flight.address, r.results.map((_, i) => r.first + i), r.inline);
  }

  #fail(address: string, taskUUID: string | undefined, info: ErrorInfo): void {
    if (taskUUID) this.#gate.settle(taskUUID, []);
    this.#recorder.failed(address, taskUUID, info);
    this.#s.failed++;
    this.#o.emit({ type: "failed", address, ...(taskUUID ? { taskUUID } : {}), code: info.code, message: info.message });
  }

  #skip(address: string, reason: string): void {
    this.#s.skipped++;
    this.#o.emit({ type: "skipped", address, reason });
  }

  async #drain(): Promise<void> {
    await this.#downloads.drain();
    this.#o.store.flush();
  }
}
