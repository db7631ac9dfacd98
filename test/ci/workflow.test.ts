/**
 * The shipped GitHub Actions workflow (.github/workflows/clipform.yml), run for real: its shape
 * is checked, and the `run:` scripts of the steps that call clipform are executed as GitHub would
 * (bash -eo pipefail, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, the step's env with its `${{ }}`
 * expressions evaluated), with `npx clipform` running this checkout's binary, against a simulator
 * started here, in a git repository whose origin is a local bare repository.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import YAML from "yaml";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { run, simEnv } from "../helpers/apply-sim.js";
import { BIN, REPO, bareEnv, cli, exampleProject } from "../helpers/cli.js";

const WORKFLOW_PATH = join(REPO, ".github", "workflows", "clipform.yml");
const KEY = "ci-test-key";

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "timeout-minutes"?: number;
}
interface Job {
  if?: string;
  "runs-on": string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { pull_request?: unknown; push?: { branches?: string[] } };
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (): Workflow => YAML.parse(readFileSync(WORKFLOW_PATH, "utf8")) as Workflow;

/** The `npx clipform …` command lines of a job, as argument lists (redirections dropped). */
function clipformCommands(job: Job): string[][] {
  const out: string[][] = [];
  for (const s of job.steps) {
    for (const line of (s.run ?? "").split("\n")) {
      const m = /^\s*npx clipform (.*)$/.exec(line);
      if (m) out.push(m[1]!.replace(/\s*\d?>.*$/, "").trim().split(/\s+/));
    }
  }
  return out;
}

function stepRunning(job: Job, needle: string): Step {
  const found = job.steps.filter((s) => s.run?.includes(needle));
  if (found.length !== 1) throw new Error(`expected one step running "${needle}" in the workflow, found ${found.length}`);
  return found[0]!;
}

interface Contexts {
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  github?: Record<string, string>;
}

/** Evaluates the `${{ a || 'b' }}` expressions this workflow uses; anything else fails the test. */
function evaluate(value: string, ctx: Contexts): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => {
    for (const alt of expr.split("||").map((x) => x.trim())) {
      const lit = /^'(.*)'$/.exec(alt);
      if (lit) return lit[1]!;
      const path = /^(secrets|vars|github)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(alt);
      if (!path) throw new Error(`workflow expression not understood by this test: ${expr}`);
      const v = ctx[path[1] as keyof Contexts]?.[path[2]!];
      if (v) return v;
    }
    return "";
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function sim(): Promise<Simulator> {
  const s = await startSimulator({ latencyMs: 30, apiKey: KEY });
  cleanups.push(() => s.close());
  return s;
}

/** A directory with an `npx` that runs this checkout's clipform (and refuses anything else). */
function npxShim(): string {
  const dir = tempDir("clipform-npx-");
  const shim = join(dir, "npx");
  writeFileSync(
    shim,
    `#!/bin/sh\nif [ "$1" = clipform ]; then shift; exec '${process.execPath}' '${BIN}' "$@"; fi\necho "npx shim: unexpected: npx $*" >&2\nexit 127\n`,
  );
  chmodSync(shim, 0o755);
  return dir;
}

interface Runner {
  cwd: string;
  shim: string;
  contexts: Contexts;
  /** Extra environment (RUNWARE_BASE_URL to reach the simulator). */
  env: Record<string, string>;
}

interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: string;
  summary: string;
}

