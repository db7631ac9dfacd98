/**
 * `clipform status`: every state from a hand-made lockfile over a real project, money counted
 * once per video, the JSON shape, the text table; then the example project after a real apply on
 * the simulator.
 */
import { readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LockEntry, LockResult, LockTask } from "../../src/lockfile/schema.js";
import { loadProject } from "../../src/manifest/index.js";
import { cli, exampleProject, project } from "../helpers/cli.js";

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = (files: Record<string, string | Buffer>) => {
  const d = project(files);
  made.push(d);
  return d;
};

interface StatusJson {
  format_version: string;
  lockfile: { path: string; exists: boolean; lineage: string | null; serial: number };
  manifests: ({ manifest: string; exists: boolean; clips: number; spent_usd: number; estimated_pending_usd: number; items: ItemJson[] } & Counts)[];
  totals: Counts & { manifests: number; clips: number; spent_usd: number; estimated_pending_usd: number };
}
type Counts = { generated: number; pending: number; in_flight: number; failed: number; missing_files: number; deleted: number };
interface ItemJson {
  address: string;
  manifest: string;
  state: string;
  action: string;
  reason: string;
  in_manifest: boolean;
  variants: { wanted: number | null; recorded: number };
  spent_usd: number;
  copied_usd: number;
  estimated_cost_usd?: number;
  error?: { code: string; message: string };
  in_flight_tasks?: string[];
  missing_files?: { variant: number; file: string | null; state: string }[];
}

const SHOTS = `version: 1
defaults:
  model: klingai:3@1
  width: 1280
  height: 720
  duration: 5
clips:
  done-clip:
    positivePrompt: A lighthouse keeper climbs the stairs at dusk
  copy-clip:
    positivePrompt: A lighthouse keeper climbs the stairs at dusk
  new-clip:
    positivePrompt: A tram crosses a bridge in the fog
  more-variants:
    positivePrompt: Gulls circle a fishing boat
    numberResults: 2
  flying-clip:
    positivePrompt: A paper boat drifts down a gutter in the rain
  failed-clip:
    positivePrompt: Fireworks over a frozen lake
  missing-clip:
    positivePrompt: A fox crosses a snowy field
`;
const OTHER = `version: 1
clips:
  other-clip:
    model: klingai:3@1
    positivePrompt: An old clock tower at noon
    width: 1280
    height: 720
  altered-clip:
    model: klingai:3@1
    positivePrompt: Rain on a tin roof, close up
    width: 1280
    height: 720
`;

