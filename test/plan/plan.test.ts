import { describe, expect, it } from "vitest";
import { plan, hasChanges, type Plan } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { planToJson, renderMarkdown, renderText } from "../../src/plan/render.js";
import { palette } from "../../src/render/colors.js";
import { desired, entryFor, lockWith, uuid } from "../helpers/plan-data.js";
import type { Lockfile } from "../../src/lockfile/schema.js";
import type { DesiredClip } from "../../src/manifest/index.js";

function run(clips: DesiredClip[], lock: Lockfile, extra: Partial<Parameters<typeof plan>[0]> = {}): Plan {
  return plan({ clips, lock, prices: priceBook(lockWith({})), ...extra });
}
const actions = (p: Plan) => Object.fromEntries(p.changes.map((c) => [c.address, c.action]));

describe("plan actions", () => {
  it("create: a clip not in the lockfile, priced from the catalog", () => {
    const p = run([desired("a", {}, 2)], lockWith({}));
    expect(p.changes).toHaveLength(1);
    expect(p.changes[0]).toMatchObject({ action: "create", generate: 2, estimate: { usd: 0.3696, source: "observed" } });
    expect(p.summary.create).toBe(1);
    expect(p.summary.estimated_cost_usd).toBe(0.3696);
  });

  it("no-op: identical clip with its files on disk; money already spent is reported", () => {
    const a = desired("a");
    const p = run([a], lockWith({ a: entryFor(a) }));
    expect(p.changes[0]!.action).toBe("no-op");
    expect(p.summary.spent_unchanged_usd).toBe(0.1848);
    expect(hasChanges(p)).toBe(false);
  });

  it("replace: names each field that forces regeneration with old → new", () => {
    const old = desired("a");
    const now = desired("a", { positivePrompt: "A lighthouse at dawn", duration: 10 });
    const p = run([now], lockWith({ a: entryFor(old) }));
    const c = p.changes[0]!;
    expect(c.action).toBe("replace");
    expect(c.fields).toEqual([
      { field: "positivePrompt", old: "A lighthouse in a storm", new: "A lighthouse at dawn" },
      { field: "duration", old: 5, new: 10 },
    ]);
    expect(c.estimate).toMatchObject({ usd: 0.3696, source: "derived" });
  });

  it("delivery-only changes and numberResults shrinking are no-ops that keep extra variants", () => {
    const three = desired("a", {}, 3);
    const one = { ...desired("a", {}, 1), delivery: { webhookURL: "https://hooks.example/x", ttl: 600 } };
    const p = run([one], lockWith({ a: entryFor(three) }));
    expect(p.changes[0]).toMatchObject({ action: "no-op", generate: 0 });
    expect(p.changes[0]!.reason).toContain("2 more variants kept");
  });

  it("add-variants: numberResults 1 → 3 generates only the two extra variants", () => {
    const one = desired("a", {}, 1);
    const three = desired("a", {}, 3);
    const p = run([three], lockWith({ a: entryFor(one) }));
    expect(p.changes[0]).toMatchObject({ action: "add-variants", generate: 2, estimate: { usd: 0.3696 } });
  });

  it("reuse: a renamed clip reuses the generation at zero cost and the old address is dropped", () => {
    const old = desired("old-name");
    const renamed = desired("new-name");
    const p = run([renamed], lockWith({ "old-name": entryFor(old) }));
    expect(actions(p)).toEqual({ "new-name": "reuse", "old-name": "delete" });
    const reuse = p.changes.find((c) => c.address === "new-name")!;
    expect(reuse).toMatchObject({ reuseFrom: "old-name", generate: 0 });
    expect(p.changes.find((c) => c.address === "old-name")!.reason).toBe("moved to new-name");
    expect(p.summary.estimated_cost_usd).toBe(0);
  });

  it("reuse: a copy of an existing clip costs nothing; two identical new clips pay once", () => {
    const a = desired("a");
    const p1 = run([a, desired("b")], lockWith({ a: entryFor(a) }));
    expect(actions(p1)).toEqual({ a: "no-op", b: "reuse" });
    const p2 = run([desired("x"), desired("y")], lockWith({}));
    expect(actions(p2)).toEqual({ x: "create", y: "reuse" });
    expect(p2.summary.estimated_cost_usd).toBe(0.1848);
  });

  it("resume: a task the API acknowledged is only polled, at no cost", () => {
    const a = desired("a");
    const t = uuid();
    const task = { taskUUID: t, numberResults: 1, status: "submitted" as const, submittedAt: "2026-01-01T00:00:00Z", acceptedAt: "2026-01-01T00:00:01Z" };
    const p = run([a], lockWith({ a: entryFor(a, 0, { tasks: [task] }) }));
    expect(p.changes[0]).toMatchObject({ action: "resume", resumeTasks: [t], generate: 0 });
    expect(p.summary.estimated_cost_usd).toBe(0);
  });

  it("resume: a task recorded but never acknowledged shows what sending it once more could cost", () => {
    const a = desired("a", {}, 2);
    const t = uuid();
    const entry = entryFor(a, 0, { tasks: [{ taskUUID: t, numberResults: 2, status: "submitted", submittedAt: "2026-01-01T00:00:00Z" }] });
    const p = run([a], lockWith({ a: entry }));
    expect(p.changes[0]).toMatchObject({ action: "resume", resumeTasks: [t], generate: 2, estimate: { usd: 0.3696 } });
    expect(p.changes[0]!.reason).toContain("never acknowledged");
  });

  it("a clip removed from the manifests with a task in flight: delete, collecting the task first", () => {
    const a = desired("a");
    const t = uuid();
    const entry = entryFor(a, 0, { tasks: [{ taskUUID: t, numberResults: 1, status: "submitted", submittedAt: "2026-01-01T00:00:00Z" }] });
    const p = run([], lockWith({ a: entry }));
    expect(p.changes[0]).toMatchObject({ action: "delete", resumeTasks: [t], generate: 0 });
    expect(p.changes[0]!.reason).toMatch(/first collect its task in flight/);
  });

  it("retry: a failed generation is generated again, with the API's error in the reason", () => {
    const a = desired("a", {}, 2);
    const entry = entryFor(a, 1);
    entry.tasks[0]!.status = "partial";
    entry.tasks[0]!.error = { code: "timeoutProvider", message: "provider timed out" };
    const p = run([a], lockWith({ a: entry }));
    expect(p.changes[0]).toMatchObject({ action: "retry", generate: 1 });
    expect(p.changes[0]!.reason).toContain("timeoutProvider");
  });

  it("download: generated but the local file is missing or altered", () => {
    const a = desired("a", {}, 2);
    const files = new Map([
      ["out/a-1.mp4", "ok" as const],
      ["out/a-2.mp4", "missing" as const],
    ]);
    const p = run([a], lockWith({ a: entryFor(a) }), { files });
    expect(p.changes[0]).toMatchObject({ action: "download", downloads: [1], generate: 0 });
  });

  it("delete: in the lockfile but in no manifest", () => {
    const a = desired("a");
    const b = desired("b", { positivePrompt: "Something else" });
    const p = run([a], lockWith({ a: entryFor(a), b: entryFor(b) }));
    expect(actions(p)).toEqual({ a: "no-op", b: "delete" });
  });

  it("money already spent counts a reused copy once, where it was paid", () => {
    const p0 = desired("p");
    const paid = entryFor(p0);
    const copy = { ...entryFor(desired("q")), tasks: [], results: paid.results.map((r) => ({ ...r, file: "out/q-1.mp4" })) };
    const p = run([p0, desired("q")], lockWith({ p: paid, q: copy }));
    expect(p.changes.map((c) => [c.address, c.action, c.spentUsd])).toEqual([
      ["p", "no-op", 0.1848],
      ["q", "no-op", 0],
    ]);
    expect(p.summary.spent_unchanged_usd).toBe(0.1848);
  });

  it("--target limits the plan to matching addresses, deletes included", () => {
    const clips = [desired("harbor/wide", { positivePrompt: "wide" }), desired("harbor/square", { positivePrompt: "square" }), desired("tram")];
    const other = desired("zzz", { positivePrompt: "gone" });
    const p = run(clips, lockWith({ zzz: entryFor(other) }), { targets: ["harbor/*"] });
    expect(actions(p)).toEqual({ "harbor/square": "create", "harbor/wide": "create" });
  });

  it("--replace ADDR#N: a variant the clip does not have is refused, naming the ones it has", () => {
    const a = desired("a", {}, 2);
    expect(() => run([a], lockWith({ a: entryFor(a) }), { replace: ["a#3"] })).toThrow("--replace a#3: a has 2 variants to reroll (1–2); nothing was planned");
    expect(run([a], lockWith({ a: entryFor(a) }), { replace: ["a#2"] }).changes[0]).toMatchObject({ action: "replace", variant: 2, generate: 1 });
  });

  it("--replace forces regeneration of an unchanged clip", () => {
    const a = desired("a");
    const p = run([a], lockWith({ a: entryFor(a) }), { replace: ["a"] });
    expect(p.changes[0]).toMatchObject({ action: "replace", generate: 1, reason: "forced with --replace" });
  });

  it("learned prices from this project's own results win over the catalog and say so", () => {
    const a = desired("a");
    const entry = entryFor(a);
    entry.results[0]!.costUsd = 0.2;
    const lock = lockWith({ a: entry });
    const p = plan({ clips: [a, desired("b", { positivePrompt: "new" })], lock, prices: priceBook(lock) });
    const b = p.changes.find((c) => c.address === "b")!;
    expect(b.estimate).toMatchObject({ usd: 0.2, source: "learned" });
  });

  it("budget: --max-cost and manifest budgets are checked against the estimate", () => {
    const clips = [desired("a", {}, 4), desired("b", { positivePrompt: "b" }, 4)];
    const p = run(clips, lockWith({}), { maxCost: 1, manifests: [{ file: "specs/clips.yaml", clips: 2, budget: 2 }] });
    expect(p.summary.estimated_cost_usd).toBe(1.4784);
    expect(p.budgets).toEqual([
      { scope: "--max-cost", limitUsd: 1, estimatedUsd: 1.4784, ok: false },
      { scope: "specs/clips.yaml budget", limitUsd: 2, estimatedUsd: 1.4784, spentUsd: 0, ok: true },
    ]);
  });

  it("per-model totals and the price source of each", () => {
    const p = run([desired("a", { model: "klingai:1@2" }), desired("b", { model: "klingai:1@1", duration: 5 })], lockWith({}));
    expect(p.byModel).toEqual([
      { model: "klingai:1@1", generations: 1, usd: 0.0924, sources: ["derived"] },
      { model: "klingai:1@2", generations: 1, usd: 0.3234, sources: ["observed"] },
    ]);
  });
});

