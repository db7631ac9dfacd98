/** Counters served at GET /__sim/stats, so tests can prove what a client did. */
export interface SimStats {
  /** HTTP requests to the API endpoint (POST /v1 or /), whatever their outcome. Stats and video downloads are not counted. */
  requests: number;
  /** videoInference tasks accepted (generations started). */
  videoInference: number;
  /** imageInference tasks accepted (keyframe images generated). */
  imageInference: number;
  /** getResponse tasks received (each task of a batched poll counts). */
  getResponse: number;
  /** Authenticated API requests carrying at least one getResponse task (polling HTTP requests). */
  pollRequests: number;
  /** imageUpload tasks accepted. */
  imageUpload: number;
  /** videoInference tasks validated and priced under X-Runware-Dry-Run: 1 (nothing generated, nothing charged). */
  dryRuns: number;
  /** Task UUIDs of accepted generations, in acceptance order. */
  acceptedTaskUUIDs: string[];
  /** Most generations processing at the same time. */
  maxInFlight: number;
  /** Generations processing now. */
  inFlight: number;
  /** Submits (videoInference or imageUpload) refused because their taskUUID was already accepted. */
  duplicatesRefused: number;
  /** API requests answered 429 by the rate-limit fault. */
  rateLimited: number;
  /** API requests answered 500 or 503 by the error fault. */
  serverErrors: number;
  /** API connections destroyed by the reset fault. */
  resets: number;
  /** Generations that ended in error (failRate). */
  failedGenerations: number;
  /** GET/HEAD requests for generated videos, including range requests. */
  videoDownloads: number;
  /** GET/HEAD requests for generated keyframe images. */
  imageDownloads: number;
  /** Videos made at run time to show their request's frame images (each distinct one encoded once). */
  composedVideos: number;
  /** Videos that should have shown frame images but are the committed clip (no ffmpeg, or encoding failed). */
  composeFallbacks: number;
  /**
   * Dollars the simulator charged: what it bills for each finished generation (its catalog price
   * per result, times 10 under the `overcharge` dialect), whatever its answers report as `cost`
   * (none, a hostile value, a dry run's estimate). Failed generations and dry runs cost nothing.
   */
  chargedUsd: number;
  /** The same, per model AIR. */
  chargedByModel: Record<string, number>;
  /** The same, per generation task (each charged once, when it finishes). */
  chargedByTask: Record<string, number>;
  /** Results delivered by models the simulator has no price for: charged nothing it can count. */
  unpricedResults: number;
}

/** Bills one finished generation (a whole task: every result it made). */
export function recordCharge(stats: SimStats, o: { taskUUID: string; model: string; usd: number | undefined; results: number }): void {
  if (o.usd === undefined) {
    stats.unpricedResults += o.results;
    return;
  }
  const usd = roundMicros(o.usd);
  stats.chargedUsd = roundMicros(stats.chargedUsd + usd);
  stats.chargedByModel[o.model] = roundMicros((stats.chargedByModel[o.model] ?? 0) + usd);
  stats.chargedByTask[o.taskUUID] = usd;
}

const roundMicros = (usd: number): number => Math.round(usd * 1e6) / 1e6;

export function createStats(): SimStats {
  return {
    requests: 0,
    videoInference: 0,
    imageInference: 0,
    getResponse: 0,
    pollRequests: 0,
    imageUpload: 0,
    dryRuns: 0,
    acceptedTaskUUIDs: [],
    maxInFlight: 0,
    inFlight: 0,
    duplicatesRefused: 0,
    rateLimited: 0,
    serverErrors: 0,
    resets: 0,
    failedGenerations: 0,
    videoDownloads: 0,
    imageDownloads: 0,
    composedVideos: 0,
    composeFallbacks: 0,
    chargedUsd: 0,
    chargedByModel: Object.create(null) as Record<string, number>,
    chargedByTask: Object.create(null) as Record<string, number>,
    unpricedResults: 0,
  };
}

/** A copy the caller may keep: later requests do not change it. */
export function snapshotStats(stats: SimStats): SimStats {
  return { ...stats, acceptedTaskUUIDs: [...stats.acceptedTaskUUIDs], chargedByModel: { ...stats.chargedByModel }, chargedByTask: { ...stats.chargedByTask } };
}
