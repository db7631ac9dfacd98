/** The per-task wait decision: pure, so every case is a row. */
import { describe, expect, it } from "vitest";
import { acknowledges, nextStep, parseTaskTimeout, stillRunningMessage, type WaitInput } from "../../src/runware/waiting.js";
import type { PollResult } from "../../src/runware/index.js";

const running: PollResult = { status: "processing", items: [] };
const silent: PollResult = { status: "processing", items: [], silent: true };
const done: PollResult = { status: "success", items: [{ videoUUID: "v", videoURL: "https://x/v.mp4" }] };
const failed: PollResult = { status: "error", items: [] };
const notFound: PollResult = { status: "notFound", items: [] };
const base: WaitInput = { answer: running, acknowledged: true, resendAllowed: true, waitedMs: 1_000, timeoutMs: 60_000 };

describe("nextStep", () => {
  const rows: [string, Partial<WaitInput>, string][] = [
    ["finished: record", { answer: done }, "record"],
    ["failed: record", { answer: failed }, "record"],
    ["finished after the deadline: still recorded", { answer: done, waitedMs: 99_999 }, "record"],
    ["running: poll", {}, "poll"],
    ["running past the deadline: leave it recorded", { waitedMs: 60_000 }, "leave"],
    ["no answer this round: poll", { answer: undefined }, "poll"],
    ["no answer past the deadline: leave", { answer: undefined, waitedMs: 61_000 }, "leave"],
    ["silent, never acknowledged: poll, never resend", { answer: silent, acknowledged: false }, "poll"],
    ["silent past the deadline: leave, never resend", { answer: silent, acknowledged: false, waitedMs: 70_000 }, "leave"],
    ["not found, never acknowledged, resend allowed: resend", { answer: notFound, acknowledged: false }, "resend"],
    ["not found, never acknowledged, resend not allowed: fail", { answer: notFound, acknowledged: false, resendAllowed: false }, "fail"],
    ["not found after an acknowledgement: never resent, keep polling", { answer: notFound }, "poll"],
    ["not found after an acknowledgement, past the deadline: leave", { answer: notFound, waitedMs: 60_000 }, "leave"],
  ];
  for (const [name, input, step] of rows) it(name, () => expect(nextStep({ ...base, ...input })).toBe(step));
});

describe("helpers", () => {
  it("counts only real answers as acknowledgements", () => {
    expect([running, silent, done, failed, notFound, undefined].map(acknowledges)).toEqual([true, false, true, true, false, false]);
  });

  it("parses --task-timeout", () => {
    expect(["90s", "15m", "1h", "2500", "0.5s", "0", "soon", "-5s"].map(parseTaskTimeout)).toEqual([90_000, 900_000, 3_600_000, 2_500, 500, undefined, undefined, undefined]);
  });

  it("tells the user how to collect what is still running", () => {
    expect(stillRunningMessage(2, 900_000)).toBe(
      "still running: 2 tasks did not finish within --task-timeout (15 min). They stay recorded and paid for once: re-run `clipform apply` to collect them.",
    );
  });
});