let counter = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, "0")}`;
const VIDEO = Buffer.alloc(321, 7);

function taskOf(status: LockTask["status"], error?: { code: string; message: string }): LockTask {
  return { taskUUID: uuid(), numberResults: 1, status, submittedAt: "2026-01-01T00:00:00.000Z", ...(status !== "submitted" ? { finishedAt: "2026-01-01T00:04:00.000Z" } : {}), ...(error ? { error } : {}) };
}
function resultOf(t: LockTask, file: string | undefined, cost: number): LockResult {
  return { taskUUID: t.taskUUID, videoUUID: uuid(), costUsd: cost, videoURL: "https://sim.invalid/v.mp4", ...(file ? { file, sha256: "a".repeat(64), bytes: VIDEO.length } : {}) };
}

/** A project with every state: the lockfile is built from the manifests' own fingerprints. */
function everyState(): { dir: string; tasks: Record<string, string> } {
  const dir = tmp({
    "specs/shots.yaml": SHOTS,
    "specs/other.yaml": OTHER,
    "clipform-out/done-clip.v1.mp4": VIDEO,
    "clipform-out/copy-clip.v1.mp4": VIDEO,
    "clipform-out/more-variants.v1.mp4": VIDEO,
    "clipform-out/other-clip.v1.mp4": VIDEO,
    "clipform-out/altered-clip.v1.mp4": Buffer.alloc(5),
  });
  const p = loadProject({ root: dir });
  expect(p.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const clip = (a: string) => p.clips.find((c) => c.address === a)!;
  const entryOf = (a: string, tasks: LockTask[], results: LockResult[]): LockEntry => {
    const c = clip(a);
    return { fingerprint: c.fingerprint, manifest: c.manifest, model: c.generation.model, request: c.generation as unknown as Record<string, unknown>, numberResults: c.numberResults, tasks, results };
  };
  const t = (k: string, x: LockTask) => ((tasks[k] = x.taskUUID), x);
  const tasks: Record<string, string> = {};
  const done = t("done", taskOf("succeeded"));
  const doneResult = resultOf(done, "clipform-out/done-clip.v1.mp4", 0.1848);
  const more = taskOf("succeeded");
  const flying = t("flying", taskOf("submitted"));
  const failed = taskOf("failed", { code: "modelError", message: "the model could not render this prompt" });
  const missing = taskOf("succeeded");
  const other = taskOf("succeeded");
  const altered = taskOf("succeeded");
  const gone = taskOf("succeeded");
  const old = taskOf("succeeded");
  const oldEntry = entryOf("done-clip", [old], [resultOf(old, "clipform-out/old-shot.v1.mp4", 0.25)]);
  const clips: Record<string, LockEntry> = {
    "done-clip": entryOf("done-clip", [done], [doneResult]),
    // A reuse copy: the same video, paid once (by done-clip).
    "copy-clip": entryOf("copy-clip", [], [{ ...doneResult, file: "clipform-out/copy-clip.v1.mp4" }]),
    "more-variants": entryOf("more-variants", [more], [resultOf(more, "clipform-out/more-variants.v1.mp4", 0.1848)]),
    "flying-clip": entryOf("flying-clip", [flying], []),
    "failed-clip": entryOf("failed-clip", [failed], []),
    "missing-clip": entryOf("missing-clip", [missing], [resultOf(missing, "clipform-out/missing-clip.v1.mp4", 0.1848)]),
    "other-clip": entryOf("other-clip", [other], [resultOf(other, "clipform-out/other-clip.v1.mp4", 0.3)]),
    "altered-clip": entryOf("altered-clip", [altered], [resultOf(altered, "clipform-out/altered-clip.v1.mp4", 0.1848)]),
    "old-shot": { ...oldEntry, fingerprint: "f".repeat(64) },
    "gone-clip": { ...entryOf("other-clip", [gone], [resultOf(gone, "clipform-out/gone-clip.v1.mp4", 0.5)]), manifest: "specs/removed.yaml", fingerprint: "e".repeat(64) },
  };
  const lock = { format_version: 1, lineage: "33333333-3333-4333-8333-333333333333", serial: 12, clips };
  writeFileSync(join(dir, "clipform.lock.json"), JSON.stringify(lock, null, 2));
  return { dir, tasks };
}

async function statusJson(dir: string, args: string[] = []): Promise<StatusJson> {
  const r = await cli(["status", "--json", ...args], { cwd: dir });
  if (r.code !== 0) throw new Error(`status --json exited ${r.code}\n${r.stderr}`);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as StatusJson;
}

describe("clipform status", () => {
  it("reports every state per manifest, with errors, in-flight tasks, missing files, and money counted once", async () => {
    const { dir, tasks } = everyState();
    const s = await statusJson(dir);
    expect(s.format_version).toBe("1");
    expect(s.lockfile).toEqual({ path: "clipform.lock.json", exists: true, lineage: "33333333-3333-4333-8333-333333333333", serial: 12 });
    const states = Object.fromEntries(s.manifests.flatMap((m) => m.items.map((i) => [i.address, [m.manifest, i.state, i.action]])));
    expect(states).toEqual({
      "done-clip": ["specs/shots.yaml", "generated", "no-op"],
      "copy-clip": ["specs/shots.yaml", "generated", "no-op"],
      "new-clip": ["specs/shots.yaml", "pending", "create"],
      "more-variants": ["specs/shots.yaml", "pending", "add-variants"],
      "flying-clip": ["specs/shots.yaml", "in-flight", "resume"],
      "failed-clip": ["specs/shots.yaml", "failed", "retry"],
      "missing-clip": ["specs/shots.yaml", "missing-files", "download"],
      "old-shot": ["specs/shots.yaml", "deleted", "delete"],
      "other-clip": ["specs/other.yaml", "generated", "no-op"],
      "altered-clip": ["specs/other.yaml", "missing-files", "download"],
      "gone-clip": ["specs/removed.yaml", "deleted", "delete"],
    });
    const item = (a: string) => s.manifests.flatMap((m) => m.items).find((i) => i.address === a)!;
    expect(item("failed-clip").error).toEqual({ code: "modelError", message: "the model could not render this prompt" });
    expect(item("flying-clip").in_flight_tasks).toEqual([tasks.flying]);
    expect(item("missing-clip").missing_files).toEqual([{ variant: 1, file: "clipform-out/missing-clip.v1.mp4", state: "missing" }]);
    expect(item("altered-clip").missing_files).toEqual([{ variant: 1, file: "clipform-out/altered-clip.v1.mp4", state: "altered" }]);
    expect(item("more-variants").variants).toEqual({ wanted: 2, recorded: 1 });
    expect(item("gone-clip")).toMatchObject({ in_manifest: false, variants: { wanted: null, recorded: 1 }, spent_usd: 0.5 });
    // The copy is not paid twice.
    expect(item("done-clip")).toMatchObject({ spent_usd: 0.1848, copied_usd: 0 });
    expect(item("copy-clip")).toMatchObject({ spent_usd: 0, copied_usd: 0.1848 });

    // Estimates are the plan's own.
    const plan = JSON.parse((await cli(["plan", "--json"], { cwd: dir })).stdout) as { changes: { address: string; estimated_cost_usd: number | null; generate: number }[] };
    for (const a of ["new-clip", "more-variants", "failed-clip"]) {
      const c = plan.changes.find((x) => x.address === a)!;
      expect(c.generate).toBe(1);
      expect(item(a).estimated_cost_usd).toBe(c.estimated_cost_usd);
    }
    // The in-flight task was never acknowledged: what resending it could cost is shown, as in the plan.
    expect(item("flying-clip").estimated_cost_usd).toBe(plan.changes.find((x) => x.address === "flying-clip")!.estimated_cost_usd);

    const rows = Object.fromEntries(s.manifests.map(({ items: _i, ...m }) => [m.manifest, m]));
    expect(rows["specs/shots.yaml"]).toMatchObject({ exists: true, clips: 7, generated: 2, pending: 2, in_flight: 1, failed: 1, missing_files: 1, deleted: 1, spent_usd: 0.8044 });
    expect(rows["specs/other.yaml"]).toMatchObject({ exists: true, clips: 2, generated: 1, pending: 0, missing_files: 1, deleted: 0, spent_usd: 0.4848 });
    expect(rows["specs/removed.yaml"]).toMatchObject({ exists: false, clips: 0, deleted: 1, spent_usd: 0.5 });
    expect(s.manifests.map((m) => m.manifest)).toEqual(["specs/other.yaml", "specs/shots.yaml", "specs/removed.yaml"]);
    const pendingEstimate = ["new-clip", "more-variants", "failed-clip", "flying-clip"].reduce((sum, a) => sum + item(a).estimated_cost_usd!, 0);
    expect(s.totals).toEqual({
      manifests: 2,
      clips: 9,
      generated: 3,
      pending: 2,
      in_flight: 1,
      failed: 1,
      missing_files: 2,
      deleted: 2,
      spent_usd: 1.7892,
      spent_estimated_usd: 0,
      unknown_cost_results: 0,
      unpriced_cost_results: 0,
      estimated_pending_usd: Math.round(pendingEstimate * 1e4) / 1e4,
    });
    // Every lockfile video counted exactly once.
    const lock = JSON.parse(readFileSync(join(dir, "clipform.lock.json"), "utf8")) as { clips: Record<string, { results: { videoUUID: string; costUsd: number }[] }> };
    const unique = new Map(Object.values(lock.clips).flatMap((e) => e.results.map((r) => [r.videoUUID, r.costUsd] as const)));
    expect(s.totals.spent_usd).toBeCloseTo([...unique.values()].reduce((a, b) => a + b, 0), 6);
  });

  it("prints a table per manifest and a line per clip that needs attention", async () => {
    const { dir, tasks } = everyState();
    const r = await cli(["status"], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("clipform status: 9 clips in 2 manifests, lockfile serial 12");
    const header = lines.find((l) => l.startsWith("manifest"))!;
    expect(header.split(/\s{2,}/)).toEqual(["manifest", "clips", "generated", "pending", "in flight", "failed", "missing files", "deleted", "spent", "pending est."]);
    const cells = (name: string) => lines.find((l) => l.startsWith(name))!.split(/\s{2,}/);
    expect(cells("specs/shots.yaml")).toEqual(["specs/shots.yaml", "7", "2", "2", "1", "1", "1", "1", "$0.80", expect.stringMatching(/^\$/)]);
    expect(cells("specs/removed.yaml (gone)").slice(1, 9)).toEqual(["0", "0", "0", "0", "0", "0", "1", "$0.50"]);
    expect(cells("total").slice(0, 9)).toEqual(["total", "9", "3", "2", "1", "1", "2", "2", "$1.79"]);
    expect(r.stdout).toMatch(/^ {2}! failed-clip +failed: modelError: the model could not render this prompt \(apply retries it, \$[\d.]+ estimated\)$/m);
    expect(r.stdout).toContain(`  > flying-clip    in flight: 1 task (${tasks.flying}): apply polls, never pays twice; one the API never acknowledged is sent once more if it does not know it, $0.2468 estimated`);
    expect(r.stdout).toMatch(/^ {2}v missing-clip +missing on disk: clipform-out\/missing-clip\.v1\.mp4 \(missing\): apply downloads again, no cost$/m);
    expect(r.stdout).toMatch(/^ {2}v altered-clip +missing on disk: clipform-out\/altered-clip\.v1\.mp4 \(altered\)/m);
    expect(r.stdout).toMatch(/^ {2}\+ new-clip +pending create: not in the lockfile, \$[\d.]+ estimated$/m);
    expect(r.stdout).toMatch(/^ {2}- gone-clip +no longer in any manifest, still in the lockfile \(\$0\.50 spent\): apply drops the entry$/m);
    expect(r.stdout).not.toMatch(/done-clip|copy-clip|other-clip/);
    expect(r.stdout).toMatch(/^Spent: \$1\.79 in total\./m);
  });

  it("without a lockfile: everything pending, nothing spent", async () => {
    const dir = tmp({ "specs/shots.yaml": SHOTS });
    const s = await statusJson(dir);
    expect(s.lockfile).toEqual({ path: "clipform.lock.json", exists: false, lineage: null, serial: 0 });
    expect(s.totals).toMatchObject({ clips: 7, pending: 7, generated: 0, spent_usd: 0 });
    expect(s.totals.estimated_pending_usd).toBeGreaterThan(0);
  });

  it("exits 1 with FILE:LINE:COL on an invalid manifest, and on a corrupt lockfile", async () => {
    const bad = tmp({ "specs/shots.yaml": SHOTS.replace("    positivePrompt: A tram", "    positivPrompt: A tram") });
    const r = await cli(["status"], { cwd: bad });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^specs\/shots\.yaml:13:5: unknown field "positivPrompt"/m);
    expect(r.stdout).toBe("");
    const corrupt = tmp({ "specs/shots.yaml": SHOTS, "clipform.lock.json": "{ not json" });
    const r2 = await cli(["status"], { cwd: corrupt });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/clipform\.lock\.json.*not valid JSON/);
  });

  it("on the example project after apply --sim: all generated, spent = what the lockfile records; a deleted file shows up", async () => {
    const dir = exampleProject();
    made.push(dir);
    const applied = await cli(["apply", "--sim", "--auto-approve"], { cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, ".clipform", "sim", "clipform.lock.json"), "utf8")) as { serial: number; clips: Record<string, { manifest: string; results: { costUsd: number; file: string }[] }> };
    const s = await statusJson(dir, ["--sim"]);
    expect(s.lockfile).toMatchObject({ simulated: true });
    expect(s.totals).toMatchObject({ manifests: 4, clips: 12, generated: 12, pending: 0, in_flight: 0, failed: 0, missing_files: 0, deleted: 0, estimated_pending_usd: 0 });
    const spentBy = new Map<string, number>();
    for (const e of Object.values(lock.clips)) spentBy.set(e.manifest, (spentBy.get(e.manifest) ?? 0) + e.results.reduce((a, r) => a + r.costUsd, 0));
    for (const m of s.manifests) expect(m.spent_usd, m.manifest).toBeCloseTo(spentBy.get(m.manifest)!, 4);
    expect(s.totals.spent_usd).toBeCloseTo([...spentBy.values()].reduce((a, b) => a + b, 0), 4);
    expect(s.totals.spent_usd).toBeGreaterThan(2);
    expect(s.lockfile.serial).toBe(lock.serial);
    const text = (await cli(["status", "--sim"], { cwd: dir })).stdout;
    expect(text).toMatch(/Everything is generated and on disk\.$/m);
    expect(text).toMatch(/^simulated record \(\.clipform\/sim\/clipform\.lock\.json\)/);

    unlinkSync(join(dir, lock.clips["origami-dragon"]!.results[1]!.file));
    const after = await statusJson(dir, ["--sim"]);
    expect(after.totals).toMatchObject({ generated: 11, missing_files: 1 });
    const origami = after.manifests.flatMap((m) => m.items).find((i) => i.address === "origami-dragon")!;
    expect(origami.missing_files).toEqual([{ variant: 2, file: ".clipform/sim/clipform-out/origami-dragon.v2.mp4", state: "missing" }]);
  }, 60_000);
});
