import { describe, expect, it } from "vitest";
import {
  BASE_DELAY_MS,
  MAX_BACKOFF_MS,
  MAX_RETRY_AFTER_MS,
  RunwareError,
  backoffDelay,
  classify,
  parseRetryAfter,
} from "../../src/runware/index.js";

describe("classify", () => {
  it.each([
    [400, "invalidWidth", "validation", false],
    [400, "unsupportedDuration", "validation", false],
    [400, "missingPositivePrompt", "validation", false],
    [401, "invalidApiKey", "auth", false],
    [403, undefined, "auth", false],
    [402, undefined, "quota", false],
    [400, "insufficientCredits", "quota", false],
    [400, "notEnoughBalance", "quota", false],
    [400, "monthlyQuotaExceeded", "quota", false],
    [429, "rateLimitExceeded", "rateLimit", true],
    [429, undefined, "rateLimit", true],
    [500, undefined, "server", true],
    [503, "serviceUnavailable", "server", true],
    [504, undefined, "server", true],
    [undefined, "timeoutProvider", "timeout", true],
    [400, "taskNotFound", "notFound", false],
    [undefined, "taskFailedOrNotFound", "notFound", false],
    [409, "conflictTaskUUID", "conflict", false],
    [undefined, "generationFailed", "provider", false],
  ] as const)("HTTP %s, code %s → %s (retryable %s)", (status, code, kind, retryable) => {
    expect(classify(status, code)).toEqual({ kind, retryable });
  });
});

describe("RunwareError", () => {
  it("shows the raw code and message, and serializes its fields", () => {
    const error = new RunwareError({
      kind: "validation",
      retryable: false,
      status: 400,
      code: "unsupportedDuration",
      apiMessage: "Duration 7 is not supported.",
      parameter: "duration",
      allowedValues: [5, 10],
    });
    expect(error.message).toBe('Runware API error unsupportedDuration: Duration 7 is not supported. (HTTP 400; parameter duration; allowed values: 5, 10)');
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: "RunwareError", kind: "validation", code: "unsupportedDuration", parameter: "duration" });
    expect(error).toBeInstanceOf(Error);
  });
});

describe("backoff", () => {
  it("draws uniformly below an exponentially growing, capped ceiling (full jitter)", () => {
    expect(backoffDelay(0, () => 0)).toBe(0);
    expect(backoffDelay(0, () => 0.999_999)).toBe(BASE_DELAY_MS - 1);
    expect(backoffDelay(3, () => 0.5)).toBe(BASE_DELAY_MS * 4);
    expect(backoffDelay(30, () => 0.999_999)).toBeLessThan(MAX_BACKOFF_MS);
    expect(backoffDelay(30, () => 0.999_999)).toBeGreaterThan(MAX_BACKOFF_MS - 1_000);
  });

  it("never waits less than Retry-After, up to its cap", () => {
    expect(backoffDelay(0, () => 0, 2_000)).toBe(2_000);
    expect(backoffDelay(0, () => 0, 10 * MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS);
  });

  it("parses Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(parseRetryAfter("3", now)).toBe(3_000);
    expect(parseRetryAfter(" 1.5 ", now)).toBe(1_500);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
