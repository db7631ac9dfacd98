/**
 * The fast tier (`npm run test:fast`): pure and in-process tests only, no spawned binary, no
 * browser, no git. The full suite (`npm test`) runs these and the end-to-end tests.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/manifest/**/*.test.ts",
      "test/models/**/*.test.ts",
      "test/plan/**/*.test.ts",
      "test/lockfile/**/*.test.ts",
      "test/merge/merge.test.ts",
      "test/runware/**/*.test.ts",
      "test/sim/**/*.test.ts",
      "test/report/data.test.ts",
      "test/report/html.test.ts",
      "test/report/sequences.test.ts",
      "test/apply/engine.test.ts",
      "test/apply/units.test.ts",
      "test/apply/engine-chain.test.ts",
      "test/apply/gate.test.ts",
      "test/apply/gate-engine.test.ts",
      "test/util/**/*.test.ts",
      "test/media/**/*.test.ts",
    ],
    exclude: ["test/sim/command.test.ts", "test/sim/apply-frames.test.ts", "test/sim/apply-chain.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
