/**
 * Sequences in the plan, from plain data: a film is cut when it never was, when a member's
 * picked video changed, or when the film is gone or altered; it waits for this plan's
 * generations; it is up to date otherwise. Cutting is free: it never touches cost or budgets.
 */
import { describe, expect, it } from "vitest";
import type { DesiredSequence } from "../../src/manifest/sequences.js";
import type { Lockfile } from "../../src/lockfile/schema.js";
import { pickTake } from "../../src/lockfile/pick.js";
import { hasChanges, plan, type FileState, type PlanInput } from "../../src/plan/plan.js";
import { memberVideos, sequenceKey, sequencesToCut, type SequenceRecord } from "../../src/plan/sequences.js";
import { planToJson, renderMarkdown, renderText } from "../../src/plan/render.js";
import { palette } from "../../src/render/colors.js";
import { checkSavedPlan, savePlan, type SavedPlan } from "../../src/plan/planfile.js";
import { desired, entryFor, lockWith, result, uuid } from "../helpers/plan-data.js";

const prices: PlanInput["prices"] = () => ({ usd: 0.1848, source: "documented", note: "test" });
const arrival = desired("arrival", { positivePrompt: "A train pulls into a snowy station" });
const platform = desired("platform", { positivePrompt: "Passengers step out" });
const trailer = (members = ["arrival", "platform"]): DesiredSequence => ({ name: "trailer", manifest: "specs/clips.yaml", members, location: { file: "specs/clips.yaml", line: 9, col: 3 } });

/** A record saying the trailer was cut from the lockfile's current picked videos, to clipform-out/trailer.mp4. */
function recordFor(lock: Lockfile, members = ["arrival", "platform"], file = "clipform-out/trailer.mp4"): SequenceRecord {
  const inputs = memberVideos(lock, members);
  if (!("videos" in inputs)) throw new Error("test setup: members have no videos");
  return {
    trailer: { key: sequenceKey(inputs.videos), file, sha256: "cd", bytes: 100, mtimeMs: 1, mode: "copy", members, videos: inputs.videos.map((v) => v.videoUUID), cutAt: "2026-01-01T00:00:00Z" },
  };
}

function planWith(o: { lock: Lockfile; record?: SequenceRecord; film?: FileState; members?: string[]; clips?: typeof arrival[]; files?: Map<string, FileState>; targets?: string[]; maxCost?: number }) {
  return plan({
    clips: o.clips ?? [arrival, platform],
    lock: o.lock,
    prices,
    ...(o.files ? { files: o.files } : {}),
    ...(o.targets ? { targets: o.targets } : {}),
    ...(o.maxCost !== undefined ? { maxCost: o.maxCost } : {}),
    sequences: { sequences: [trailer(o.members)], record: o.record ?? {}, films: new Map(o.film ? [["trailer", o.film]] : []), outDir: "clipform-out" },
  });
}

const generated = () => lockWith({ arrival: entryFor(arrival), platform: entryFor(platform) });

