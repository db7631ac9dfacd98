import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const REPO = fileURLToPath(new URL("../", import.meta.url));
export const BIN = join(REPO, "bin", "clipform.js");

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The API key the benchmarks use: as long as a real one. A short key would be redacted wherever
 * it appears in other words ("bench" in "Benchmark"), which costs time no real run pays.
 */
export const BENCH_KEY = "bench-4f9c2e7a1b8d4c6e9a0f3b5d7e1c";
