/**
 * Quotes kept under .clipform/quotes.json, so later plans reuse the API's price while the
 * request is unchanged. A quote is keyed by the endpoint that gave it (a simulator's price is
 * not Runware's), the request fingerprint (every generation field, local images by content) and
 * the number of videos it pays for. The file is a cache: unreadable means empty, never an error.
 *
 * Quotes expire after QUOTE_MAX_AGE_MS: prices change, and an old quote must not keep pricing
 * requests. (A quote never exempts a kind from the spend gate's probe either: only a charge in
 * the run confirms a price.)
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { QUOTES_FILE } from "../core/layout.js";
import { writeFileAtomic } from "../lockfile/io.js";
import { checkCost } from "../runware/cost.js";
import { sha256Hex } from "../util/canonical.js";
import { assertRealFolder, READ_CAPS, readProjectText } from "../util/safe-fs.js";

const FORMAT = 1;
/** How long a cached quote prices a request: 7 days. Older ones are ignored (and asked again with --quote). */
export const QUOTE_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

export interface CachedQuote {
  /** USD for the whole request (all the videos it generates). */
  usd: number;
  quotedAt: string;
}

export function quoteKey(endpoint: string, fingerprint: string, generate: number): string {
  return sha256Hex(`${endpoint}\n${fingerprint}\n${generate}`);
}

export class QuoteCache {
  readonly #root: string;
  readonly #path: string;
  readonly #quotes: Map<string, CachedQuote>;
  readonly #now: () => Date;
  #dirty = false;

  private constructor(root: string, quotes: Map<string, CachedQuote>, now: () => Date) {
    this.#root = root;
    this.#path = join(root, QUOTES_FILE);
    this.#quotes = quotes;
    this.#now = now;
  }

  /** `now` (the clock) decides which quotes have expired. */
  static load(root: string, now: () => Date = () => new Date()): QuoteCache {
    return new QuoteCache(root, readQuotes(root), now);
  }

  /** A quote younger than QUOTE_MAX_AGE_MS (one dated in the future is not believed either). */
  get(key: string): CachedQuote | undefined {
    const q = this.#quotes.get(key);
    if (!q) return undefined;
    const age = this.#now().getTime() - Date.parse(q.quotedAt);
    return Number.isFinite(age) && age >= -60_000 && age <= QUOTE_MAX_AGE_MS ? q : undefined;
  }

  set(key: string, usd: number, now: Date): void {
    this.#quotes.set(key, { usd, quotedAt: now.toISOString() });
    this.#dirty = true;
  }

  save(): void {
    if (!this.#dirty) return;
    // .clipform (or anything on the way) planted as a link is refused: quotes are never written through one.
    assertRealFolder(this.#root, dirname(QUOTES_FILE), "the state folder");
    mkdirSync(dirname(this.#path), { recursive: true });
    const quotes = Object.fromEntries([...this.#quotes].sort(([a], [b]) => (a < b ? -1 : 1)));
    writeFileAtomic(this.#path, JSON.stringify({ format_version: FORMAT, quotes }, null, 2) + "\n");
    this.#dirty = false;
  }
}

/** Only well-formed entries with a believable price are kept: a hand-edited cache cannot set a price. */
function readQuotes(root: string): Map<string, CachedQuote> {
  const out = new Map<string, CachedQuote>();
  // Not JSON means empty; a link out, a FIFO or a device in its place is refused like any project file.
  const text = readProjectText(join(root, QUOTES_FILE), { within: root, maxBytes: READ_CAPS.state, shown: QUOTES_FILE });
  if (text === undefined) return out;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return out;
  }
  const quotes = (data as { format_version?: unknown; quotes?: unknown } | null)?.quotes;
  if ((data as { format_version?: unknown }).format_version !== FORMAT || typeof quotes !== "object" || quotes === null) return out;
  for (const [key, value] of Object.entries(quotes)) {
    const { usd, quotedAt } = (value ?? {}) as { usd?: unknown; quotedAt?: unknown };
    // Up to 4 videos a request: the per-video ceiling times 4.
    const check = checkCost(usd, 4);
    if (check?.ok && typeof quotedAt === "string") out.set(key, { usd: check.usd, quotedAt });
  }
  return out;
}