describe("sequences in the plan", () => {
  it("never cut: cut, for free (no cost, no budget), and a change for --detailed-exitcode", () => {
    const p = planWith({ lock: generated(), maxCost: 0.01 });
    expect(p.changes.map((c) => c.action)).toEqual(["no-op", "no-op"]);
    expect(p.sequences).toEqual([
      { name: "trailer", manifest: "specs/clips.yaml", action: "cut", reason: "not cut yet: 2 clips into clipform-out/trailer.mp4", members: ["arrival", "platform"], file: "clipform-out/trailer.mp4" },
    ]);
    expect(p.summary.estimated_cost_usd).toBe(0);
    expect(p.budgets.every((b) => b.ok)).toBe(true);
    expect(hasChanges(p)).toBe(true);
  });

  it("cut from the same videos and the film intact: up to date, not a change", () => {
    const lock = generated();
    const p = planWith({ lock, record: recordFor(lock), film: "ok" });
    expect(p.sequences.map((s) => [s.action, s.reason])).toEqual([["no-op", "up to date"]]);
    expect(hasChanges(p)).toBe(false);
  });

  it.each([["missing"], ["altered"]] as const)("the film %s: cut again", (film) => {
    const lock = generated();
    const p = planWith({ lock, record: recordFor(lock), film });
    expect(p.sequences.map((s) => [s.action, s.reason])).toEqual([["cut", `clipform-out/trailer.mp4 is ${film}: cut again`]]);
  });

  it("another take picked for a member: cut again, naming it", () => {
    const lock = generated();
    const record = recordFor(lock);
    // A second take of arrival, kept in its entry; picking it changes the video arrival uses.
    const t2 = uuid();
    const e = lock.clips.arrival!;
    const second = { ...lock, clips: { ...lock.clips, arrival: { ...e, tasks: [...e.tasks, { ...e.tasks[0]!, taskUUID: t2, submittedAt: "2026-01-02T00:00:00Z" }], results: [...e.results, result(t2, 0, { file: "out/arrival-take2.mp4", sha256: "ef" })] } } };
    expect(planWith({ lock: second, record, film: "ok" }).sequences[0]!.action).toBe("no-op");
    const picked = pickTake(second, "arrival", "2").lock;
    expect(planWith({ lock: picked, record, film: "ok" }).sequences.map((s) => [s.action, s.reason])).toEqual([["cut", "the video arrival uses changed: cut again"]]);
  });

  it("the members' order or list changed: cut again", () => {
    const lock = generated();
    const p = planWith({ lock, record: recordFor(lock), film: "ok", members: ["platform", "arrival"] });
    expect(p.sequences.map((s) => [s.action, s.reason])).toEqual([["cut", "its members changed: cut again"]]);
  });

  it("a member this plan generates or replaces: wait, cut after apply (the replace still costs, the cut does not)", () => {
    const lock = generated();
    const edited = desired("arrival", { positivePrompt: "A train pulls into a sunny station" });
    const p = planWith({ lock, record: recordFor(lock), film: "ok", clips: [edited, platform] });
    expect(p.changes.find((c) => c.address === "arrival")!.action).toBe("replace");
    expect(p.sequences.map((s) => [s.action, s.reason])).toEqual([["wait", "cut after this apply: arrival (replace)"]]);
    expect(p.summary.estimated_cost_usd).toBe(0.1848);
    const fresh = planWith({ lock: lockWith({}) });
    expect(fresh.sequences.map((s) => [s.action, s.reason])).toEqual([["wait", "cut after this apply: arrival (create) and platform (create)"]]);
  });

  it("a member with no video, outside --target: a targeted sequence waits for it, saying why, and is not cut", () => {
    const p = planWith({ lock: lockWith({ arrival: entryFor(arrival) }), targets: ["arrival", "trailer"] });
    expect(p.changes.map((c) => [c.address, c.action])).toEqual([["arrival", "no-op"]]);
    expect(p.sequences.map((s) => [s.action, s.reason, s.outside])).toEqual([
      ["wait", "waits for platform (create, outside this plan): never cut from a video about to change; plan it too (--target, or its manifest)", ["platform"]],
    ]);
    expect(sequencesToCut(p, [trailer()])).toEqual([]);
    expect(hasChanges(p)).toBe(false);
  });

  it("--target: a sequence is in the plan only when targeted by name (globs too) or when every member is", () => {
    const lock = generated();
    expect(planWith({ lock, targets: ["arrival"] }).sequences).toEqual([]);
    expect(hasChanges(planWith({ lock, targets: ["arrival"] }))).toBe(false);
    for (const targets of [["trailer"], ["tr*"], ["arrival", "platform"], ["*"]]) {
      const p = planWith({ lock, targets });
      expect(p.sequences.map((s) => [s.name, s.action]), targets.join(" ")).toEqual([["trailer", "cut"]]);
      expect(sequencesToCut(p, [trailer()]).map((s) => s.name)).toEqual(["trailer"]);
    }
    // Targeted by name alone: the members are not planned (nothing generated), the film is cut from what they have.
    expect(planWith({ lock, targets: ["trailer"] }).changes).toEqual([]);
  });

  it("--target the sequence while a member not targeted is edited: it waits and is never cut from the old video", () => {
    const lock = generated();
    const edited = desired("platform", { positivePrompt: "Passengers step out into the snow" });
    const p = planWith({ lock, record: recordFor(lock), film: "ok", clips: [arrival, edited], targets: ["trailer"] });
    expect(p.changes).toEqual([]);
    expect(p.sequences.map((s) => [s.action, s.reason, s.outside])).toEqual([
      ["wait", "waits for platform (replace, outside this plan): never cut from a video about to change; plan it too (--target, or its manifest)", ["platform"]],
    ]);
    expect(sequencesToCut(p, [trailer()])).toEqual([]);
    expect(planToJson(p).sequences).toEqual([expect.objectContaining({ name: "trailer", action: "wait", outside: ["platform"] })]);
    // Targeting the edited member too: it is replaced by this apply and the film is cut after it.
    const both = planWith({ lock, record: recordFor(lock), film: "ok", clips: [arrival, edited], targets: ["trailer", "platform"] });
    expect(both.sequences.map((s) => [s.action, s.reason])).toEqual([["wait", "cut after this apply: platform (replace)"]]);
    expect(sequencesToCut(both, [trailer()]).map((s) => s.name)).toEqual(["trailer"]);
  });

  it("a member declared in a manifest outside the plan (context): cut when it is up to date, wait when it is not", () => {
    const other = { ...platform, manifest: "specs/b.yaml" };
    const lock = lockWith({ arrival: entryFor(arrival), platform: entryFor(other) });
    const withContext = (p: typeof platform) =>
      plan({ clips: [arrival], context: [p], lock, prices, inManifestScope: (m) => m === "specs/clips.yaml", sequences: { sequences: [trailer()], record: {}, films: new Map(), outDir: "clipform-out" } });
    const ready = withContext(other);
    expect(ready.changes.map((c) => c.address)).toEqual(["arrival"]);
    expect(ready.sequences.map((s) => s.action)).toEqual(["cut"]);
    const stale = withContext({ ...desired("platform", { positivePrompt: "Passengers step out into the snow" }), manifest: "specs/b.yaml" });
    expect(stale.changes.map((c) => c.address)).toEqual(["arrival"]);
    expect(stale.summary.estimated_cost_usd).toBe(0);
    expect(stale.sequences.map((s) => [s.action, s.outside])).toEqual([["wait", ["platform"]]]);
    // A member whose manifest has problems has no clip to plan: the film waits too.
    const broken = plan({ clips: [arrival], context: [], lock, prices, inManifestScope: (m) => m === "specs/clips.yaml", sequences: { sequences: [trailer()], record: {}, films: new Map(), outDir: "clipform-out" } });
    expect(broken.sequences.map((s) => s.reason)).toEqual(["waits for platform (its manifest has problems): never cut from a video about to change; plan it too (--target, or its manifest)"]);
  });

  it("a member's file is missing: wait for its download; the film itself is still up to date once cut", () => {
    const lock = generated();
    const files = new Map<string, FileState>([["out/platform-1.mp4", "missing"]]);
    const p = planWith({ lock, files });
    expect(p.changes.find((c) => c.address === "platform")!.action).toBe("download");
    expect(p.sequences.map((s) => [s.action, s.reason])).toEqual([["wait", "waits for its members: platform's file out/platform-1.mp4 is missing"]]);
    expect(planWith({ lock, files, record: recordFor(lock), film: "ok" }).sequences[0]!.action).toBe("wait");
  });

  it("a repeated member is part of the film: the key depends on order and repeats", () => {
    const lock = generated();
    const key = (m: string[]) => sequenceKey((memberVideos(lock, m) as { videos: Parameters<typeof sequenceKey>[0] }).videos);
    expect(new Set([key(["arrival", "platform"]), key(["platform", "arrival"]), key(["arrival", "platform", "arrival"])]).size).toBe(3);
    const p = planWith({ lock, members: ["arrival", "platform", "arrival"] });
    expect(p.sequences[0]!.members).toEqual(["arrival", "platform", "arrival"]);
  });

  it("a film cut elsewhere (apply --out-dir) stays there while intact; once gone, it is cut to the output folder", () => {
    const lock = generated();
    const record = recordFor(lock, undefined, "elsewhere/trailer.mp4");
    expect(planWith({ lock, record, film: "ok" }).sequences.map((s) => [s.action, s.file])).toEqual([["no-op", "elsewhere/trailer.mp4"]]);
    expect(planWith({ lock, record, film: "missing" }).sequences.map((s) => [s.action, s.reason, s.file])).toEqual([
      ["cut", "elsewhere/trailer.mp4 is missing: cut again", "clipform-out/trailer.mp4"],
    ]);
  });

  it("without sequences the plan has none", () => {
    expect(plan({ clips: [arrival], lock: lockWith({}), prices }).sequences).toEqual([]);
  });
});

