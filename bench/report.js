// Renders bench/REPORT.md from the results, with each target and whether it was met.
import { writeFileSync } from "node:fs";

const yes = (ok) => (ok ? "met" : "**missed**");

export function writeReport(r, path) {
  const out = ["# clipform benchmarks", "", `Measured ${r.date} on ${r.machine.cpus} × ${r.machine.cpu}, ${r.machine.memory_gib} GiB, Node ${r.machine.node}.`];
  out.push("Regenerate with `npm run bench` (or `npm run bench -- plan|client|apply|watch` for one section). Ratios compare runs made side by side, interleaved, in the same run.", "");
  if (r.plan) {
    const p = r.plan;
    out.push(
      "## plan on a 10,000-clip project",
      "",
      `A ${(p.manifest_bytes / 1e6).toFixed(1)} MB manifest of ${p.clips} clips and a matching ${(p.lockfile_bytes / 1e6).toFixed(1)} MB lockfile (every clip generated, every file on disk: the plan has nothing to do). Whole process, median of ${p.runs} interleaved runs.`,
      "",
      "| | wall time | peak RSS |",
      "|---|---:|---:|",
      `| bare \`yaml.parse\` of the manifest (default settings) | ${p.bare_yaml_parse_ms} ms | ${p.peak_rss_mib.bare_yaml} MiB |`,
      `| bare \`yaml.parse\` with clipform's parser settings (\`uniqueKeys: false\`) | ${p.bare_yaml_parse_same_settings_ms} ms | ${p.peak_rss_mib.bare_yaml_same_settings} MiB |`,
      `| \`clipform plan\` (parse, lockfile, validation, fingerprints, diff, rendering) | ${p.clipform_plan_ms} ms | ${p.peak_rss_mib.clipform_plan} MiB |`,
      "",
      `Ratio to a bare \`yaml.parse\`: **${p.ratio}×** (target ≤ 1.2×: ${yes(p.ratio <= 1.2)}). Plan reported no changes: ${p.plan_says_no_changes}.`,
      "",
      `clipform parses faster than a bare \`yaml.parse\` because yaml's unique-key check compares each key with every earlier key of its mapping (quadratic in the 10,000 keys of \`clips:\`); clipform turns it off and finds duplicate keys itself in linear time. Against a bare parse with the same settings, clipform's own work (lockfile, validation, expansion, fingerprints, file checks, plan, rendering) is the rest: **${p.ratio_same_settings}×** of that parse.`,
      "",
    );
  }
  if (r.client) {
    const t = r.client.throughput;
    const b = r.client.batch_of_200;
    out.push(
      "## Runware client against the simulator (loopback HTTP)",
      "",
      `- Throughput: **${t.requests_per_second} requests/s** sustained (${t.parallel} concurrent pollers for ${t.seconds} s, ${t.requests} requests).`,
      `- 200 clips in flight (generation ${b.latency_ms} ms): ${b.submit_requests} submit requests, ${b.poll_rounds} polling rounds of ${b.poll_requests_per_round} requests each (50 tasks per request): **${b.http_requests_per_clip} HTTP requests per clip** in all.`,
      "",
    );
  }
  if (r.apply) {
    out.push(
      "## apply: wall time against the ideal",
      "",
      "Whole `clipform apply` process (start-up, plan, submit, poll, download, lockfile writes) against the simulator. Ideal = ceil(N/c) × L, the time the generations alone take.",
      "",
      "| clips N | concurrency c | latency L | wall | ideal | ratio | HTTP requests/clip | polling ticks | tasks per tick (max) | poll requests per tick |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...r.apply.map((a) => `| ${a.clips} | ${a.concurrency} | ${a.latency_ms} ms | ${a.wall_ms} ms | ${a.ideal_ms} ms | **${a.ratio}×** | ${a.api_http_requests_per_clip} | ${a.poll_ticks} | ${a.max_tasks_per_tick} | ${a.poll_http_requests_per_tick} |`),
      "",
      `Target ≤ 1.15×: ${yes(r.apply.every((a) => a.ratio <= 1.15))}. Polling requests per tick stay at ${[...new Set(r.apply.map((a) => a.poll_http_requests_per_tick))].join("/")} while the clips in flight grow from ${r.apply[0].concurrency} to ${r.apply[r.apply.length - 1].concurrency} (one batched getResponse per tick, up to 50 tasks).`,
      "",
    );
  }
  if (r.scale) {
    const kib = (b) => (b === undefined ? "n/a" : `${(b / 1024).toFixed(1)} KiB`);
    out.push(
      "## scale: 6,000 clips at concurrency 600 and 10,000 at 1,000, 4 s latency, before and after",
      "",
      "Whole `clipform apply` process against the simulator, which runs in a process of its own (a real API is another machine: its CPU is not clipform's). Each build run one after the other on this machine, per size. Bytes written per clip: the process's `write_bytes` from /proc/self/io (lockfile, journal and video files), divided by N. Peak RSS: the process's maxRSS. CPU: the clipform process's user + system time, per 1,000 clips (steadier than wall time on a shared machine). Start-up: from the process start to the first task sent (reading and planning the manifest). Load: the 1-minute load average after the run (2 cores).",
      "",
      "| build | clips N | concurrency c | wall | ideal | ratio | start-up | written per clip | peak RSS | CPU per 1,000 clips | simulator CPU | load |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...r.scale.map(
        (a) =>
          `| ${a.build ?? "this"} | ${a.clips} | ${a.concurrency} | ${a.wall_ms} ms | ${a.ideal_ms} ms | **${a.ratio}×** | ${a.first_submitted_ms ?? "n/a"} ms | ${kib(a.write_bytes_per_clip)} | ${a.peak_rss_mib} MiB | ${a.cpu_s_per_1000_clips ?? "n/a"} s | ${a.sim_cpu_s ?? "n/a"} s | ${a.load_average_1m ?? "n/a"} |`,
      ),
      "",
      "Targets (issue 9): wall ≤ 1.15× ideal, ≤ 16 KB written per clip, peak RSS ≤ 250 MB. `BENCH_SCALE_CLIPS=6000|10000` runs one size, `BENCH_BEFORE_BIN=path/to/bin/clipform.js` adds an older build, `BENCH_CPU_PROF=DIR` writes CPU profiles of both processes (read them with `node bench/profile-top.mjs FILE`).",
      "",
    );
  }
  if (r.watch) {
    const w = r.watch;
    out.push(
      "## watch: save → plan on screen",
      "",
      `${w.clips} clips in ${w.manifests} manifests; ${w.saves} saves of one manifest, timed from the write to the new plan in the watcher's output (includes the ${w.debounce_ms} ms debounce and the file event).`,
      "",
      `Median **${w.save_to_plan_ms_median} ms**, p90 ${w.save_to_plan_ms_p90} ms, max ${w.save_to_plan_ms_max} ms (target ≤ 200 ms, judged on the median because the machine is shared: ${yes(w.save_to_plan_ms_median <= 200)}); re-plan inside the process: ${w.replan_inside_process_ms_median} ms median.`,
      "",
    );
  }
  writeFileSync(path, out.join("\n"));
}
