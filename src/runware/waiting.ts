/**
 * How long to wait for a task and what to do with each poll answer: a pure decision the apply
 * loop calls per task (see the report for the hook). Two rules above the others: an
 * acknowledged task is never sent again, and every wait ends, leaving what is still running
 * recorded for the next apply to collect.
 *
 * An empty answer for a task (the API says nothing about it: no item, no error) is neither an
 * acknowledgement nor a "not found": the task is polled on, and when the deadline passes it is
 * left recorded in flight, never resent. Only an explicit not-found may lead to a resend, and
 * only for a task the API never acknowledged, within the engine's resend window.
 */
import type { PollResult } from "./poll-result.js";

/** The SDKs give up after 10 (JavaScript) to 20 minutes (TypeScript); Kling can take minutes. */
export const DEFAULT_TASK_TIMEOUT_MS = 20 * 60_000;
/** apply's exit code when tasks were still running at their deadline (sysexits EX_TEMPFAIL: try again later). */
export const EXIT_STILL_RUNNING = 75;

export type WaitStep =
  /** Finished (success, partial or failed): record what it produced. */
  | "record"
  | "poll"
  /** The API does not know a task it never acknowledged: send it again, same UUID, once. */
  | "resend"
  /** The API does not know it and a resend is not allowed: record the failure; plan offers retry. */
  | "fail"
  /** Its deadline passed: stop waiting, keep it recorded in flight (never resent); re-run apply to collect. */
  | "leave";

export interface WaitInput {
  /** This round's answer; undefined when the poll failed (a transient error outlasting retries). */
  answer: PollResult | undefined;
  /** The API has already shown it has the task (an acknowledgement, or any answer but silence and not-found). */
  acknowledged: boolean;
  /** Whether the engine's own rules allow a resend (written ahead recently, not resent yet, within budget). */
  resendAllowed: boolean;
  /** Time since the task was sent, or since this run started waiting for it. */
  waitedMs: number;
  timeoutMs: number;
}

/** Whether an answer proves the API has the task. Silence proves nothing. */
export function acknowledges(answer: PollResult | undefined): boolean {
  return answer !== undefined && answer.status !== "notFound" && answer.silent !== true;
}

export function nextStep(input: WaitInput): WaitStep {
  const { answer } = input;
  if (answer && (answer.status === "success" || answer.status === "error")) return "record";
  if (answer?.status === "notFound") {
    if (input.acknowledged) return input.waitedMs >= input.timeoutMs ? "leave" : "poll";
    return input.resendAllowed ? "resend" : "fail";
  }
  return input.waitedMs >= input.timeoutMs ? "leave" : "poll";
}

/** The closing message when tasks were left running. */
export function stillRunningMessage(count: number, timeoutMs: number): string {
  const minutes = Math.round(timeoutMs / 60_000);
  return (
    `still running: ${count} task${count === 1 ? "" : "s"} did not finish within --task-timeout (${minutes >= 1 ? `${minutes} min` : `${timeoutMs} ms`}). ` +
    `They stay recorded and paid for once: re-run \`clipform apply\` to collect them.`
  );
}

/** Parses --task-timeout: "90s", "15m", "1h" or a number of milliseconds. */
export function parseTaskTimeout(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/.exec(value);
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, min: 60_000, h: 3_600_000 }[match[2] ?? "ms"]!;
  const ms = Math.round(Number(match[1]) * unit);
  return ms > 0 ? ms : undefined;
}
