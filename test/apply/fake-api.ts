/**
 * An in-process API and clock for driving the apply engine without HTTP or real time: the clock
 * moves only when the engine sleeps, and the API finishes a task `latencyMs` after it was sent.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ApplyEngine } from "../../src/apply/engine.js";
import type { ApplyEvent } from "../../src/apply/types.js";
import { SpendGate, type GateScope } from "../../src/apply/gate.js";
import type { VideoTask } from "../../src/apply/request.js";
import type { ApiClient, PollTask } from "../../src/apply/types.js";
import type { DesiredClip } from "../../src/manifest/index.js";
import { readLockfile, serializeLockfile } from "../../src/lockfile/io.js";
import type { Lockfile } from "../../src/lockfile/schema.js";
import { journalDir } from "../../src/lockfile/journal.js";
import { LockStore } from "../../src/lockfile/store.js";
import { plan as makePlan } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import type { PollResult } from "../../src/runware/poll-result.js";
import type { SubmitResult } from "../../src/runware/client.js";
import { RunwareError } from "../../src/runware/errors.js";
import { fileStamp } from "../../src/util/stamp.js";

export const PRICE = 0.1848;

export class FakeClock {
  t = Date.parse("2026-01-01T00:00:00Z");
  now = () => new Date(this.t);
  sleep = async (ms: number) => {
    this.t += ms;
  };
}

export class FakeApi implements ApiClient {
  readonly tasks = new Map<string, { at: number; numberResults: number; done: boolean }>();
  submits: string[] = [];
  polls = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Called with each submit, before the API takes it (to look at the disk then). */
  onSubmit: ((tasks: VideoTask[]) => void) | undefined;
  /** Task UUIDs whose next submit fails in transit (the API never receives them). */
  readonly lose = new Set<string>();
  /** The next submit request throws a network error after the API took its tasks. */
  failNextSubmitAfterTaking = false;
  /** Every poll request, as the engine asked it (task UUIDs with their counts). */
  readonly polled: PollTask[][] = [];
  /**
   * Finished variants appear one per latency period, with no placeholder for the others; like
   * the client, a task polled without its count is finished as soon as nothing is listed running.
   */
  oneByOne = false;
  /** An unknown task gets an empty answer (silence), not "not found". */
  silentUnknown = false;
  /** What each result is charged (per result); a function to vary it by task. */
  cost: number | ((taskUUID: string) => number | undefined) = PRICE;
  /** Replaces a finished result's fields, e.g. to send a cost anomaly or inline data. */
  decorate: ((item: PollResult["items"][number], taskUUID: string) => PollResult["items"][number]) | undefined;

  constructor(
    private readonly clock: FakeClock,
    readonly latencyMs = 5_000,
  ) {}

  async submitVideo(tasks: VideoTask[]): Promise<SubmitResult[]> {
    this.onSubmit?.(tasks);
    const out: SubmitResult[] = [];
    for (const t of tasks) {
      this.submits.push(t.taskUUID);
      if (this.lose.delete(t.taskUUID)) continue;
      if (this.tasks.has(t.taskUUID)) {
        out.push({ taskUUID: t.taskUUID, status: "rejected", error: new RunwareError({ kind: "validation", retryable: false, message: "duplicate taskUUID" }) });
        continue;
      }
      this.tasks.set(t.taskUUID, { at: this.clock.t, numberResults: Number(t.numberResults ?? 1), done: false });
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      out.push({ taskUUID: t.taskUUID, status: "accepted" });
    }
    if (this.failNextSubmitAfterTaking || out.length < tasks.length) {
      this.failNextSubmitAfterTaking = false;
      throw new RunwareError({ kind: "network", retryable: true, message: "socket hang up" });
    }
    return out;
  }

  async poll(tasks: PollTask[]): Promise<Map<string, PollResult>> {
    this.polls++;
    this.polled.push(tasks.map((t) => ({ ...t })));
    const out = new Map<string, PollResult>();
    for (const { taskUUID: id, numberResults } of tasks) {
      const t = this.tasks.get(id);
      if (!t) {
        out.set(id, this.silentUnknown ? { status: "processing", items: [], silent: true } : { status: "notFound", items: [] });
        continue;
      }
      const ready = this.oneByOne ? Math.min(t.numberResults, Math.floor((this.clock.t - t.at) / this.latencyMs)) : this.clock.t < t.at + this.latencyMs ? 0 : t.numberResults;
      const items = Array.from({ length: ready }, (_, i) => this.item(id, i));
      const finished = this.oneByOne ? ready >= (numberResults ?? 1) : ready === t.numberResults;
      if (!finished) out.set(id, { status: "processing", items });
      else {
        if (!t.done) this.inFlight--;
        t.done = true;
        out.set(id, { status: "success", items });
      }
    }
    return out;
  }

  private item(id: string, i: number): PollResult["items"][number] {
    const cost = typeof this.cost === "function" ? this.cost(id) : this.cost;
    const it = { videoUUID: `${id.slice(0, 8)}-v${i}`, videoURL: `https://fake.invalid/${id}/${i}.mp4`, seed: i, ...(cost !== undefined ? { cost } : {}) };
    return this.decorate ? this.decorate(it, id) : it;
  }

  async uploadImage(): Promise<string> {
    return randomUUID();
  }

  async download(url: string, dest: string): Promise<{ sha256: string; bytes: number }> {
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, url);
    return { sha256: createHash("sha256").update(url).digest("hex"), bytes: Buffer.byteLength(url) };
  }
}

