/**
 * Simulated generations: accepted videoInference tasks that process for `latencyMs`, then end
 * in success (one video per result) or, for a seeded `failRate` share, in error.
 */
import { createHash, randomUUID } from "node:crypto";
import type { ApiError, DataItem, ErrorItem, SuccessItem } from "./protocol.js";
import type { Rng } from "./rng.js";
import { recordCharge, type SimStats } from "./stats.js";
import type { FrameKeys } from "./frame-images.js";
import type { Aspect, OutputFormat, VideoLook } from "./videos.js";

export interface GenerationOrder {
  taskUUID: string;
  numberResults: number;
  format: OutputFormat;
  /** The shape asked for: the served clips follow it. */
  aspect: Aspect;
  /** The request's frame images: its videos show them. */
  frames?: FrameKeys | undefined;
  /** USD per result, reported only when the task asked for it (includeCost). */
  cost: number | undefined;
  /** The model AIR, for the bill. */
  model: string;
  /** What the simulator bills per result once the task succeeds, reported or not; undefined when it has no price. */
  chargePerResult: number | undefined;
}

/** The time generations take, kept by this clock (the real one by default; tests may move it by hand). */
export interface SimClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const REAL_CLOCK: SimClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface GenerationConfig {
  latencyMs: number;
  clock?: SimClock;
  failRate: number;
  rng: Rng;
  stats: SimStats;
  videoURL(videoUUID: string, format: OutputFormat): string;
  /** List finished variants one by one as each finishes, with no placeholder for the others. */
  staggered?: boolean;
  /** Report failures this way only (default: a seeded mix of both). */
  failureShape?: "errors" | "data";
}

/** What a poll returns for one task: its items, and its failure in the older `errors` shape. */
export interface PollResult {
  data: DataItem[];
  errors: ApiError[];
}

interface Failure {
  code: string;
  message: string;
  /** "errors": reported in the response's errors array; "data": as status:"error" items. */
  shape: "errors" | "data";
}

interface Generation {
  order: GenerationOrder;
  startedAt: number;
  done: boolean;
  failure: Failure | undefined;
  results: { videoUUID: string; seed: number }[];
}

/** Provider-like failures; real Kling failures surface with codes of this kind. */
const FAILURES: readonly Omit<Failure, "shape">[] = [
  { code: "generationFailed", message: "The provider failed to generate the video." },
  { code: "timeoutProvider", message: "The provider did not return the video in time." },
];

/** Seeds like the ones the model pages report: integers from 1 to 2^31 - 1. */
const MAX_SEED = 2 ** 31 - 1;
/** A processing item never reports 100: that is what success is for. */
const MAX_PROGRESS = 99;

export class GenerationStore {
  readonly #config: GenerationConfig;
  readonly #generations = new Map<string, Generation>();
  /** Finished videos by videoUUID: the only ones GET /videos/… serves. */
  readonly #videos = new Map<string, VideoLook>();
  readonly #timers = new Set<unknown>();
  readonly #clock: SimClock;

  constructor(config: GenerationConfig) {
    this.#config = config;
    this.#clock = config.clock ?? REAL_CLOCK;
  }

  has(taskUUID: string): boolean {
    return this.#generations.has(taskUUID);
  }

