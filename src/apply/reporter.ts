/**
 * Progress of an apply: a live view on a terminal (a progress bar, money spent, the clips in
 * flight), plain one-line events without one (no spinner noise in CI logs), or JSON lines.
 */
import type { Palette } from "../render/colors.js";
import { unitUsd, usd } from "../plan/render.js";
import type { ApplyEvent, ApplySummary } from "./types.js";

export interface Reporter {
  event(e: ApplyEvent): void;
  finish(summary: ApplySummary): void;
}

const short = (uuid: string) => uuid.slice(0, 8);

export function describeEvent(e: ApplyEvent): string | undefined {
  switch (e.type) {
    case "submitted":
      return `submitted   ${e.address}  task ${short(e.taskUUID)} (${e.numberResults} variant${e.numberResults === 1 ? "" : "s"}, est. ${unitUsd(e.estimateUsd)})`;
    case "resumed":
      return `resuming    ${e.address}  polling ${e.taskUUIDs.map(short).join(", ")}`;
    case "succeeded":
      return `succeeded   ${e.address}  ${e.results} result${e.results === 1 ? "" : "s"}, charged ${unitUsd(e.costUsd)}`;
    case "failed":
      return `failed      ${e.address}${e.taskUUID ? `  task ${short(e.taskUUID)}` : ""}: ${e.code}: ${e.message}`;
    case "unconfirmed":
      return `unconfirmed ${e.address}  task ${short(e.taskUUID)}: ${e.message}; it stays recorded and will be polled`;
    case "downloaded":
      return `downloaded  ${e.address}  ${e.file} (${Math.max(1, Math.round(e.bytes / 1024))} KiB)`;
    case "download-failed":
      return `download failed ${e.address}  ${e.file}: ${e.message} (the next plan shows it as a download)`;
    case "reused":
      return `reused      ${e.address}  from ${e.from} (${e.results} result${e.results === 1 ? "" : "s"}, $0)`;
    case "deleted":
      return `deleted     ${e.address}  (dropped from the lockfile; local files kept)`;
    case "skipped":
      return `skipped     ${e.address}: ${e.reason}`;
    case "budget-stop":
      if (e.reason === "unpriced") return `budget      ${e.scope} ${usd(e.limitUsd)}: a generation has no known price, so it cannot be checked against it: submitting nothing more`;
      if (e.reason === "waiting") return `budget      ${e.scope} ${usd(e.limitUsd)}: the rest fits only once the tasks left running settle: submitting nothing more (the next apply sends it)`;
      return `budget      ${e.scope} ${usd(e.limitUsd)} reached (${usd(e.committedUsd)} spent or in flight${e.nextUsd !== undefined ? `; the next generation, expected at ${unitUsd(e.nextUsd)}, would pass it by ${usd(e.overByUsd ?? 0)}` : ""}): submitting nothing more`;
    case "price-probe":
      return `price probe ${e.address}  ${e.model}: its price is not yet confirmed by a charge in this run, so under a budget it goes alone first; the others of its kind wait for its charge`;
    case "concurrency":
      return `concurrency ${e.limit} (${e.reason})`;
    case "note":
      return `note        ${e.message}`;
    case "frames-ready":
      return `frames      ${e.address}  from ${e.from.join(", ")}${e.extracted ? ` (${e.extracted} extracted)` : ""}: sending it now`;
    case "stopping":
      return "interrupted: submitting nothing more; waiting for the generations in flight (Ctrl-C again to quit now; they stay recorded and the next apply resumes them)";
    case "still-running":
      return `still running ${e.address}  task ${short(e.taskUUID)}: past --task-timeout; it stays recorded (re-run apply to collect it)`;
    case "cost-anomaly":
      return `cost anomaly ${e.address}  task ${short(e.taskUUID)}: ${e.message}`;
    case "results-refused":
      return `anomaly     ${e.address}  task ${short(e.taskUUID)}: the API sent ${e.refused} result${e.refused === 1 ? "" : "s"} beyond numberResults ${e.numberResults}: refused (not recorded or downloaded)`;
    case "sequence-cut":
      return `cut         ${e.name}  ${e.file} (${e.members.length} clip${e.members.length === 1 ? "" : "s"}, ${e.mode === "copy" ? "streams copied" : "re-encoded"})`;
    case "sequence-skipped":
      return `not cut     ${e.name}: ${e.reason}`;
    case "sequence-failed":
      return `cut failed  ${e.name}: ${e.message} (every generation is recorded; the next apply cuts it again)`;
    case "progress":
    case "polled":
      return undefined;
  }
}

