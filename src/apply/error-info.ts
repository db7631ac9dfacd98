import { RunwareError } from "../runware/errors.js";
import type { ErrorInfo } from "./types.js";

/** The code and message to record for a failure, from an API error or anything thrown while building a task. */
export function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof RunwareError) return { code: e.apiCode ?? e.kind, message: e.apiMessage ?? e.message };
  return { code: "error", message: e instanceof Error ? e.message : String(e) };
}
