import type { RunwareError } from "../runware/errors.js";
import type { ErrorInfo } from "./types.js";

/** The code and message to record for a failure, from an API error or anything thrown while building a task. */
export function errorInfo(e: unknown): ErrorInfo {
  const err = e as (RunwareError & { code?: string; apiMessage?: string }) | undefined;
  if (err && typeof err === "object" && "kind" in err) return { code: err.code ?? err.kind, message: err.apiMessage ?? err.message };
  return { code: "error", message: e instanceof Error ? e.message : String(e) };
}
