/** The engine's vocabulary: what it talks to, what it reports, and the work it carries. */
import type { Claims } from "./claims.js";
import type { DesiredClip } from "../manifest/index.js";
import type { LockStore } from "../lockfile/store.js";
import type { Plan } from "../plan/plan.js";
import type { PriceBook, PriceSource } from "../plan/prices.js";
import type { PollResult } from "../runware/poll-result.js";
import type { PollTask, SubmitResult } from "../runware/client.js";
import type { VideoTask } from "./request.js";
import type { BudgetExceeded, BudgetStop, SpendGate } from "./gate.js";

export type { PollTask } from "../runware/client.js";

export interface ApiClient {
  submitVideo(tasks: VideoTask[]): Promise<SubmitResult[]>;
  /** Each task with the numberResults it was sent for: a task is finished by count. */
  poll(tasks: PollTask[]): Promise<Map<string, PollResult>>;
  uploadImage(image: string): Promise<string>;
  download(url: string, dest: string, opts?: { expectedSha256?: string; partKey?: string }): Promise<{ sha256: string; bytes: number }>;
  /** No request or retry runs past `atMs` (by the caller's clock `now`); undefined lifts it. */
  setCutoff?(atMs: number | undefined, now?: number): void;
  /** Ends every request under way and sends nothing more (SIGTERM). */
  stop?(): void;
}

export type ApplyEvent =
  | { type: "reused"; address: string; from: string; results: number }
  | { type: "deleted"; address: string }
  | { type: "submitted"; address: string; taskUUID: string; numberResults: number; estimateUsd: number }
  | { type: "resumed"; address: string; taskUUIDs: string[] }
  | { type: "progress"; address: string; progress: number }
  /** The submit's outcome is unknown: the task stays recorded and is polled, never resent blindly. */
  | { type: "unconfirmed"; address: string; taskUUID: string; message: string }
  /** `costUsd`: believable charges; `countedUsd`: what budgets count (charges, and estimates where none was believable). */
  | { type: "succeeded"; address: string; taskUUID: string; results: number; costUsd: number; countedUsd?: number }
  | { type: "failed"; address: string; taskUUID?: string; code: string; message: string; costUsd?: number; countedUsd?: number }
  | { type: "downloaded"; address: string; file: string; bytes: number }
  | { type: "download-failed"; address: string; file: string; message: string }
  | { type: "skipped"; address: string; reason: string }
  | ({ type: "budget-stop" } & BudgetStop)
  /** Under a budget, a generation sent alone first to learn the real price of its kind. */
  | { type: "price-probe"; address: string; model: string }
  | { type: "concurrency"; limit: number; reason: string }
  /** One polling round: how many tasks it asked about. */
  | { type: "polled"; tasks: number }
  | { type: "stopping" }
  /** Past --task-timeout: the tasks stay recorded in flight (never resent); the next apply collects them. */
  | { type: "still-running"; address: string; taskUUID: string }
  /** A charge the API reported that cannot be believed: recorded with its raw value, never a charge. */
  | { type: "cost-anomaly"; address: string; taskUUID: string; videoUUID: string; raw: string; reason: string; message: string }
  | { type: "note"; message: string }
  /** Results beyond the task's numberResults: refused (never recorded, downloaded or counted), the task marked. */
  | { type: "results-refused"; address: string; taskUUID: string; refused: number; numberResults: number }
  /** A chained clip's frames exist: it is sent now (`extracted`: frames decoded for it this run). */
  | { type: "frames-ready"; address: string; from: string[]; extracted: number }
  /** A sequence's film, cut after the generations (local, free). */
  | { type: "sequence-cut"; name: string; file: string; mode: "copy" | "encode"; members: string[] }
  /** Not cut: some member has no video to cut from yet. */
  | { type: "sequence-skipped"; name: string; reason: string }
  /** The cut failed; every paid record is kept, the earlier film (if any) too. */
  | { type: "sequence-failed"; name: string; message: string };

export interface EngineOptions {
  /** Requests claimed against other applies running at once (see claims.ts). */
  claims?: Claims;
  root: string;
  outDir: string;
  plan: Plan;
  clips: ReadonlyMap<string, DesiredClip>;
  store: LockStore;
  client: ApiClient;
  concurrency: number;
  pollIntervalMs: number;
  /** Every submission passes it, every charge is counted by it (gate.ts; opened by gate-open.ts). */
  gate: SpendGate;
  /** Prices for work the plan did not price (a resumed task that must be sent again). */
  prices: PriceBook;
  now: () => Date;
  uuid: () => string;
  sleep: (ms: number) => Promise<void>;
  emit: (e: ApplyEvent) => void;
  /** Per task: how long apply waits for it before leaving it recorded in flight (default DEFAULT_TASK_TIMEOUT_MS). */
  taskTimeoutMs?: number;
}

export interface ApplySummary {
  succeeded: number;
  failed: number;
  resumed: number;
  reused: number;
  downloaded: number;
  downloadFailed: number;
  deleted: number;
  skipped: number;
  /** Believable charges of this run. */
  spentUsd: number;
  /** What budgets count for this run: charges, and the estimate of every result charged nothing believable. */
  countedUsd: number;
  /** Budgets past their limit when the run ended: which, by how much, why (the exit code is 1 then). */
  budgetsExceeded: BudgetExceeded[];
  estimatedUsd: number;
  submitted: number;
  stoppedEarly: boolean;
  /** Tasks left recorded in flight at their deadline: re-run apply to collect them. */
  stillRunning: number;
  /** Sequence films cut after the generations, and cuts that failed. */
  sequencesCut: number;
  sequencesFailed: number;
}

export function emptySummary(estimatedUsd = 0): ApplySummary {
  return { succeeded: 0, failed: 0, resumed: 0, reused: 0, downloaded: 0, downloadFailed: 0, deleted: 0, skipped: 0, spentUsd: 0, countedUsd: 0, budgetsExceeded: [], estimatedUsd, submitted: 0, stoppedEarly: false, stillRunning: 0, sequencesCut: 0, sequencesFailed: 0 };
}

/** One generation to send: a clip and how many variants. */
export interface GenJob {
  address: string;
  clip: DesiredClip;
  count: number;
  /** replace/create start the entry afresh; add-variants/retry append. */
  fresh: boolean;
  /** undefined: nothing prices it (never counted as $0 against a budget). */
  estimateUsd: number | undefined;
  /** Where the estimate comes from (whatever it is, the spend gate probes a kind under a budget until a charge confirms it). */
  priceSource?: PriceSource;
  /** A reroll of this variant (1-based) alone: its result takes that variant's place. */
  variant?: number;
  /** `--replace` asked for a new take of the whole clip: never answered by a copy of a kept one. */
  forced?: true;
}

/** A task recorded and (maybe) sent, not finished. */
export interface InFlight {
  address: string;
  taskUUID: string;
  estimateUsd: number;
  /** To resend a written-ahead task the API never received; cleared once the API has it. */
  job?: GenJob;
  /** When it was sent (or resumed), in ms since the epoch. */
  since: number;
  /** A reroll of this variant (1-based): kept after the API acknowledges the task. */
  variant?: number;
}

/** A problem as the API (or the client) named it. */
export interface ErrorInfo {
  code: string;
  message: string;
}