export interface Rig {
  dir: string;
  lockPath: string;
  api: FakeApi;
  clock: FakeClock;
  events: ApplyEvent[];
  engine: ApplyEngine;
  onDisk(): Lockfile;
  cleanup(): void;
}

/** An engine over a temp project, planned from `clips` against `lock`. */
export function rig(clips: DesiredClip[], lock: Lockfile, o: {
    concurrency?: number;
    budgets?: GateScope[];
    api?: (clock: FakeClock) => FakeApi;
    taskTimeoutMs?: number;
    /** Records go through a journal under .clipform/, as a real apply's do. */
    journal?: boolean;
    /** Sees each event as it is emitted, while the engine is still in the step that emitted it. */
    onEvent?: (e: ApplyEvent, engine: ApplyEngine) => void;
    /** Planned as `apply --replace ADDR…`. */
    replace?: string[];
  } = {}): Rig {
  const dir = mkdtempSync(join(tmpdir(), "clipform-engine-"));
  const lockPath = join(dir, "clipform.lock.json");
  writeFileSync(lockPath, serializeLockfile(lock));
  const clock = new FakeClock();
  const api = o.api ? o.api(clock) : new FakeApi(clock);
  const events: ApplyEvent[] = [];
  const prices = priceBook(lock);
  const p = makePlan({ clips, lock, prices, files: new Map(), ...(o.replace ? { replace: o.replace } : {}) });
  let n = 0;
  const engine = new ApplyEngine({
    root: dir,
    outDir: "out",
    plan: p,
    clips: new Map(clips.map((c) => [c.address, c])),
    store: new LockStore(lockPath, readLockfile(lockPath).lock, fileStamp(lockPath), undefined, [], o.journal ? { root: dir, journalDir: journalDir(lockPath) } : {}),
    client: api,
    concurrency: o.concurrency ?? 8,
    pollIntervalMs: 1_000,
    gate: new SpendGate(o.budgets ?? []),
    prices,
    now: clock.now,
    uuid: () => `00000000-0000-4000-9000-${String(++n).padStart(12, "0")}`,
    sleep: clock.sleep,
    emit: (e) => {
      events.push(e);
      o.onEvent?.(e, engine);
    },
    ...(o.taskTimeoutMs !== undefined ? { taskTimeoutMs: o.taskTimeoutMs } : {}),
  });
  return { dir, lockPath, api, clock, events, engine, onDisk: () => readLockfile(lockPath).lock, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
