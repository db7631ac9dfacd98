/**
 * The API an apply talks to: Runware itself (key from the environment) or an embedded simulator
 * (`--sim`: no key, no network, no cost). Loaded lazily so plan and validate never pay for it.
 */
import { randomUUID } from "node:crypto";
import { ClipformError } from "../errors.js";
import { apiKeyProblem } from "../util/secrets.js";
import type { Lockfile } from "../lockfile/schema.js";
import type { Catalog } from "../models/catalog.js";
import type { RunwareClient, ClientEvent } from "../runware/client.js";

export const DEFAULT_BASE_URL = "https://api.runware.ai/v1";
/** Generation time of the embedded simulator behind `--sim`: quick, but visibly asynchronous. */
export const SIM_DEMO_LATENCY_MS = 400;

export interface ApiSession {
  client: RunwareClient;
  /** Talking to the embedded simulator: what it records is marked as simulated. */
  simulated: boolean;
  /** Where requests go, for people ("the embedded simulator at …"). */
  label: string;
  close(): Promise<void>;
}

/** `warn` hears, once, what the embedded simulator could not do as asked (a video without its frame images). */
export async function openApiSession(opts: { env: NodeJS.ProcessEnv; sim: boolean; needsKey: boolean; onEvent?: (e: ClientEvent) => void; catalog?: Catalog; warn?: (line: string) => void }): Promise<ApiSession> {
  let apiKey = opts.env.RUNWARE_API_KEY ?? "";
  let baseUrl = opts.env.RUNWARE_BASE_URL || DEFAULT_BASE_URL;
  let sim: { apiUrl: string; close(): Promise<void> } | undefined;
  if (opts.sim) {
    const { startSimulator } = await import("../sim/index.js");
    apiKey = `sim-${randomUUID()}`;
    sim = await startSimulator({ port: 0, latencyMs: SIM_DEMO_LATENCY_MS, apiKey }, opts.catalog, opts.warn);
    baseUrl = sim.apiUrl;
  } else if (opts.needsKey && !apiKey) {
    throw new ClipformError("MISSING_KEY", "RUNWARE_API_KEY is not set (or use --sim to try clipform on the local simulator). Nothing was sent.");
  } else if (apiKey) {
    const problem = apiKeyProblem(apiKey);
    if (problem) throw new ClipformError("MISSING_KEY", problem);
  }
  const { RunwareClient } = await import("../runware/client.js");
  const client = new RunwareClient({ baseUrl, apiKey, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
  return {
    client,
    simulated: Boolean(sim),
    label: sim ? `the embedded simulator at ${sim.apiUrl} (no key, no network, no cost)` : baseUrl,
    async close() {
      await client.close().catch(() => undefined);
      await sim?.close().catch(() => undefined);
    },
  };
}

/**
 * Simulated and real videos never share a lockfile: a real apply would take simulated videos for
 * paid ones (and never generate them), and a simulated apply would bury real ones.
 */
export function checkLockfileKind(lock: Lockfile, exists: boolean, simulated: boolean): void {
  if (!simulated && lock.simulated) {
    throw new ClipformError(
      "BAD_LOCKFILE",
      "clipform.lock.json records videos from the simulator (apply --sim): a real apply would take them for generated ones. Nothing was sent. Apply for real in a project without that lockfile (delete it and clipform-out/, or use a fresh clone).",
    );
  }
  if (simulated && exists && !lock.simulated && Object.keys(lock.clips).length > 0) {
    throw new ClipformError(
      "BAD_LOCKFILE",
      "clipform.lock.json records real, paid videos: --sim would mix simulated ones into it. Nothing was changed. Try the simulator in a copy of the project (as `npm run demo` does).",
    );
  }
}
