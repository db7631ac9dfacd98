/**
 * The spend gate, pure: what it admits, what waits, what stops, how charges count and surprise,
 * and the guarantee (spend past a budget at most one generation's real charge) over adversarial
 * charge sequences. Also the price kinds learned prices are keyed by, and quotes that expire.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONCURRENT_HEADROOM, SpendGate, type GateScope } from "../../src/apply/gate.js";
import type { GenJob } from "../../src/apply/types.js";
import { fingerprintOf, type GenerationFields } from "../../src/manifest/index.js";
import { priceKind } from "../../src/money/kind.js";
import { priceBook } from "../../src/plan/prices.js";
import { QUOTE_MAX_AGE_MS, QuoteCache, quoteKey } from "../../src/quote/cache.js";
import { desired, entryFor, gen, lockWith, result } from "../helpers/plan-data.js";

const job = (address: string, estimateUsd: number | undefined, o: { count?: number; manifest?: string; over?: Partial<GenerationFields> } = {}): GenJob => {
  const clip = desired(address, { positivePrompt: `shot ${address}`, ...o.over });
  return { address, clip: { ...clip, manifest: o.manifest ?? "specs/clips.yaml" }, count: o.count ?? 1, fresh: true, estimateUsd };
};

let ids = 0;
/** Admits `j` and records it sent; returns its task UUID, or the admission when it did not go. */
function send(gate: SpendGate, j: GenJob): string | ReturnType<SpendGate["admit"]> {
  const a = gate.admit(j);
  if (!a.go) return a;
  const id = `t${++ids}`;
  gate.sent(id, j, a);
  return id;
}

describe("spend gate: admission", () => {
  it("without a budget everything goes at once, nothing is a probe", () => {
    const gate = new SpendGate([]);
    for (let i = 0; i < 5; i++) expect(gate.admit(job(`c${i}`, 100))).toMatchObject({ go: true, probe: false });
  });

  it("under a budget the first of a kind is a probe and the rest of the kind wait for its charge, whatever priced it", () => {
    const gate = new SpendGate([{ scope: "--max-cost", limitUsd: 10 }]);
    for (const source of ["documented", "learned", "quoted"] as const) {
      const g = new SpendGate([{ scope: "--max-cost", limitUsd: 10 }]);
      const first = { ...job("a", 0.2), priceSource: source };
      expect(g.admit(first)).toMatchObject({ go: true, probe: true });
      g.sent("p", first, { probe: true, estimateUsd: 0.2 });
      expect(g.admit({ ...job("b", 0.2), priceSource: source })).toMatchObject({ go: false, wait: { scope: "--max-cost" } });
    }
    const id = send(gate, job("a", 0.2)) as string;
    expect(gate.settle(id, [0.2])).toEqual({ countedUsd: 0.2 });
    // Confirmed: several go at once while they fit at twice their price.
    const sent = [1, 2, 3, 4].map((i) => send(gate, job(`b${i}`, 0.2)));
    expect(sent.every((s) => typeof s === "string")).toBe(true);
  });

  it("near a budget the confirmed kind goes one at a time: work in flight must fit at twice its estimate", () => {
    const gate = new SpendGate([{ scope: "run", limitUsd: 1 }]);
    const probe = send(gate, job("p", 0.2)) as string;
    gate.settle(probe, [0.2]);
    // spent 0.2: a second joins the first only while 0.2 + 2 x (in flight + next) <= 1.
    expect(typeof send(gate, job("a", 0.2))).toBe("string");
    expect(typeof send(gate, job("b", 0.2))).toBe("string"); // 0.2 + 2 x 0.4 = 1.0
    // c would fit (0.2 + 0.4 + 0.2 = 0.8) but not at twice the work in flight: it waits, it is not refused.
    expect(gate.admit(job("c", 0.2))).toMatchObject({ go: false, wait: { scope: "run" } });
    expect(CONCURRENT_HEADROOM).toBe(2);
  });

  it("stops (never waits) once the next generation cannot fit: says the scope, what is committed, the next cost and by how much", () => {
    const gate = new SpendGate([{ scope: "m budget", limitUsd: 0.5, manifest: "m.yaml", spentBeforeUsd: 0.4, lifetime: true }]);
    expect(gate.admit(job("a", 0.2, { manifest: "m.yaml" }))).toEqual({ go: false, stop: { scope: "m budget", limitUsd: 0.5, committedUsd: 0.4, nextUsd: 0.2, overByUsd: 0.1 } });
    expect(gate.admit(job("a", 0.2, { manifest: "other.yaml" }))).toMatchObject({ go: true, probe: false });
    expect(gate.admit(job("u", undefined, { manifest: "m.yaml" }))).toMatchObject({ go: false, stop: { reason: "unpriced" } });
  });
});

