/** An API failure that reaches the CLI boundary is a user-facing error (exit 1), never "internal error". */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { errorEvent } from "../../src/cli/apply-command.js";
import { makeContext } from "../../src/cli/context.js";
import { reportError } from "../../src/cli/main.js";
import { ClipformError } from "../../src/errors.js";
import { RunwareError } from "../../src/runware/errors.js";

async function boundary(e: unknown): Promise<{ exit: number; stderr: string }> {
  const stderr = new PassThrough();
  let text = "";
  stderr.setEncoding("utf8").on("data", (d: string) => (text += d));
  const ctx = makeContext({ cwd: process.cwd(), env: { NO_COLOR: "1" }, stdout: new PassThrough(), stderr, stdin: new PassThrough() });
  const exit = reportError(ctx, e);
  await new Promise((r) => setImmediate(r));
  return { exit, stderr: text };
}

describe("RunwareError", () => {
  const refused = new RunwareError({ kind: "quota", retryable: false, status: 402, code: "insufficientCredits", apiMessage: "Not enough credit." });

  it("is a ClipformError with code API, the API's own code kept apart", () => {
    expect(refused).toBeInstanceOf(ClipformError);
    expect(refused.code).toBe("API");
    expect(refused.apiCode).toBe("insufficientCredits");
    expect(refused.name).toBe("RunwareError");
    expect(JSON.parse(JSON.stringify(refused))).toMatchObject({ name: "RunwareError", code: "insufficientCredits", kind: "quota" });
  });

  it("reaches the CLI boundary as a message and exit 1, not as a bug with a stack", async () => {
    const { exit, stderr } = await boundary(refused);
    expect(exit).toBe(1);
    expect(stderr).toContain("error: Runware API error insufficientCredits: Not enough credit.");
    expect(stderr).not.toContain("internal error");
    expect(errorEvent(refused)).toEqual({ code: "API", message: refused.message });
  });

  it("a plain Error is still a bug (exit 70)", async () => {
    expect((await boundary(new TypeError("x is not a function"))).exit).toBe(70);
  });
});
