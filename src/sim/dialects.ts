/**
 * Dialects: the simulator answering the way the real API may (per its docs and SDKs), and
 * hostile modes answering the way no API should. Each is a named, deterministic variation, so a
 * test can prove clipform pays once, records everything and ends under each of them.
 */
import type { Rng } from "./rng.js";

/** What each dialect changes; the names are the `--dialect` values. */
/** How many times the price the `overcharge` dialect charges. */
export const OVERCHARGE_FACTOR = 10;

export const DIALECTS = {
  "unknown-status": "running items say queued, scheduled or waiting instead of processing",
  nulls: "optional fields are null: seed, progress, NSFWContent, and an error's parameter",
  "extra-fields": "items and envelopes carry fields clipform does not know",
  "one-by-one": "finished variants are listed one by one as each finishes, with no placeholder for the others",
  "errors-200": "failed generations are reported only in errors[], under HTTP 200",
  "errors-5xx": "a poll reporting a failed generation is answered HTTP 500, its error naming the task",
  "error-items": "failed generations are reported as status:\"error\" items in data",
  "partial-batch": "a batched poll answers only the first half of its tasks",
  "empty-unknown": "a poll for an unknown task gets HTTP 200 with an empty data array",
  redirect: "video URLs answer 302, twice, before the file",
  completed: "finished items say status \"completed\"",
  "no-status": "finished items carry no status at all, as on the model pages",
  // Hostile modes: what a broken or malicious server sends.
  garbage: "every third API answer is not JSON",
  "huge-body": "every third poll answer is padded past 5 MB",
  "slow-body": "every answer is trickled out in small chunks",
  "bad-cost": "costs are negative, Infinity (1e400), text or absurd",
  overcharge: `each finished generation is charged ${OVERCHARGE_FACTOR}x the model's price (a believable cost, far above the estimate)`,
  "wrong-uuid": "every other poll answer names a different taskUUID than was asked",
  "ignores-dry-run": "the X-Runware-Dry-Run header is ignored (as by a proxy that drops it): a dry run is a real, charged generation",
} as const;

export type DialectName = keyof typeof DIALECTS;
export const DIALECT_NAMES = Object.keys(DIALECTS) as DialectName[];

export function isDialectName(name: string): name is DialectName {
  return Object.hasOwn(DIALECTS, name);
}

/** Every Nth answer is garbled in the `garbage` and `huge-body` modes: progress is still made. */
export const HOSTILE_EVERY = 3;
export const HUGE_BODY_BYTES = 5 * 1024 * 1024 + 1;
/** Chunks and pause of `slow-body`: slow enough to be seen, quick enough for the tests. */
export const SLOW_CHUNK_BYTES = 64;
export const SLOW_CHUNK_PAUSE_MS = 2;
/** How many 302 hops a `redirect` video URL takes. */
export const REDIRECT_HOPS = 2;

type Item = Record<string, unknown>;

const RUNNING_STATUSES = ["queued", "scheduled", "waiting"];
const BAD_COSTS = [-100, "1e400", "0.18", 5000];

export class Dialect {
  readonly #on: ReadonlySet<DialectName>;
  readonly #rng: Rng;
  #answers = 0;
  #polls = 0;

  constructor(names: readonly DialectName[], rng: Rng) {
    this.#on = new Set(names);
    this.#rng = rng;
  }

  has(name: DialectName): boolean {
    return this.#on.has(name);
  }

  /** What the simulator bills per result for a price of `usd`: the price, or 10 times it under `overcharge`. */
  charge(usd: number): number {
    return this.has("overcharge") ? Math.round(usd * OVERCHARGE_FACTOR * 1e6) / 1e6 : usd;
  }

  get names(): DialectName[] {
    return [...this.#on];
  }

  /** Rewrites the items of one task's poll answer (dialects may break the item's own type: that is their point). */
  pollItems<T extends object>(items: readonly T[]): T[] {
    this.#polls++;
    return items.map((item) => this.#item({ ...item } as Item) as T);
  }

  #item(item: Item): Item {
    const running = item.status === "processing";
    const finished = item.status === "success";
    if (running && this.has("unknown-status")) item.status = RUNNING_STATUSES[this.#polls % RUNNING_STATUSES.length];
    if (finished && this.has("completed")) item.status = "completed";
    if (finished && this.has("no-status")) delete item.status;
    if (this.has("nulls")) {
      if (finished) Object.assign(item, { seed: null, NSFWContent: null, progress: null });
      if (running) item.progress = null;
    }
    if (this.has("extra-fields")) Object.assign(item, { mediaType: "video", providerMeta: { region: "eu-west", queue: [1, 2] }, billing: null });
    if (finished && this.has("overcharge") && typeof item.cost === "number") item.cost = this.charge(item.cost);
    if (finished && this.has("bad-cost")) item.cost = BAD_COSTS[this.#rng.int(0, BAD_COSTS.length - 1)];
    if (this.has("wrong-uuid") && this.#polls % 2 === 0) item.taskUUID = wrongUuid(String(item.taskUUID));
    return item;
  }

  /** The envelope of an API answer, before it is written. */
  envelope(body: Item): Item {
    return this.has("extra-fields") ? { ...body, meta: { apiVersion: "simulated", requestId: "sim" } } : body;
  }

  /**
   * The text of an API answer: JSON, except in the hostile modes that garble it. `bad-cost`
   * writes `1e400` as a raw JSON number (JSON.stringify cannot).
   */
  text(body: Item, isPoll: boolean): string {
    this.#answers++;
    let text = JSON.stringify(body);
    if (this.has("bad-cost")) text = text.replaceAll('"cost":"1e400"', '"cost":1e400');
    if (this.has("garbage") && this.#answers % HOSTILE_EVERY === 0) return `<html>${text.slice(0, 20)}`;
    if (this.has("huge-body") && isPoll && this.#answers % HOSTILE_EVERY === 0) return `${text.slice(0, -1)},"padding":"${"x".repeat(HUGE_BODY_BYTES)}"}`;
    return text;
  }
}

/** A valid UUID v4 that is not `uuid` (its last hex digit changed). */
function wrongUuid(uuid: string): string {
  const last = uuid.at(-1) === "0" ? "1" : "0";
  return uuid.slice(0, -1) + last;
}

/** Parses `--dialect a,b`; throws a RangeError naming the known dialects. */
export function parseDialects(value: string | readonly string[] | undefined): DialectName[] {
  if (value === undefined) return [];
  const names = (typeof value === "string" ? value.split(",") : value).map((n) => n.trim()).filter((n) => n.length > 0);
  for (const name of names) {
    if (!isDialectName(name)) throw new RangeError(`unknown dialect "${name}"; known: ${DIALECT_NAMES.join(", ")}`);
  }
  return [...new Set(names)] as DialectName[];
}
