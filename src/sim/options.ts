/** Simulator settings: what callers pass, the defaults, and the checks that reject nonsense early. */
import { parseDialects, type DialectName } from "./dialects.js";
import type { SimClock } from "./generations.js";

export interface SimOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** If set, the Bearer token (or authentication task) must equal it; if unset or empty, any non-empty key is accepted. */
  apiKey?: string;
  /** How long each generation processes before its result is ready, in ms; default 50. */
  latencyMs?: number;
  /** Fraction of accepted generations that end in error. */
  failRate?: number;
  /** Fraction of API requests answered 429 (with Retry-After) without being acted on. */
  rateLimitRate?: number;
  /** Fraction of API requests answered 500 or 503 without being acted on. */
  errorRate?: number;
  /** Fraction of API requests whose connection is destroyed: half before acting, half after. */
  resetRate?: number;
  /** Seed for every random decision (faults, failures, result seeds); default 1. */
  seed?: number;
  /**
   * Ways of answering (see dialects.ts), e.g. ["one-by-one", "redirect"]. Default: the
   * comma-separated list in CLIPFORM_SIM_DIALECT, so `apply --sim` can be run under one too.
   */
  dialects?: readonly string[];
  /** What keeps the generations' time: the real clock by default; a test's own, moved by hand. */
  clock?: SimClock;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  apiKey: string | undefined;
  latencyMs: number;
  failRate: number;
  rateLimitRate: number;
  errorRate: number;
  resetRate: number;
  seed: number;
  dialects: DialectName[];
  clock?: SimClock;
}

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_LATENCY_MS = 50;
export const DEFAULT_SEED = 1;
const MAX_PORT = 65_535;
/** Slack for rates like 0.1 + 0.2 + 0.7 that add up to a hair over 1 in floating point. */
const RATE_SUM_TOLERANCE = 1e-9;

function rate(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${name} must be a number from 0 to 1, got ${value}`);
  }
  return value;
}

export function resolveOptions(opts: SimOptions = {}): ResolvedOptions {
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) {
    throw new RangeError(`port must be an integer from 0 to ${MAX_PORT}, got ${port}`);
  }
  const latencyMs = opts.latencyMs ?? DEFAULT_LATENCY_MS;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new RangeError(`latencyMs must be a number of at least 0, got ${latencyMs}`);
  }
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);

  const resolved: ResolvedOptions = {
    port,
    host: opts.host || DEFAULT_HOST,
    apiKey: opts.apiKey || undefined,
    latencyMs,
    failRate: rate("failRate", opts.failRate),
    rateLimitRate: rate("rateLimitRate", opts.rateLimitRate),
    errorRate: rate("errorRate", opts.errorRate),
    resetRate: rate("resetRate", opts.resetRate),
    seed,
    dialects: parseDialects(opts.dialects ?? process.env.CLIPFORM_SIM_DIALECT),
    ...(opts.clock && { clock: opts.clock }),
  };
  // The three request faults share one draw per request, so together they cannot exceed 1.
  const requestFaults = resolved.rateLimitRate + resolved.errorRate + resolved.resetRate;
  if (requestFaults > 1 + RATE_SUM_TOLERANCE) {
    throw new RangeError(`rateLimitRate + errorRate + resetRate must not exceed 1, got ${requestFaults}`);
  }
  return resolved;
}

/** One line for people starting `clipform sim`, in the command's own flag names. */
export function describeSettings(o: ResolvedOptions): string {
  return (
    `faults: fail-rate ${o.failRate}, rate-limit-rate ${o.rateLimitRate}, error-rate ${o.errorRate}, ` +
    `reset-rate ${o.resetRate} (seed ${o.seed}, latency ${o.latencyMs} ms)` +
    (o.dialects.length > 0 ? `; dialect ${o.dialects.join(", ")}` : "")
  );
}
