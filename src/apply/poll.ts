/**
 * Polling: one batched request for every task in flight, and what each answer means (the rules
 * are waiting.ts's nextStep). A task the API has shown it has is never sent again; one it does
 * not know is sent again (same UUID, once) only if it was written ahead and never acknowledged,
 * and recently: an older unknown task may have expired after being paid for, so it fails and the
 * user decides. Silence (an empty answer) proves nothing: the task is polled on. Every wait ends
 * at the task's deadline, leaving the task recorded in flight for the next apply.
 */
import { ClipformError } from "../errors.js";
import type { LockTask } from "../lockfile/schema.js";
import type { LockStore } from "../lockfile/store.js";
import { RunwareError } from "../runware/errors.js";
import type { PollResult } from "../runware/poll-result.js";
import { acknowledges, nextStep } from "../runware/waiting.js";
import { errorInfo } from "./error-info.js";
import type { ApiClient, InFlight, PollTask } from "./types.js";

/** How soon after being recorded an unknown, never-acknowledged task may be sent again. */
export const RESUBMIT_WINDOW_MS = 60 * 60 * 1000;

export type Verdict =
  | { kind: "processing"; flight: InFlight; progress: number | undefined; acknowledged: boolean }
  | { kind: "finished"; flight: InFlight; answer: PollResult }
  | { kind: "resend"; flight: InFlight }
  | { kind: "lost"; flight: InFlight }
  /** Past its deadline: stays recorded in flight (never resent); the next apply collects it. */
  | { kind: "leave"; flight: InFlight };

/**
 * Asks about `tasks`. Undefined when API trouble outlasted the client's own retries (try again
 * next tick); a refusal that waiting cannot fix (a bad key, no credit) ends the run. Anything
 * but an API error is a bug and propagates as one: it is never retried as if the network failed.
 */
export async function pollAnswers(client: ApiClient, tasks: PollTask[], deadline?: { until: number; now: number }): Promise<Map<string, PollResult> | undefined> {
  // No poll (with its retries) outlasts the last of these tasks' deadlines: a server trickling its
  // answer a byte at a time, or never answering, cannot keep the run waiting past --task-timeout.
  client.setCutoff?.(deadline?.until, deadline?.now);
  try {
    return await client.poll(tasks);
  } catch (e) {
    if (!(e instanceof RunwareError)) throw e;
    if (e.retryable) return undefined;
    const info = errorInfo(e);
    const n = tasks.length;
    throw new ClipformError("API", `polling was refused: ${info.code}: ${info.message}. The ${n} task${n === 1 ? "" : "s"} in flight stay recorded; the next apply resumes them.`);
  }
}

export interface VerdictContext {
  flight: (id: string) => InFlight;
  task: (f: InFlight) => Readonly<LockTask> | undefined;
  resent: ReadonlySet<string>;
  now: number;
  /** Per task: how long after it was sent (or resumed) apply stops waiting for it. */
  timeoutMs: number;
}

/**
 * What each answer means for its task, in the order asked. `answers` is undefined when the poll
 * failed this round: then only deadlines are checked.
 */
export function verdicts(ids: readonly string[], answers: ReadonlyMap<string, PollResult> | undefined, o: VerdictContext): Verdict[] {
  const out: Verdict[] = [];
  for (const id of ids) {
    const a = answers?.get(id);
    const flight = o.flight(id);
    const task = o.task(flight);
    const age = task ? o.now - Date.parse(task.submittedAt) : Infinity;
    const acknowledged = Boolean(task?.acceptedAt) || acknowledges(a);
    const step = nextStep({
      answer: a,
      acknowledged,
      resendAllowed: Boolean(flight.job) && !task?.acceptedAt && !o.resent.has(id) && age < RESUBMIT_WINDOW_MS,
      waitedMs: o.now - flight.since,
      timeoutMs: o.timeoutMs,
    });
    // An acknowledged task the API says it does not know has expired or was never kept: it fails
    // at once (the plan offers a retry, with its cost); it is never sent again.
    if (a?.status === "notFound" && acknowledged) out.push({ kind: "lost", flight });
    else if (step === "record") out.push({ kind: "finished", flight, answer: a! });
    else if (step === "resend") out.push({ kind: "resend", flight });
    else if (step === "fail") out.push({ kind: "lost", flight });
    else if (step === "leave") out.push({ kind: "leave", flight });
    else out.push({ kind: "processing", flight, progress: a?.progress, acknowledged: acknowledges(a) });
  }
  return out;
}

/** A task as polled, with the count it was sent for: one resumed from an earlier run completes by count too. */
export function pollTask(f: InFlight, store: LockStore): PollTask {
  const numberResults = store.task(f.address, f.taskUUID)?.numberResults ?? f.job?.count;
  return numberResults === undefined ? { taskUUID: f.taskUUID } : { taskUUID: f.taskUUID, numberResults };
}
