/** An apply engine for a computed plan, as both `apply` and `watch --apply` run it. */
import { randomUUID } from "node:crypto";
import { journalDir } from "../lockfile/journal.js";
import { LockStore } from "../lockfile/store.js";
import type { Planned } from "../pipeline.js";
import { priceBook } from "../plan/prices.js";
import { ApplyEngine } from "./engine.js";
import { Claims } from "./claims.js";
import type { ApiClient, ApplyEvent } from "./types.js";
import type { SpendGate } from "./gate.js";
import { HeapCeiling } from "../util/collect-garbage.js";
import { secureOutputs } from "./outputs.js";

export interface EngineSetup {
  planned: Planned;
  client: ApiClient;
  /** The client talks to the simulator: the lockfile is marked so a real apply never trusts it. */
  simulated: boolean;
  outDir: string;
  concurrency: number;
  pollIntervalMs: number;
  taskTimeoutMs?: number;
  /** The spend gate of this run (openGate): every lifetime budget and the run's own limits. */
  gate: SpendGate;
  emit: (e: ApplyEvent) => void;
}

export function createEngine(s: EngineSetup): ApplyEngine {
  const { planned } = s;
  // Before the engine reads or writes a file: paths and links in the output folder are made safe.
  const removed = secureOutputs(planned.project.root, s.outDir, planned.lock);
  if (removed.length > 0) s.emit({ type: "note", message: `removed ${removed.length} symbolic link(s) or special file(s) from ${s.outDir} (clipform never follows them): ${removed.slice(0, 3).join(", ")}` });
  if (s.simulated) planned.lock.simulated = true;
  const store = new LockStore(planned.lockPath, planned.lock, planned.lockStamp, (message) => s.emit({ type: "note", message }), planned.rescues, {
    root: planned.project.root,
    journalDir: journalDir(planned.lockPath),
    journals: planned.journals,
  });
  const heap = new HeapCeiling();
  const claims = new Claims(planned.lockPath);
  const engine = new ApplyEngine({
    claims,
    root: planned.project.root,
    outDir: s.outDir,
    plan: planned.plan,
    clips: new Map(planned.project.clips.map((c) => [c.address, c])),
    store,
    client: s.client,
    concurrency: s.concurrency,
    pollIntervalMs: s.pollIntervalMs,
    gate: s.gate,
    prices: priceBook(planned.lock, planned.project.catalog),
    now: () => new Date(),
    uuid: randomUUID,
    // The engine's waits are where a big run's heap is kept near its live size (see HeapCeiling).
    sleep: (ms) => {
      const waited = new Promise<void>((r) => setTimeout(r, ms));
      heap.relieve();
      return waited;
    },
    emit: s.emit,
    ...(s.taskTimeoutMs !== undefined ? { taskTimeoutMs: s.taskTimeoutMs } : {}),
  });
  // However the run ends (done, interrupted, a bug), what it recorded goes into the lockfile and
  // its journal is closed; only a crash leaves the journal for the next start to fold in.
  const run = engine.run.bind(engine);
  engine.run = async () => {
    try {
      return await run();
    } finally {
      claims.releaseAll();
      store.close();
    }
  };
  return engine;
}