  start(order: GenerationOrder): void {
    const { rng, stats, failRate, latencyMs } = this.#config;
    const failure = rng.next() < failRate ? this.#drawFailure() : undefined;
    const generation: Generation = {
      order,
      startedAt: this.#clock.now(),
      done: false,
      failure,
      results: failure ? [] : this.#drawResults(order.numberResults, order.taskUUID),
    };
    this.#generations.set(order.taskUUID, generation);
    // Staggered variants are listed before the task is done: their files must already be served.
    if (this.#config.staggered) this.#serve(generation);
    stats.videoInference++;
    stats.acceptedTaskUUIDs.push(order.taskUUID);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);

    const timer = this.#clock.setTimeout(() => {
      this.#timers.delete(timer);
      this.#finish(generation);
    }, latencyMs);
    this.#timers.add(timer);
  }

  /** The task's current state, or undefined for a taskUUID never accepted. */
  poll(taskUUID: string): PollResult | undefined {
    const generation = this.#generations.get(taskUUID);
    if (!generation) return undefined;
    const { order, failure } = generation;
    const ack = { taskType: "videoInference", taskUUID } as const;
    const each = <T>(item: T): T[] => Array.from({ length: order.numberResults }, () => item);

    if (!generation.done && this.#config.staggered && !failure) return { data: this.#successItems(generation, this.#finishedSoFar(generation)), errors: [] };
    if (!generation.done) return { data: each({ ...ack, status: "processing", progress: this.#progress(generation) }), errors: [] };
    if (failure?.shape === "errors") return { data: [], errors: [{ code: failure.code, message: failure.message, ...ack }] };
    if (failure) {
      const item: ErrorItem = { ...ack, status: "error", error: { code: failure.code, message: failure.message } };
      return { data: each(item), errors: [] };
    }
    return { data: this.#successItems(generation, generation.results.length), errors: [] };
  }

  #successItems(generation: Generation, count: number): SuccessItem[] {
    const { order } = generation;
    const ack = { taskType: "videoInference", taskUUID: order.taskUUID } as const;
    return generation.results.slice(0, count).map(
      ({ videoUUID, seed }): SuccessItem => ({
        ...ack,
        status: "success",
        videoUUID,
        videoURL: this.#config.videoURL(videoUUID, order.format),
        seed,
        NSFWContent: false,
        ...(order.cost !== undefined && { cost: order.cost }),
      }),
    );
  }

  /** Staggered: variant i of n is finished once (i + 1) / (n + 1) of the latency has passed. */
  #finishedSoFar(generation: Generation): number {
    const n = generation.results.length;
    const share = this.#config.latencyMs === 0 ? 1 : (this.#clock.now() - generation.startedAt) / this.#config.latencyMs;
    return Math.min(n, Math.floor(share * (n + 1)));
  }

  /** What a finished video shows (format, seed, aspect), or undefined if no finished generation produced it. */
  videoLook(videoUUID: string): VideoLook | undefined {
    return this.#videos.get(videoUUID);
  }

  #serve({ order, results }: Generation): void {
    for (const { videoUUID, seed } of results) {
      this.#videos.set(videoUUID, { format: order.format, seed, aspect: order.aspect, ...(order.frames && { frames: order.frames }) });
    }
  }

  /** Cancels pending completions (on close). */
  stop(): void {
    for (const timer of this.#timers) this.#clock.clearTimeout(timer);
    this.#timers.clear();
  }

  #finish(generation: Generation): void {
    const { stats } = this.#config;
    generation.done = true;
    stats.inFlight--;
    if (generation.failure) stats.failedGenerations++;
    else {
      const { order, results } = generation;
      const usd = order.chargePerResult === undefined ? undefined : order.chargePerResult * results.length;
      recordCharge(stats, { taskUUID: order.taskUUID, model: order.model, usd, results: results.length });
    }
    this.#serve(generation);
  }

  #drawFailure(): Failure {
    const { rng } = this.#config;
    const kind = FAILURES[rng.int(0, FAILURES.length - 1)]!;
    const drawn = rng.next() < 0.5 ? "errors" : "data";
    return { ...kind, shape: this.#config.failureShape ?? drawn };
  }

  /** One distinct seed per result (the pages: "each result uses a different seed"). */
  #drawResults(count: number, taskUUID: string): Generation["results"] {
    // Mixed with the task's UUID: every `apply --sim` starts a simulator with the same rng seed,
    // and a reroll must still come back different (its video is chosen by its seed).
    const salt = createHash("sha256").update(taskUUID).digest().readUInt32BE(0);
    const seeds = new Set<number>();
    while (seeds.size < count) seeds.add(1 + ((this.#config.rng.int(1, MAX_SEED) + salt) % MAX_SEED));
    return [...seeds].map((seed) => ({ videoUUID: randomUUID(), seed }));
  }

  #progress(generation: Generation): number {
    const { latencyMs } = this.#config;
    if (latencyMs === 0) return 0;
    const elapsed = this.#clock.now() - generation.startedAt;
    return Math.min(MAX_PROGRESS, Math.floor((elapsed / latencyMs) * 100));
  }
}
