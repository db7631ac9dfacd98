/**
 * Take and task states, defined once. A task is one request sent to the API for a clip (a take);
 * its status is recorded in the lockfile before the request is sent and updated as it finishes.
 *
 * "In flight" means submitted (or recorded before sending) and not finished: such a task is only
 * ever polled, never sent again and never dropped, because it may already be paid for. Every
 * reader that asks "is this still running?" (plan's resume, prune, merge, the ledger, status,
 * watch) calls `inFlight` instead of comparing the status itself.
 */

/** The statuses a task can have, in the lockfile's order. */
export const TASK_STATUSES = ["submitted", "succeeded", "failed", "partial"] as const;

/**
 * submitted: recorded before sending, or accepted and not finished; succeeded: every result
 * came back; failed: none did; partial: some results failed.
 */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** True while a task may still produce results (and may already be paid for). */
export const inFlight = (t: { status: string }): boolean => t.status === "submitted";

/** True when a task ended with no results. */
export const failedTask = (t: { status: string }): boolean => t.status === "failed";