describe("spend gate: charges", () => {
  it("a charge that cannot be believed counts at its estimate, never $0: absent, negative, 1e400, text, absurd, $0, or far below its estimate", () => {
    for (const bad of [undefined, -100, Infinity, "0.18" as unknown as number, 5000, 0, 0.001]) {
      const gate = new SpendGate([{ scope: "run", limitUsd: 1 }]);
      const id = send(gate, job("a", 0.2)) as string;
      expect(gate.settle(id, [bad]).countedUsd).toBe(0.2);
      expect(gate.chargedUsd).toBe(0);
      // Not confirmed by it: the next of its kind still goes alone.
      send(gate, job("b", 0.2));
      expect(gate.admit(job("c", 0.2))).toMatchObject({ go: false });
    }
  });

  it("a charge above its estimate re-prices the kind at once, in flight and not yet sent, and the kind is probed again", () => {
    const gate = new SpendGate([{ scope: "run", limitUsd: 5 }]);
    const p = send(gate, job("p", 0.2)) as string;
    gate.settle(p, [0.2]);
    const a = send(gate, job("a", 0.2)) as string;
    const b = send(gate, job("b", 0.2)) as string;
    const s = gate.settle(a, [1.5]);
    expect(s.note).toMatch(/charged \$1\.5 per result, more than the \$0\.2 estimated/);
    expect(gate.expected(job("c", 0.2, { count: 2 }))).toBe(3);
    // b is now counted at $1.50 in flight: 0.2 + 1.5 + 1.5 + 1.5 (next) = 4.7 fits, but c is a probe again and b is not.
    expect(gate.admit(job("c", 0.2))).toMatchObject({ go: false, wait: {} });
    // b's charge matches the new price: it confirms it. c fits (3.2 spent + 1.5), d no longer does.
    gate.settle(b, [1.5]);
    const c = send(gate, job("c", 0.2));
    expect(typeof c).toBe("string");
    expect(gate.admit(job("d", 0.2))).toEqual({ go: false, stop: { scope: "run", limitUsd: 5, committedUsd: 4.7, nextUsd: 1.5, overByUsd: 1.2 } });
  });

  it("prices are per kind: a charge for 1080p does not price 4K, and an image's own size is its kind", () => {
    const hd = job("hd", 0.8, { over: { width: 1920, height: 1080 } });
    const uhd = job("uhd", 0.8, { over: { width: 3840, height: 2160 } });
    expect(priceKind(hd.clip.generation)).not.toBe(priceKind(uhd.clip.generation));
    expect(priceKind(job("a", 1, { over: { duration: 5 } }).clip.generation)).not.toBe(priceKind(job("a", 1, { over: { duration: 10 } }).clip.generation));
    expect(priceKind(job("a", 1, { over: { providerSettings: { google: { generateAudio: true } } } }).clip.generation)).not.toBe(priceKind(job("a", 1).clip.generation));
    const img = (w: number) => ({ taskType: "imageInference", model: "runware:101@1", width: w, height: w, outputFormat: "PNG" });
    expect(priceKind(img(1024))).not.toBe(priceKind(img(512)));
    // Prompts and seeds never change a price.
    expect(priceKind(job("x", 1, { over: { positivePrompt: "one", seed: 1 } }).clip.generation)).toBe(priceKind(job("y", 1, { over: { positivePrompt: "two", seed: 2 } }).clip.generation));
  });

  it("the end report names every budget past its limit, by how much and why", () => {
    const gate = new SpendGate([{ scope: "--max-cost", limitUsd: 1 }, { scope: "clipform.yaml budget", limitUsd: 3, spentBeforeUsd: 0.5, lifetime: true }]);
    const id = send(gate, job("a", 0.1848)) as string;
    gate.settle(id, [1.848], job("a", 0.1848).clip.generation);
    expect(gate.exceeded()).toEqual([{ scope: "--max-cost", limitUsd: 1, spentUsd: 1.848, overByUsd: 0.848, why: expect.stringMatching(/klingai:3@1 \(5 s, 1280x720\) was charged \$1\.848 per result/) }]);
  });
});