/** Whether the run left anything undone (the exit code is 1 then). */
export function applyFailed(s: ApplySummary): boolean {
  return s.failed > 0 || s.skipped > 0 || s.downloadFailed > 0 || s.stoppedEarly || s.sequencesFailed > 0 || s.budgetsExceeded.length > 0;
}

/** "budget EXCEEDED --max-cost: spent $1.85 of $1.00 (over by $0.85): why". */
export function exceededText(b: ApplySummary["budgetsExceeded"][number]): string {
  return `budget EXCEEDED ${b.scope}: spent ${usd(b.spentUsd)} of ${usd(b.limitUsd)} (over by ${usd(b.overByUsd)}): ${b.why}`;
}

export function summaryText(s: ApplySummary): string {
  const parts = [`${s.succeeded} succeeded`, `${s.failed} failed`];
  if (s.resumed) parts.push(`${s.resumed} resumed`);
  if (s.reused) parts.push(`${s.reused} reused`);
  if (s.downloaded) parts.push(`${s.downloaded} downloaded`);
  if (s.downloadFailed) parts.push(`${s.downloadFailed} download${s.downloadFailed === 1 ? "" : "s"} failed`);
  if (s.deleted) parts.push(`${s.deleted} deleted`);
  if (s.skipped) parts.push(`${s.skipped} skipped`);
  if (s.stillRunning) parts.push(`${s.stillRunning} still running`);
  if (s.sequencesCut) parts.push(`${s.sequencesCut} sequence${s.sequencesCut === 1 ? "" : "s"} cut`);
  if (s.sequencesFailed) parts.push(`${s.sequencesFailed} cut${s.sequencesFailed === 1 ? "" : "s"} failed`);
  const counted = s.countedUsd > s.spentUsd + 1e-9 ? `; budgets count ${usd(s.countedUsd)}, with the estimates of charges that could not be believed` : "";
  const exceeded = s.budgetsExceeded.map((b) => `\n${exceededText(b)}`).join("");
  return `Apply ${applyFailed(s) ? "finished with problems" : "complete"}: ${parts.join(", ")}. Spent ${usd(s.spentUsd)} (estimated ${usd(s.estimatedUsd)}${counted}).${exceeded}`;
}

/** One line per event: for CI logs and pipes. */
export function lineReporter(write: (line: string) => void): Reporter {
  return {
    event(e) {
      const line = describeEvent(e);
      if (line) write(line);
    },
    finish(s) {
      write(summaryText(s));
    },
  };
}

/** JSON lines: one object per event, then the summary. */
export function jsonReporter(write: (line: string) => void): Reporter {
  return {
    event(e) {
      write(JSON.stringify({ event: e.type, ...e, type: undefined }));
    },
    finish(s) {
      write(JSON.stringify({ event: "summary", ...s }));
    },
  };
}

const BAR_WIDTH = 28;
const MAX_LIVE_ROWS = 8;

/** A live region redrawn in place under the permanent event lines. */
export function liveReporter(stream: { write(s: string): unknown }, color: Palette, total: { generations: number; estimatedUsd: number }): Reporter {
  const inflight = new Map<string, string>();
  let done = 0;
  let spent = 0;
  let drawn = 0;
  const clear = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}F\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    const frac = total.generations ? Math.min(1, done / total.generations) : 1;
    const filled = Math.round(frac * BAR_WIDTH);
    const rows = [
      `${color.green("█".repeat(filled))}${color.dim("░".repeat(BAR_WIDTH - filled))} ${done}/${total.generations} generations · spent ${usd(spent)} of est. ${usd(total.estimatedUsd)} · ${inflight.size} in flight`,
      ...[...inflight].slice(0, MAX_LIVE_ROWS).map(([a, state]) => `  ${color.cyan("●")} ${a}  ${color.dim(state)}`),
    ];
    if (inflight.size > MAX_LIVE_ROWS) rows.push(color.dim(`  … and ${inflight.size - MAX_LIVE_ROWS} more`));
    stream.write(rows.join("\n") + "\n");
    drawn = rows.length;
  };
  return {
    event(e) {
      clear();
      if (e.type === "submitted" || e.type === "resumed") inflight.set(e.address, e.type === "submitted" ? "generating" : "resuming");
      if (e.type === "progress") inflight.set(e.address, `generating ${Math.round(e.progress)}%`);
      if (e.type === "succeeded" || e.type === "failed") {
        inflight.delete(e.address);
        if (e.type === "succeeded") {
          done += e.results;
          spent += e.costUsd;
        }
      }
      const line = describeEvent(e);
      if (line) stream.write((e.type === "failed" ? color.red(line) : line) + "\n");
      draw();
    },
    finish(s) {
      clear();
      stream.write(color.bold(summaryText(s)) + "\n");
    },
  };
}
