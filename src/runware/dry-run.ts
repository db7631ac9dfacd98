/**
 * Quotes by dry run: Runware validates and prices a request sent with the dry-run header, and
 * neither runs nor charges it. The reply's shape is not documented, so a cost is read from any
 * item of the task, and one that cannot be a price is reported, never used.
 */
import { countOf } from "./batch.js";
import type { VideoTask } from "./client.js";
import { checkCost, type CostAnomaly } from "./cost.js";
import { isSuccessStatus, type RunwareError } from "./errors.js";
import { answersByTask, apiError, readReply, requestError } from "./reply.js";
import type { Transport } from "./transport.js";

/** Runware's documented dry run: the request is validated and priced, not run, not charged. */
export const DRY_RUN_HEADER = "x-runware-dry-run";

/**
 * The API's price for one task, asked with a dry run:
 * - quoted: what the whole task (all its numberResults) would cost, in USD;
 * - noCost: accepted, but the reply carried no cost (keep the estimate, and say so);
 * - anomaly: the reply carried a cost that cannot be believed (see cost.ts);
 * - rejected: the API would refuse the task: `error` says why (and which parameter);
 * - ran: answered like a real task (acknowledged by its UUID, no price): the dry-run header was
 *   ignored on the way (a proxy, a server), and the task is probably generating and charged.
 */
export type QuoteResult =
  | { taskUUID: string; status: "quoted"; costUsd: number }
  | { taskUUID: string; status: "noCost" }
  | { taskUUID: string; status: "anomaly"; anomaly: CostAnomaly }
  | { taskUUID: string; status: "rejected"; error: RunwareError }
  | { taskUUID: string; status: "ran" };

export async function quoteBatch(transport: Transport, tasks: VideoTask[]): Promise<QuoteResult[]> {
  const exchange = await transport.post(JSON.stringify(tasks), { [DRY_RUN_HEADER]: "1" });
  if (!exchange.ok) throw exchange.error;
  const reply = readReply(exchange);
  const { answers } = answersByTask(reply, tasks.map((t) => t.taskUUID));
  const whole = isSuccessStatus(reply.status) ? undefined : requestError(reply);
  if (whole?.retryable) throw whole;
  return tasks.map((task): QuoteResult => {
    const { taskUUID } = task;
    const answer = answers.get(taskUUID)!;
    if (answer.errors[0]) return { taskUUID, status: "rejected", error: apiError(answer.errors[0], reply) };
    if (whole) return { taskUUID, status: "rejected", error: whole };
    // The reply's shape is not documented: a cost on any item of the task counts, summed.
    let total = 0;
    let priced = false;
    for (const { value } of answer.items) {
      const check = checkCost(value.cost, countOf(task.numberResults));
      if (check === undefined) continue;
      if (!check.ok) return { taskUUID, status: "anomaly", anomaly: check.anomaly };
      total += check.usd;
      priced = true;
    }
    if (priced) return { taskUUID, status: "quoted", costUsd: total };
    // An acknowledgement without a price is what a real submit gets back: money may be spent.
    return answer.items.some(({ value }) => value.taskUUID === taskUUID) ? { taskUUID, status: "ran" } : { taskUUID, status: "noCost" };
  });
}