describe("spend gate: the guarantee", () => {
  /** Drives the gate like the engine: send what it admits, settle the oldest with what the server charges, until it stops. */
  function simulate(scopes: GateScope[], jobs: GenJob[], charge: (n: number, est: number) => number | undefined, concurrency: number): { counted: number; biggest: number } {
    const gate = new SpendGate(scopes);
    const pending = [...jobs];
    const flying: { id: string; est: number }[] = [];
    let n = 0;
    let biggest = 0;
    let counted = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      let stopped = false;
      for (let i = 0; i < pending.length && flying.length < concurrency; ) {
        const a = gate.admit(pending[i]!);
        if (a.go) {
          const id = `g${guard}-${i}`;
          gate.sent(id, pending[i]!, a);
          flying.push({ id, est: a.estimateUsd });
          pending.splice(i, 1);
        } else if ("stop" in a) {
          stopped = true;
          break;
        } else i++;
      }
      if (flying.length === 0) break;
      const f = flying.shift()!;
      const c = charge(n++, f.est);
      const s = gate.settle(f.id, [c]);
      counted += s.countedUsd;
      biggest = Math.max(biggest, s.countedUsd);
      if (stopped && flying.length === 0) break;
    }
    return { counted, biggest };
  }

  it("whatever the server charges for a kind it has not charged yet, the spend past any budget is at most one generation's charge", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 300; round++) {
      const limit = 0.2 + rnd() * 5;
      const est = 0.05 + rnd() * 0.5;
      const factor = [0, 0.5, 1, 1.04, 2, 10, 100][Math.floor(rnd() * 7)]!;
      const jobs = Array.from({ length: 5 + Math.floor(rnd() * 30) }, (_, i) => job(`c${i}`, est, { over: { duration: rnd() < 0.5 ? 5 : 10 } }));
      // The server charges each kind a fixed factor of the estimate (0: nothing believable), or noise within twice the confirmed price.
      const { counted, biggest } = simulate([{ scope: "run", limitUsd: limit }], jobs, (_, e) => (factor === 0 ? undefined : e * factor * (1 + rnd() * 0.9)), 1 + Math.floor(rnd() * 16));
      expect(counted).toBeLessThanOrEqual(limit + biggest + 1e-9);
    }
  });
});

describe("learned prices and quotes", () => {
  it("a learned price is per kind: 1080p charges never price a 4K clip; a $0 charge is never learned", () => {
    const hd = desired("hd", { model: "klingai:3@1", width: 1920, height: 1080 });
    const lock = lockWith({ hd: entryFor(hd) });
    lock.clips.hd!.results = [result(lock.clips.hd!.tasks[0]!.taskUUID, 0, { costUsd: 0.8 })];
    const prices = priceBook(lock);
    expect(prices("klingai:3@1", 5, gen({ width: 1920, height: 1080 }))).toMatchObject({ source: "learned", usd: 0.8 });
    expect(prices("klingai:3@1", 5, gen({ width: 3840, height: 2160 }))?.source).not.toBe("learned");
    lock.clips.hd!.results = [result(lock.clips.hd!.tasks[0]!.taskUUID, 0, { costUsd: 0 })];
    expect(priceBook(lock)("klingai:3@1", 5, gen({ width: 1920, height: 1080 }))?.source).not.toBe("learned");
  });

  it("an image's charge is learned for its own size", () => {
    const g = { ...gen({ model: "runware:101@1", width: 1024, height: 1024 }), taskType: "imageInference" as const, duration: undefined };
    const key = { ...desired("key"), kind: "image" as const, generation: g, fingerprint: fingerprintOf(g) };
    const lock = lockWith({ key: entryFor(key) });
    lock.clips.key!.results = [result(lock.clips.key!.tasks[0]!.taskUUID, 0, { costUsd: 0.02 })];
    expect(priceBook(lock)("runware:101@1", undefined, g)).toMatchObject({ source: "learned", usd: 0.02 });
    expect(priceBook(lock)("runware:101@1", undefined, { ...g, width: 512, height: 512 })?.source).not.toBe("learned");
  });

  it("a cached quote expires after 7 days", () => {
    const root = mkdtempSync(join(tmpdir(), "clipform-quotes-"));
    try {
      const at = Date.parse("2026-03-01T00:00:00Z");
      const key = quoteKey("e", "fp", 1);
      mkdirSync(join(root, ".clipform"));
      writeFileSync(join(root, ".clipform", "quotes.json"), JSON.stringify({ format_version: 1, quotes: { [key]: { usd: 0.2, quotedAt: new Date(at).toISOString() } } }));
      expect(QuoteCache.load(root, () => new Date(at + QUOTE_MAX_AGE_MS - 1000)).get(key)?.usd).toBe(0.2);
      expect(QuoteCache.load(root, () => new Date(at + QUOTE_MAX_AGE_MS + 1000)).get(key)).toBeUndefined();
      expect(QUOTE_MAX_AGE_MS).toBe(7 * 24 * 3600 * 1000);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
