/**
 * Polling: one batched request for every task in flight, and what each answer means. A task the
 * API has (any answer but "not found") is never sent again. One it does not know is sent again
 * (same UUID, once) only if it was written ahead and never acknowledged, and recently: an older
 * unknown task may have expired after being paid for, so it fails and the user decides.
 */
import { ClipformError } from "../errors.js";
import type { LockTask } from "../lockfile/schema.js";
import type { RunwareError } from "../runware/errors.js";
import type { PollResult } from "../runware/poll-result.js";
import { errorInfo } from "./error-info.js";
import type { ApiClient, InFlight } from "./types.js";

/** How soon after being recorded an unknown, never-acknowledged task may be sent again. */
export const RESUBMIT_WINDOW_MS = 60 * 60 * 1000;

export type Verdict =
  | { kind: "processing"; flight: InFlight; progress: number | undefined }
  | { kind: "finished"; flight: InFlight; answer: PollResult }
  | { kind: "resend"; flight: InFlight }
  | { kind: "lost"; flight: InFlight };

/**
 * Asks about `ids`. Undefined when trouble outlasted the client's own retries (try again next
 * tick); a refusal that waiting cannot fix (a bad key, no credit) ends the run.
 */
export async function pollAnswers(client: ApiClient, ids: string[]): Promise<Map<string, PollResult> | undefined> {
  try {
    return await client.poll(ids);
  } catch (e) {
    if ((e as RunwareError).retryable !== false) return undefined;
    const info = errorInfo(e);
    throw new ClipformError("API", `polling was refused: ${info.code}: ${info.message}. The ${ids.length} task${ids.length === 1 ? "" : "s"} in flight stay recorded; the next apply resumes them.`);
  }
}

/** What each answer means for its task, in the order asked. Tasks with no answer are left out. */
export function verdicts(
  ids: readonly string[],
  answers: ReadonlyMap<string, PollResult>,
  o: { flight: (id: string) => InFlight; task: (f: InFlight) => Readonly<LockTask> | undefined; resent: ReadonlySet<string>; now: number },
): Verdict[] {
  const out: Verdict[] = [];
  for (const id of ids) {
    const a = answers.get(id);
    if (!a) continue;
    const flight = o.flight(id);
    if (a.status === "processing") out.push({ kind: "processing", flight, progress: a.progress });
    else if (a.status !== "notFound") out.push({ kind: "finished", flight, answer: a });
    else {
      const task = o.task(flight);
      const age = task ? o.now - Date.parse(task.submittedAt) : Infinity;
      const resend = flight.job && !task?.acceptedAt && !o.resent.has(id) && age < RESUBMIT_WINDOW_MS;
      out.push({ kind: resend ? "resend" : "lost", flight });
    }
  }
  return out;
}
