/**
 * The fast tier (`npm run test:fast`): pure and in-process tests only. No process is started (no
 * binary, ffmpeg, git or browser: test/no-processes.ts makes any attempt fail), and the long
 * fuzzer stays out. The full suite (`npm test`) runs these and everything else.
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
      "test/apply/gate.test.ts",
      "test/apply/gate-engine.test.ts",
      "test/util/**/*.test.ts",
    ],
    // ffmpeg (frames, composed videos), Chromium, the binary; the 2,000-case fuzzer.
    exclude: ["test/sim/command.test.ts", "test/sim/apply-frames.test.ts", "test/sim/apply-chain.test.ts", "test/sim/compose.test.ts", "test/sim/videos.test.ts", "test/manifest/fuzz.test.ts"],
    setupFiles: ["./test/no-processes.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    isolate: false,
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