describe("sequences rendered", () => {
  const lock = generated();
  const p = planWith({ lock });

  it("text: its own section, and the cut in the summary line; the cost stays $0", () => {
    const text = renderText(p, { color: palette(false), manifests: 1, clips: 2 });
    expect(text).toContain("No changes to clips.");
    expect(text).toContain("Sequences (local, free):\n  ~ trailer  cut    clipform-out/trailer.mp4  [arrival, platform]\n      not cut yet: 2 clips into clipform-out/trailer.mp4\n");
    expect(text).toContain("Plan: 1 sequence to cut.");
    expect(text).toContain("Estimated cost: $0.00 for 0 generations");
  });

  it("markdown: a table row per sequence", () => {
    const md = renderMarkdown(p);
    expect(md).toContain("**1 sequence to cut**");
    expect(md).toContain("| `trailer` | cut | `clipform-out/trailer.mp4` | arrival, platform | not cut yet: 2 clips into clipform-out/trailer.mp4 |");
  });

  it("json: a sequences array beside the changes", () => {
    const json = planToJson(p);
    expect(json.sequences).toEqual([{ name: "trailer", action: "cut", reason: "not cut yet: 2 clips into clipform-out/trailer.mp4", members: ["arrival", "platform"], file: "clipform-out/trailer.mp4", manifest: "specs/clips.yaml" }]);
    expect((json.summary as { estimated_cost_usd: number }).estimated_cost_usd).toBe(0);
  });

  it("no sequences: no section", () => {
    const none = plan({ clips: [arrival], lock: lockWith({ arrival: entryFor(arrival) }), prices });
    expect(renderText(none, { color: palette(false), manifests: 1, clips: 1 })).not.toContain("Sequences");
    expect(renderMarkdown(none)).not.toContain("Sequences");
  });
});

