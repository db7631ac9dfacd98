// Preloaded with --import: on exit, appends this process's peak RSS (KiB) to $BENCH_RSS_FILE.
import { appendFileSync } from "node:fs";
process.on("exit", () => {
  if (process.env.BENCH_RSS_FILE) appendFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`);
});