/** Runs a step's `run:` script as GitHub does with `shell: bash`, without blocking this process (the simulator lives here). */
function runStep(job: Job, step: Step, r: Runner): Promise<StepResult> {
  expect(step.shell, `step "${step.name}" should set shell: bash`).toBe("bash");
  const work = tempDir("clipform-step-");
  const script = join(work, "step.sh");
  writeFileSync(script, step.run!);
  const outputs = join(work, "output");
  const summary = join(work, "summary");
  writeFileSync(outputs, "");
  writeFileSync(summary, "");
  const env: Record<string, string> = {
    ...bareEnv(),
    PATH: `${r.shim}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GITHUB_OUTPUT: outputs,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_REF_NAME: "main",
    RUNNER_TEMP: work,
  };
  for (const [k, v] of Object.entries(job.env ?? {})) env[k] = evaluate(v, r.contexts);
  for (const [k, v] of Object.entries(step.env ?? {})) env[k] = evaluate(v, r.contexts);
  Object.assign(env, r.env);
  return new Promise((resolve, reject) => {
    const p = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd: r.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    p.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`step "${step.name}" did not finish\n${stdout}\n${stderr}`));
    }, 90_000);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, outputs: readFileSync(outputs, "utf8"), summary: readFileSync(summary, "utf8") });
    });
  });
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", args, { cwd, env: bareEnv({ GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" }), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The example project, committed and pushed to a bare `origin` (as a CI checkout would see it). */
function checkout(): { dir: string; origin: string } {
  const dir = exampleProject();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const origin = join(tempDir("clipform-origin-"), "origin.git");
  git(tmpdir(), "init", "-q", "--bare", "-b", "main", origin);
  git(dir, "init", "-q", "-b", "main");
  git(dir, "config", "user.name", "clipform test");
  git(dir, "config", "user.email", "test@clipform.invalid");
  writeFileSync(join(dir, ".gitignore"), "clipform-out/\n.clipform/\nplan.md\nplan.err\n");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "example project");
  git(dir, "remote", "add", "origin", origin);
  git(dir, "push", "-q", "origin", "main");
  return { dir, origin };
}

const lockOf = (text: string) => JSON.parse(text) as { serial: number; lineage: string; clips: Record<string, { results: { videoUUID: string }[] }> };

describe("the GitHub Actions workflow", () => {
  it("has the shape the README describes", () => {
    const wf = workflow();
    expect(wf.on.pull_request).toBeDefined();
    expect(wf.on.push?.branches).toEqual(["main"]);
    const { plan, apply } = wf.jobs;
    expect(plan?.if).toBe("github.event_name == 'pull_request'");
    expect(apply?.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");

    // The commands: the test below runs these very steps; it fails if they go away or change flags.
    expect(clipformCommands(plan!)).toEqual([["validate"], ["plan", "--markdown", "--detailed-exitcode"]]);
    expect(clipformCommands(apply!)).toEqual([["apply", "--auto-approve", "--max-cost", '"$CLIPFORM_MAX_COST"']]);
    expect(stepRunning(apply!, "npx clipform apply").env).toEqual({ CLIPFORM_MAX_COST: "${{ vars.CLIPFORM_MAX_COST || '10' }}" });
    expect(stepRunning(apply!, "git commit").run).toContain(`git config merge.clipform.driver "npx clipform lock merge %O %A %B %P"`);

    // Pull requests: Node 20, npm ci, comment permission, and no secret at all.
    for (const job of [plan!, apply!]) {
      expect(job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"]).toBe(20);
      expect(job.steps.some((s) => s.run === "npm ci")).toBe(true);
    }
    expect(plan!.permissions).toMatchObject({ "pull-requests": "write" });
    expect(JSON.stringify(plan)).not.toContain("secrets.");
    const comment = plan!.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
    expect(comment?.with?.script).toMatch(/updateComment[\s\S]*createComment/);
    expect(comment?.with?.script).toContain('read("plan.md")');

    // Main: one apply at a time, never cancelled; the branch head (not the pushed commit) is applied.
    expect(apply!.concurrency).toEqual({ group: "clipform-apply", "cancel-in-progress": false });
    expect(apply!.permissions).toMatchObject({ contents: "write" });
    expect(apply!.env).toEqual({ RUNWARE_API_KEY: "${{ secrets.RUNWARE_API_KEY }}" });
    expect(apply!.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with?.ref).toBe("${{ github.ref }}");
    const applyStep = stepRunning(apply!, "npx clipform apply");
    expect(applyStep.if).toBe("env.RUNWARE_API_KEY != ''");
    expect(applyStep["timeout-minutes"]).toBeLessThan(Number((apply as unknown as Record<string, number>)["timeout-minutes"]));
    // Whatever happened to apply, the lockfile is committed and the videos are kept.
    expect(stepRunning(apply!, "git commit").if).toMatch(/^always\(\) && /);
    const kept = apply!.steps.filter((s) => /^actions\/(cache\/save|upload-artifact)@/.test(s.uses ?? ""));
    expect(kept).toHaveLength(2);
    for (const s of kept) {
      expect(s.if).toMatch(/^always\(\)/);
      expect(String(s.with?.path)).toContain("clipform-out");
    }
    expect(apply!.steps.find((s) => s.uses?.startsWith("actions/cache/restore@"))?.with?.path).toBe("clipform-out");
  });

  it("runs its clipform steps against the simulator: validate, plan (exit 2), apply under the budget, commit back, plan (exit 0)", async () => {
    const wf = workflow();
    const { plan, apply } = wf.jobs as { plan: Job; apply: Job };
    const s = await sim();
    const { dir, origin } = checkout();
    const runner: Runner = { cwd: dir, shim: npxShim(), contexts: { secrets: { RUNWARE_API_KEY: KEY }, vars: {} }, env: { RUNWARE_BASE_URL: s.apiUrl } };

    // Pull request job.
    const validated = await runStep(plan, stepRunning(plan, "npx clipform validate"), runner);
    expect(validated.stdout).toMatch(/^ok: 12 clips in 4 manifests/);
    expect(validated.code).toBe(0);

    const planStep = stepRunning(plan, "npx clipform plan");
    const planned = await runStep(plan, planStep, runner);
    expect(planned.code, planned.stderr).toBe(0); // exit 2 (changes) is not a failure
    expect(planned.outputs).toBe("exitcode=2\n");
    const md = readFileSync(join(dir, "plan.md"), "utf8");
    expect(md).toMatch(/^### clipform plan\n/);
    expect(md).toContain("| | Address | Action | Model | Detail | Estimate | Price source | Why |");
    expect(md).toContain("estimated cost **$2.68** for 13 generations");
    expect(md).toContain("| `harbor/wide/foggy` | create |");
    expect(planned.summary).toBe(md); // the job summary is the plan
    expect(s.stats().requests).toBe(0); // planning sends nothing

    // Main job: apply with the default budget ($10), then the lockfile is committed back.
    const applyStep = stepRunning(apply, "npx clipform apply");
    const applied = await runStep(apply, applyStep, runner);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("Budget ok --max-cost: this plan $2.68 of $10.00 ($7.32 left)");
    expect(s.stats().videoInference).toBe(12);
    const lock = lockOf(readFileSync(join(dir, "clipform.lock.json"), "utf8"));
    expect(Object.keys(lock.clips)).toHaveLength(12);

    const commitStep = stepRunning(apply, "git commit");
    const committed = await runStep(apply, commitStep, runner);
    expect(committed.code, committed.stdout + committed.stderr).toBe(0);
    expect(git(origin, "log", "-1", "--format=%an|%s", "main").trim()).toBe("github-actions[bot]|clipform: update lockfile [skip ci]");
    expect(git(origin, "show", "main:clipform.lock.json")).toBe(readFileSync(join(dir, "clipform.lock.json"), "utf8"));
    expect(git(origin, "ls-tree", "-r", "--name-only", "main")).not.toMatch(/clipform-out/);

    // Nothing left to do: the PR plan now exits 0, and a second commit step has nothing to commit.
    const again = await runStep(plan, planStep, runner);
    expect(again.code).toBe(0);
    expect(again.outputs).toBe("exitcode=0\n");
    expect(readFileSync(join(dir, "plan.md"), "utf8")).toContain("No changes.");
    const recommit = await runStep(apply, commitStep, runner);
    expect(recommit.code).toBe(0);
    expect(recommit.stdout).toContain("clipform.lock.json is unchanged.");
    expect(git(origin, "rev-list", "--count", "main").trim()).toBe("2");
    expect(s.stats().videoInference).toBe(12); // never paid twice
  }, 120_000);

  it("stops at the budget (CLIPFORM_MAX_COST) before sending anything, and a failing plan fails its step with the error in the summary", async () => {
    const { plan, apply } = workflow().jobs as { plan: Job; apply: Job };
    const s = await sim();
    const { dir } = checkout();
    const runner: Runner = { cwd: dir, shim: npxShim(), contexts: { secrets: { RUNWARE_API_KEY: KEY }, vars: { CLIPFORM_MAX_COST: "1.50" } }, env: { RUNWARE_BASE_URL: s.apiUrl } };
    const applied = await runStep(apply, stepRunning(apply, "npx clipform apply"), runner);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain("error: estimated $2.68 exceeds the --max-cost of $1.50. Nothing was sent.");
    expect(s.stats().requests).toBe(0);
    expect(existsSync(join(dir, "clipform.lock.json"))).toBe(false);

    // A manifest over its own budget: plan exits 1, which fails the step (0 and 2 do not).
    const manifest = join(dir, "specs/text-to-video.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("maxCost: 2.00", "maxCost: 0.10"));
    const planned = await runStep(plan, stepRunning(plan, "npx clipform plan"), runner);
    expect(planned.code).toBe(1);
    expect(planned.outputs).toBe("exitcode=1\n");
    expect(planned.stdout).toContain("::error::clipform plan failed (exit 1)");
    expect(planned.summary).toContain("❌ specs/text-to-video.yaml budget");
    expect(planned.summary).toMatch(/```\nerror: estimated \$0\.55 exceeds the specs\/text-to-video\.yaml budget of \$0\.10; apply would refuse\n```/);
  }, 60_000);

  it("the commit step merges a lockfile pushed to main meanwhile (clipform's merge driver) instead of losing either", async () => {
    const { apply } = workflow().jobs as { apply: Job };
    const s = await sim();
    const { dir: dev, origin } = checkout();
    // main already has an applied lockfile (generated on the same simulator, so its video URLs live).
    const first = await run(["apply", "--auto-approve", "--poll-interval", "20"], { cwd: dev, env: simEnv(s, KEY) });
    expect(first.code, first.stderr).toBe(0);
    git(dev, "add", "clipform.lock.json");
    git(dev, "commit", "-q", "-m", "lockfile");
    mkdirSync(join(dev, "specs", "extra"), { recursive: true });
    writeFileSync(join(dev, "specs/extra/ci.yaml"), "version: 1\nclips:\n  ci-clip:\n    model: klingai:3@1\n    positivePrompt: A lantern festival on a river at night\n    width: 1280\n    height: 720\n");
    git(dev, "add", "-A");
    git(dev, "commit", "-q", "-m", "add ci-clip");
    git(dev, "push", "-q", "origin", "main");

    // CI checks out main and applies ci-clip.
    const ci = join(tempDir("clipform-ci-"), "repo");
    git(tmpdir(), "clone", "-q", origin, ci);
    const runner: Runner = { cwd: ci, shim: npxShim(), contexts: { secrets: { RUNWARE_API_KEY: KEY }, vars: {} }, env: { RUNWARE_BASE_URL: s.apiUrl } };
    const applied = await runStep(apply, stepRunning(apply, "npx clipform apply"), runner);
    expect(applied.code, applied.stderr).toBe(0);
    expect(s.stats().videoInference).toBe(13);
    expect(applied.stderr).toMatch(/Apply complete: 1 succeeded, 0 failed/);

    // Meanwhile a developer adds dev-clip, applies it locally and pushes first.
    writeFileSync(join(dev, "specs/extra/dev.yaml"), "version: 1\nclips:\n  dev-clip:\n    model: klingai:3@1\n    positivePrompt: A cyclist rides through autumn leaves\n    width: 1280\n    height: 720\n");
    const devApply = await run(["apply", "--auto-approve", "--poll-interval", "20", "--target", "dev-clip"], { cwd: dev, env: simEnv(s, KEY) });
    expect(devApply.code, devApply.stderr).toBe(0);
    git(dev, "add", "-A");
    git(dev, "commit", "-q", "-m", "add dev-clip");
    git(dev, "push", "-q", "origin", "main");

    const committed = await runStep(apply, stepRunning(apply, "git commit"), runner);
    expect(committed.code, committed.stdout + committed.stderr).toBe(0);
    expect(s.stats().videoInference).toBe(14); // 12 + ci-clip + dev-clip: nothing generated twice
    expect(committed.stdout).toContain("push rejected (attempt 1)");
    expect(committed.stderr).toMatch(/clipform lock merge: clipform\.lock\.json: 14 entries/);
    const merged = lockOf(git(origin, "show", "main:clipform.lock.json"));
    const ciLock = lockOf(readFileSync(join(runner.cwd, "clipform.lock.json"), "utf8"));
    expect(ciLock).toEqual(merged);
    expect(Object.keys(merged.clips)).toEqual(expect.arrayContaining(["ci-clip", "dev-clip", "origami-dragon"]));
    expect(Object.keys(merged.clips)).toHaveLength(14);
    expect(git(origin, "log", "--format=%s", "-3", "main").trim().split("\n")).toEqual(["clipform: update lockfile [skip ci]", "add dev-clip", "add ci-clip"]);
    // Nothing to generate on main afterwards (the CI checkout lacks dev-clip's video: a download).
    const p = JSON.parse((await cli(["plan", "--json"], { cwd: ci })).stdout) as { summary: Record<string, number>; changes: { address: string; action: string }[] };
    expect(p.summary.generations).toBe(0);
    expect(p.changes.filter((c) => c.action !== "no-op")).toEqual([expect.objectContaining({ address: "dev-clip", action: "download" })]);
  }, 120_000);
});