describe("sequences in a saved plan", () => {
  const lock = generated();
  const options = { paths: [], targets: [], replace: [] };
  const saved = (p: ReturnType<typeof planWith>) => JSON.parse(savePlan({ plan: p, digest: "d", lockExists: true, options, version: "test" })) as SavedPlan;

  it("are saved with the plan, and applying it refuses when they would now do something else", () => {
    const cut = planWith({ lock });
    const file = saved(cut);
    expect(file.plan.sequences).toMatchObject([{ name: "trailer", action: "cut" }]);
    expect(() => checkSavedPlan(file, { digest: "d", lockExists: true, plan: cut })).not.toThrow();
    const upToDate = planWith({ lock, record: recordFor(lock), film: "ok" });
    expect(() => checkSavedPlan(file, { digest: "d", lockExists: true, plan: upToDate })).toThrow(/the saved plan is stale: recomputing it now gives different sequences to cut/);
  });

  it("a plan saved before sequences existed has none, and still applies when there are none", () => {
    const p = plan({ clips: [arrival], lock: lockWith({ arrival: entryFor(arrival) }), prices });
    const file = saved(p);
    delete (file.plan as { sequences?: unknown }).sequences;
    expect(() => checkSavedPlan(file, { digest: "d", lockExists: true, plan: p })).not.toThrow();
  });
});