describe("plan rendering", () => {
  const a = desired("a");
  const p = run([desired("a", { positivePrompt: "A new prompt" }), desired("b", { positivePrompt: "b" })], lockWith({ a: entryFor(a) }));

  it("text: Terraform-like symbols, field diffs and a summary line, no colour when disabled", () => {
    const text = renderText(p, { color: palette(false), manifests: 1, clips: 2 });
    expect(text).toMatch(/^ {2}\+ b +create +klingai:3@1/m);
    expect(text).toMatch(/^-\/\+ a +replace/m);
    expect(text).toContain('~ positivePrompt: "A lighthouse in a storm" → "A new prompt"');
    expect(text).toContain("Plan: 1 to create, 1 to replace.");
    expect(text).toContain("Estimated cost: $0.37 for 2 generations");
    expect(text).not.toContain("\x1b[");
    expect(renderText(p, { color: palette(true), manifests: 1, clips: 2 })).toContain("\x1b[");
  });

  it("markdown: a table for PR comments with the estimate", () => {
    const md = renderMarkdown(p);
    expect(md).toContain("| 🟢 | `b` | create | klingai:3@1 | 5s 1280x720 ×1 | $0.1848 | observed |");
    expect(md).toContain("**1 to create, 1 to replace** · estimated cost **$0.37**");
  });

  it("json: follows the documented contract", () => {
    const j = planToJson(p) as { format_version: string; changes: Record<string, unknown>[]; summary: Record<string, number> };
    expect(j.format_version).toBe("1");
    for (const c of j.changes) for (const k of ["address", "action", "reason", "estimated_cost_usd"]) expect(c).toHaveProperty(k);
    expect(j.summary).toMatchObject({ create: 1, replace: 1, "no-op": 0, estimated_cost_usd: 0.3696 });
  });
});
