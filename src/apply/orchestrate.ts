/**
 * The apply policy, once, for `clipform apply` and `watch --apply`: the lockfile must suit the
 * API (simulated or real), the plan must fit every budget before anything is sent, approval
 * comes before connecting, then the engine runs the plan from the very lockfile it was made from.
 */
import { announceFfmpeg } from "../media/ffmpeg.js";
import { ClipformError } from "../errors.js";
import { cutSequences } from "./sequence-films.js";
import { sequencesToCut } from "../plan/sequences.js";
import { readCurrentRecord } from "../lockfile/current.js";
import type { Planned } from "../pipeline.js";
import { NETWORK_ACTIONS } from "../plan/actions.js";
import { hasChanges } from "../plan/plan.js";
import { overBudgetText } from "../plan/render.js";
import { createEngine } from "./create.js";
import { openGate, type RunLimit } from "./gate-open.js";
import type { ApplyEngine } from "./engine.js";
import { checkLockfileKind } from "./session.js";
import type { ApiClient, ApplyEvent, ApplySummary } from "./types.js";

export type { RunLimit } from "./gate-open.js";

export interface ApplyRequest {
  planned: Planned;
  /** Whether the API is the simulator: its records never mix with real ones. */
  simulated: boolean;
  /** The run's own limits only: the gate reads the project's and the manifests' budgets itself. */
  limits: RunLimit[];
  outDir: string;
  concurrency: number;
  pollIntervalMs: number;
  /** Per task: how long to wait before leaving it recorded in flight (default DEFAULT_TASK_TIMEOUT_MS). */
  taskTimeoutMs?: number;
  emit: (e: ApplyEvent) => void;
  /** Shows the plan, once it is known to suit the lockfile. */
  show?: () => void;
  /** Asks for approval (throws to refuse); called only when there is something to do. */
  approve?: () => Promise<void>;
  /** The API, opened only once approved; `needsKey` says whether any change needs the network. */
  connect: (needsKey: boolean) => Promise<ApiClient>;
  /** The engine, as soon as it exists (for Ctrl-C and rate-limit signals). */
  started?: (engine: ApplyEngine) => void;
}


/** Runs a plan under the apply policy; undefined when there was nothing to do. Refusals throw ClipformError. */
export async function applyPlanned(r: ApplyRequest): Promise<ApplySummary | undefined> {
  const { planned } = r;
  const { plan, project } = planned;
  checkLockfileKind(planned.lock, planned.lockExists, r.simulated);
  r.show?.();
  // The spend gate: every budget of the project, its manifests and this run, checked against the
  // plan now and against every submission and charge during the run.
  const { gate, checks } = openGate(planned, r.limits);
  const over = checks.find((c) => !c.ok);
  if (over) throw new ClipformError("BUDGET_EXCEEDED", `${over.refusal ?? overBudgetText(over)}. Nothing was sent.`);
  if (!hasChanges(plan)) return undefined;
  await r.approve?.();
  const needsKey = plan.changes.some((c) => NETWORK_ACTIONS.has(c.action) || (c.resumeTasks?.length ?? 0) > 0 || (c.action === "reuse" && (c.generate > 0 || (c.downloads?.length ?? 0) > 0)));
  const client = await r.connect(needsKey);
  const engine = createEngine({
    planned,
    client,
    simulated: r.simulated,
    outDir: r.outDir,
    concurrency: r.concurrency,
    pollIntervalMs: r.pollIntervalMs,
    ...(r.taskTimeoutMs !== undefined ? { taskTimeoutMs: r.taskTimeoutMs } : {}),
    gate,
    emit: r.emit,
  });
  r.started?.(engine);
  const summary = await engine.run();
  // The films last: from the lockfile as the run left it, every paid record already written. Read
  // again only when there are films to cut: a big lockfile parsed a second time is the largest
  // allocation of a run, and would set its peak memory.
  const sequences = sequencesToCut(plan, project.sequences);
  if (sequences.length > 0) announceFfmpeg(r.emit);
  const films =
    sequences.length === 0
      ? { cut: 0, failed: 0 }
      : await cutSequences({ root: project.root, record: planned.record, outDir: r.outDir, sequences, lock: readCurrentRecord(planned.lockPath).lock, emit: r.emit });
  return { ...summary, sequencesCut: films.cut, sequencesFailed: films.failed };
}
