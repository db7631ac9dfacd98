/**
 * The videoInference rules that are the same for every model (the API reference's limits):
 * result count, output, delivery and safety fields. Model rules are in rules.ts.
 */
import { COMMON } from "./catalog.js";
import type { RuleIssue, VideoRequest } from "./request.js";

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const fmt = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : String(v));

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== "string") return false;
  try {
    const u = new URL(v);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

export function checkApiFields(req: VideoRequest, issues: RuleIssue[]): void {
  const err = (path: RuleIssue["path"], code: string, message: string, extra: Partial<RuleIssue> = {}) =>
    issues.push({ severity: "error", path, code, message, ...extra });
  if (req.numberResults !== undefined) {
    const { min, max } = COMMON.numberResults;
    if (!isInt(req.numberResults) || req.numberResults < min || req.numberResults > max) {
      err(["numberResults"], "invalidNumberResults", `numberResults must be an integer from ${min} to ${max}, got ${fmt(req.numberResults)}`, { min, max });
    }
  }
  if (req.outputFormat !== undefined && !(COMMON.outputFormats as readonly unknown[]).includes(req.outputFormat)) {
    err(["outputFormat"], "invalidOutputFormat", `outputFormat ${fmt(req.outputFormat)} is not supported (allowed: ${COMMON.outputFormats.join(", ")})`, {
      allowedValues: [...COMMON.outputFormats],
    });
  }
  if (req.outputQuality !== undefined) {
    const { min, max } = COMMON.outputQuality;
    if (!isInt(req.outputQuality) || req.outputQuality < min || req.outputQuality > max) {
      err(["outputQuality"], "invalidOutputQuality", `outputQuality must be an integer from ${min} to ${max}, got ${fmt(req.outputQuality)}`, { min, max });
    }
  }
  if (req.outputType !== undefined && !(COMMON.outputTypes as readonly unknown[]).includes(req.outputType)) {
    err(["outputType"], "invalidOutputType", `outputType ${fmt(req.outputType)} is not supported (allowed: URL)`, { allowedValues: [...COMMON.outputTypes] });
  }
  if (req.deliveryMethod !== undefined && !(COMMON.deliveryMethods as readonly unknown[]).includes(req.deliveryMethod)) {
    err(["deliveryMethod"], "invalidDeliveryMethod", `deliveryMethod ${fmt(req.deliveryMethod)} is not supported for video (allowed: async)`, {
      allowedValues: [...COMMON.deliveryMethods],
    });
  }
  if (req.ttl !== undefined && (!isInt(req.ttl) || req.ttl < COMMON.ttl.min)) {
    err(["ttl"], "invalidTtl", `ttl must be an integer of at least ${COMMON.ttl.min} seconds, got ${fmt(req.ttl)}`, { min: COMMON.ttl.min });
  }
  if (req.includeCost !== undefined && typeof req.includeCost !== "boolean") {
    err(["includeCost"], "invalidIncludeCost", `includeCost must be true or false, got ${fmt(req.includeCost)}`);
  }
  for (const key of ["webhookURL", "uploadEndpoint"] as const) {
    if (req[key] !== undefined && !isHttpUrl(req[key])) {
      err([key], `invalid${key[0]!.toUpperCase()}${key.slice(1)}`, `${key} must be an http(s) URL, got ${fmt(req[key])}`);
    }
  }
  if (req.safety !== undefined) {
    if (!req.safety || typeof req.safety !== "object" || Array.isArray(req.safety)) {
      err(["safety"], "invalidSafety", "safety must be an object with checkContent and/or mode");
    } else {
      const s = req.safety as Record<string, unknown>;
      if (s.checkContent !== undefined && typeof s.checkContent !== "boolean") {
        err(["safety", "checkContent"], "invalidCheckContent", `safety.checkContent must be true or false, got ${fmt(s.checkContent)}`);
      }
      if (s.mode !== undefined && !(COMMON.safetyModes as readonly unknown[]).includes(s.mode)) {
        err(["safety", "mode"], "invalidSafetyMode", `safety.mode ${fmt(s.mode)} is not supported (allowed: ${COMMON.safetyModes.join(", ")})`, {
          allowedValues: [...COMMON.safetyModes],
        });
      }
    }
  }
}
