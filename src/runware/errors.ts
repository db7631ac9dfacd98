/**
 * Every failure the Runware client reports is a RunwareError: a kind the caller can branch on,
 * whether retrying can help, and the raw code and message from the API for the user. It is a
 * ClipformError (code "API"): one that reaches the CLI boundary is told as a message, exit 1,
 * never as an internal error, so no call site converts it by hand.
 * Nothing in here ever sees the API key: the transport redacts every response body and socket
 * error message before any of it can reach an error.
 */
import { ClipformError } from "../errors.js";
import { redactorFor, registerSecret } from "../util/secrets.js";

export type RunwareErrorKind =
  | "validation"
  | "auth"
  | "quota"
  | "rateLimit"
  | "provider"
  | "timeout"
  | "notFound"
  | "conflict"
  | "server"
  | "network"
  | "protocol";

export interface RunwareErrorInit {
  kind: RunwareErrorKind;
  retryable: boolean;
  /** Shown to users; built from the other fields when absent. */
  message?: string;
  status?: number;
  code?: string;
  apiMessage?: string;
  parameter?: string | string[];
  taskUUID?: string;
  allowedValues?: unknown[];
  retryAfterMs?: number;
}

export class RunwareError extends ClipformError {
  override readonly name = "RunwareError";
  readonly kind: RunwareErrorKind;
  readonly retryable: boolean;
  /** HTTP status of the response that carried the error, if any. */
  readonly status?: number;
  /** Raw error code from the API (or the socket error code for network failures); `code` is clipform's ("API"). */
  readonly apiCode?: string;
  /** Raw message from the API. */
  readonly apiMessage?: string;
  readonly parameter?: string | string[];
  readonly taskUUID?: string;
  readonly allowedValues?: unknown[];
  readonly retryAfterMs?: number;

  constructor(init: RunwareErrorInit) {
    super("API", init.message ?? describe(init));
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.status = init.status;
    this.apiCode = init.code;
    this.apiMessage = init.apiMessage;
    this.parameter = init.parameter;
    this.taskUUID = init.taskUUID;
    this.allowedValues = init.allowedValues;
    this.retryAfterMs = init.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      retryable: this.retryable,
      status: this.status,
      code: this.apiCode,
      apiMessage: this.apiMessage,
      parameter: this.parameter,
      taskUUID: this.taskUUID,
      allowedValues: this.allowedValues,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

function describe(init: RunwareErrorInit): string {
  const head = init.code ? `Runware API error ${init.code}` : `Runware API error (${init.kind})`;
  const details = [
    init.status !== undefined && !isSuccessStatus(init.status) ? `HTTP ${init.status}` : undefined,
    init.parameter !== undefined ? `parameter ${[init.parameter].flat().join(", ")}` : undefined,
    init.allowedValues ? `allowed values: ${init.allowedValues.map((v) => JSON.stringify(v)).join(", ")}` : undefined,
    init.taskUUID ? `task ${init.taskUUID}` : undefined,
  ].filter((d) => d !== undefined);
  const text = init.apiMessage ? `: ${init.apiMessage}` : "";
  return `${head}${text}${details.length ? ` (${details.join("; ")})` : ""}`;
}

export const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300;

interface Classification {
  kind: RunwareErrorKind;
  retryable: boolean;
}

const SERVER_RETRYABLE: Classification = { kind: "server", retryable: true };

/** Specific codes first: they win over families and HTTP statuses. */
const CODE_CLASSES: Record<string, Classification> = {
  conflictTaskUUID: { kind: "conflict", retryable: false },
  taskNotFound: { kind: "notFound", retryable: false },
  taskFailedOrNotFound: { kind: "notFound", retryable: false },
  timeoutProvider: { kind: "timeout", retryable: true },
  rateLimitExceeded: { kind: "rateLimit", retryable: true },
};

const STATUS_CLASSES: Record<number, Classification> = {
  400: { kind: "validation", retryable: false },
  401: { kind: "auth", retryable: false },
  402: { kind: "quota", retryable: false },
  403: { kind: "auth", retryable: false },
  404: { kind: "protocol", retryable: false },
  408: { kind: "timeout", retryable: true },
  409: { kind: "conflict", retryable: false },
  429: { kind: "rateLimit", retryable: true },
};

/**
 * Classifies an API error by its code (exact codes, then families, since Runware says codes are
 * still being standardized) and then by HTTP status. A code-less error inside a successful
 * response is a failed generation: "provider".
 */
export function classify(status: number | undefined, code: string | undefined): Classification {
  if (code) {
    const exact = CODE_CLASSES[code];
    if (exact) return exact;
    if (/apikey|unauthori[sz]ed|forbidden|permission/i.test(code)) return { kind: "auth", retryable: false };
    if (/credit|balance|quota/i.test(code)) return { kind: "quota", retryable: false };
    if (/^(invalid|unsupported|missing)/.test(code)) return { kind: "validation", retryable: false };
  }
  if (status !== undefined) {
    const byStatus = STATUS_CLASSES[status];
    if (byStatus) return byStatus;
    if (status >= 500) return SERVER_RETRYABLE;
    if (status >= 400) return { kind: "validation", retryable: false };
  }
  return { kind: "provider", retryable: false };
}

export type Redact = (text: string) => string;

/**
 * A redactor for `secret` in every spelling a server could echo it in (see util/secrets.ts); the
 * secret is also registered so every file writer of this process redacts it.
 */
export function redactor(secret: string): Redact {
  registerSecret(secret);
  return redactorFor(secret);
}
