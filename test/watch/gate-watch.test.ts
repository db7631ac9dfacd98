/**
 * `watch --apply` goes through the same spend gate as apply, in-process against the simulator:
 * it honours the project budget of clipform.yaml it was never told about, and counts every
 * charge it cannot believe at its estimate, in its budget and in what it says it spent.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { run } from "../../src/cli/main.js";
import { palette } from "../../src/render/colors.js";
import { RunwareClient } from "../../src/runware/client.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { ProjectWatcher } from "../../src/watch/watch.js";
import { project } from "../helpers/cli.js";

const KEY = "gate-watch-key";
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const clips = (prompts: string[]) => `version: 1\ndefaults:\n  model: klingai:3@1\n  width: 1280\n  height: 720\nclips:\n${prompts.map((p, i) => `  c${i}:\n    positivePrompt: ${p}\n`).join("")}`;

async function sim(dialects: string[] = []): Promise<Simulator> {
  const s = await startSimulator({ latencyMs: 30, apiKey: KEY, dialects });
  closers.push(() => s.close());
  return s;
}

/** `clipform ARGV` in-process; resolves to its exit code and output. */
async function cli(argv: string[], cwd: string, s: Simulator): Promise<{ code: number; text: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = "";
  out.on("data", (d) => (text += String(d)));
  err.on("data", (d) => (text += String(d)));
  const code = await run(argv, { cwd, env: { RUNWARE_BASE_URL: s.apiUrl, RUNWARE_API_KEY: KEY, NO_COLOR: "1" }, stdout: out, stderr: err, stdin: new PassThrough() });
  return { code, text };
}

/** A watcher with --apply against `s`; `waitFor` resolves once its output (from `from`) matches. */
function watcher(dir: string, s: Simulator, budget: number, maxCost: number) {
  let text = "";
  const waiting: { re: RegExp; from: number; resolve: (t: string) => void }[] = [];
  const write = (t: string) => {
    text += t;
    for (const w of waiting.splice(0)) {
      const seen = text.slice(w.from);
      if (w.re.test(seen)) w.resolve(seen);
      else waiting.push(w);
    }
  };
  const client = new RunwareClient({ baseUrl: s.apiUrl, apiKey: KEY });
  const w = new ProjectWatcher({
    root: dir,
    paths: [],
    manifests: ["specs"],
    debounceMs: 20,
    color: palette(false),
    tty: false,
    write,
    apply: { maxCostPerChange: maxCost, budget, session: { client, simulated: false, label: "sim", close: () => client.close() }, concurrency: 4, pollIntervalMs: 20, outDir: "clipform-out" },
  });
  closers.push(async () => {
    await w.close();
    await client.close();
  });
  return {
    start: () => w.start(),
    output: () => text,
    waitFor: (re: RegExp, from = 0) => new Promise<string>((resolve) => (re.test(text.slice(from)) ? resolve(text.slice(from)) : waiting.push({ re, from, resolve }))),
  };
}

describe("watch --apply through the spend gate", () => {
  it("honours the project budget: $0.18 spent of $0.25, --max-cost 5 --budget 5 does not send the next $0.18", async () => {
    const s = await sim();
    const dir = project({ "clipform.yaml": "version: 1\nbudget: 0.25\n", "specs/a.yaml": clips(["The first shot of the project"]) });
    expect((await cli(["apply", "--auto-approve", "--poll-interval", "20"], dir, s)).code).toBe(0);
    expect(s.stats().videoInference).toBe(1);
    writeFileSync(join(dir, "specs/a.yaml"), clips(["The first shot of the project", "A second shot the budget cannot pay for"]));
    const w = watcher(dir, s, 5, 5);
    await w.start();
    // Either outcome ends the wait: the refusal, or (what happened before the gate) the apply.
    const out = await w.waitFor(/not applying: .*\n|Apply (complete|finished)/);
    expect(out).toMatch(/not applying: \$0\.18 already spent \(lifetime, in flight included\) plus \$0\.18 planned exceeds the clipform\.yaml budget of \$0\.25\. Nothing was sent\./);
    // The watch screen shows the budget too, as plan does.
    expect(w.output()).toMatch(/Budget EXCEEDED clipform\.yaml budget/);
    expect(s.stats().videoInference).toBe(1);
  });

  it("costs it cannot believe (negative, 1e400, text, absurd) count at their estimate: --budget 0.5 stops after two $0.18 generations", async () => {
    const s = await sim(["bad-cost"]);
    const dir = project({ "specs/a.yaml": clips(["Take one of a shot"]) });
    const w = watcher(dir, s, 0.5, 5);
    await w.start();
    await w.waitFor(/Apply finished|Apply complete/);
    let mark = w.output().length;
    writeFileSync(join(dir, "specs/a.yaml"), clips(["Take two of a shot"]));
    await w.waitFor(/Apply finished|Apply complete/, mark);
    mark = w.output().length;
    writeFileSync(join(dir, "specs/a.yaml"), clips(["Take three of a shot"]));
    const out = await w.waitFor(/not applying: .*\n|Apply (complete|finished)/, mark);
    expect(out).toMatch(/not applying: \$0\.18 more would take this run past its --budget of \$0\.50 \(spent \$0\.37\)/);
    expect(w.output()).toMatch(/spent this run \$0\.37 of \$0\.50/);
    expect(s.stats().videoInference).toBe(2);
    const lock = JSON.parse(readFileSync(join(dir, "clipform.lock.json"), "utf8")) as { takes?: object; clips: Record<string, { results: { costAnomaly?: object }[] }> };
    expect(lock.clips.c0!.results[0]!.costAnomaly).toBeDefined();
  });
});
