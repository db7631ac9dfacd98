// Preloaded with --import: on exit, appends this process's peak RSS (KiB), bytes written
// (/proc/self/io: write_bytes reached storage, wchar went through write calls, pipes included)
// and CPU time (user and system, µs) as one JSON line to $BENCH_IO_FILE.
import { appendFileSync, readFileSync } from "node:fs";
process.on("exit", () => {
  if (!process.env.BENCH_IO_FILE) return;
  let io = {};
  try {
    io = Object.fromEntries(readFileSync("/proc/self/io", "utf8").trim().split("\n").map((l) => l.split(": ")).map(([k, v]) => [k, Number(v)]));
  } catch {
    /* not Linux */
  }
  const u = process.resourceUsage();
  appendFileSync(process.env.BENCH_IO_FILE, JSON.stringify({ maxRssKiB: u.maxRSS, writeBytes: io.write_bytes, wchar: io.wchar, userUs: u.userCPUTime, systemUs: u.systemCPUTime }) + "\n");
});
