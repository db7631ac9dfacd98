/**
 * The invariants checked after every step of a session (issue 19):
 *  a. no request is paid twice unless a reroll asked for it (per request fingerprint, against the
 *     simulator's own record of charges);
 *  b. no paid take is lost: every charge is recorded, and every live take is kept, its file on disk
 *     or downloadable for free;
 *  c. lifetime spend (status --json) equals what the simulator charged (to the cent per take);
 *  d. every budget: charged ≤ budget + one generation's real charge;
 *  e. after a successful apply the plan has no changes, and no film waits on a take that exists;
 *  f. no stack trace ("internal error"), exit codes as documented;
 *  g. (beyond the list) a pick holds: while the clip is at the request it was picked for,
 *     the clip uses the picked take.
 * b, c, d and g are checked when the record is settled (nothing in flight): a kill leaves work in
 * flight that only a later apply collects.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProjectModel } from "./project.js";
import { readRecord, tasksOf } from "./record.js";
import type { LockResult } from "../../src/lockfile/schema.js";
import type { Figures } from "./runner.js";
import type { Step } from "./steps.js";
import { budgetViolations, type BudgetWatch } from "./budgets.js";
import type { Output, World } from "./world.js";

export type Invariant = "a" | "b" | "c" | "d" | "e" | "f" | "g";
export interface Violation {
  invariant: Invariant;
  message: string;
}

/** What the checks remember across steps. */
export class Facts {
  /** Every task a settled record ever held: its request, clip, manifest and variants. */
  readonly tasks = new Map<string, { fingerprint: string; address: string; manifest: string; n: number }>();
  /** Most variants ever wanted of a request, and the extra ones rerolls asked for. */
  readonly wanted = new Map<string, number>();
  readonly extra = new Map<string, number>();
  readonly budgets: BudgetWatch[] = [];
  /** Picks made: clip → the take (task UUID prefix) and the request it was made for. */
  readonly picks = new Map<string, { prefix: string; fingerprint: string | undefined }>();
  #reroll: { id: string; variant: number | undefined } | undefined;
  #acceptedBefore = new Set<string>();
  #step = -1;

  beginStep(i: number, step: Step, model: ProjectModel, world: World): void {
    this.#step = i;
    this.#reroll = undefined;
    this.#acceptedBefore = new Set(world.charges().accepted);
    const run = step.k === "apply" ? step.maxCost : step.k === "watch" ? Math.min(step.maxCost, step.budget) : undefined;
    if (["apply", "watch", "kill", "reroll", "pull"].includes(step.k)) {
      this.budgets.push({ step: i, before: new Set(this.#acceptedBefore), tasks: [], project: model.projectBudget, manifest: model.manifestBudget, run, evaluated: false });
    }
    if (step.k === "rename" || step.k === "remove") this.picks.delete(step.id);
    // Prune forgets a pick remembered for a request the clip has left, with its take (README,
    // "What prune keeps"): from then on that pick is no promise any more.
    if (step.k === "prune") {
      const clips = readRecord(world.dir).lock.clips;
      for (const [id, p] of this.picks) if (clips[id]?.fingerprint !== p.fingerprint) this.picks.delete(id);
    }
  }

  rerolled(id: string, variant: number | undefined): void {
    this.#reroll = { id, variant };
    this.picks.delete(id);
  }

  picked(id: string, prefix: string, world: World): void {
    this.picks.set(id, { prefix, fingerprint: readRecord(world.dir).lock.clips[id]?.fingerprint });
  }

  /** After the step ran: what it sent, and what the settled record now says. */
  observe(world: World): string[] {
    const accepted = world.charges().accepted.filter((t) => !this.#acceptedBefore.has(t));
    const b = this.budgets.at(-1);
    if (b && b.step === this.#step) b.tasks = accepted;
    const lock = readRecord(world.dir).lock;
    for (const [uuid, t] of tasksOf(lock)) {
      this.tasks.set(uuid, { fingerprint: t.fingerprint, address: t.address, manifest: t.manifest, n: t.task.numberResults });
      this.wanted.set(t.fingerprint, Math.max(this.wanted.get(t.fingerprint) ?? 0, t.task.numberResults));
    }
    for (const e of Object.values(lock.clips)) this.wanted.set(e.fingerprint, Math.max(this.wanted.get(e.fingerprint) ?? 0, e.numberResults));
    if (this.#reroll) {
      for (const uuid of accepted) {
        const t = this.tasks.get(uuid);
        if (t && t.address === this.#reroll.id) this.extra.set(t.fingerprint, (this.extra.get(t.fingerprint) ?? 0) + t.n);
      }
    }
    return accepted;
  }
}

interface PlanJson {
  changes: { address: string; action: string; downloads?: number[]; kept_downloads?: string[] }[];
  sequences?: { name: string; action: string; reason: string; members: string[] }[];
}

const ALLOWED: Record<string, number[]> = { apply: [0, 1, 75], plan: [0, 1, 2], watch: [0], pick: [0, 1], prune: [0, 1], lock: [0, 1], status: [0, 1] };

export async function checkStep(world: World, model: ProjectModel, facts: Facts, step: Step, outputs: Output[], figures: Figures): Promise<Violation[]> {
  const v: Violation[] = [];
  const say = (invariant: Invariant, message: string) => v.push({ invariant, message });
  // f: every command's exit and output.
  for (const o of outputs) {
    const text = o.stdout + o.stderr;
    if (/internal error|\n\s+at .+\(.+:\d+:\d+\)/.test(text)) say("f", `clipform ${o.argv.join(" ")}: a stack trace\n${tail(text)}`);
    if (/^apply failed: /m.test(o.stdout)) say("f", `clipform ${o.argv.join(" ")}: watch says "apply failed" (a bug, not a refusal)\n${tail(text)}`);
    if (o.signal === "SIGKILL") continue;
    if (!(ALLOWED[o.argv[0]!] ?? [0, 1]).includes(o.code)) say("f", `clipform ${o.argv.join(" ")} exited ${o.code}\n${tail(text)}`);
  }
  // A pull only adds a clip on the other side: its lockfile must merge cleanly, or its paid take is lost to us.
  for (const o of outputs) if (o.argv[0] === "lock" && o.code !== 0) say("b", `clipform lock merge of another copy that only added a clip exited ${o.code}: its paid take does not reach this lockfile\n${tail(o.stderr + o.stdout)}`);
  // A lockfile left with conflict markers cannot be read: nothing more to check.
  if (v.some((x) => x.message.startsWith("clipform lock merge"))) return v;
  facts.observe(world);
  const record = readRecord(world.dir);
  const charges = world.charges();
  const status = await world.cli(["status", "--json"]);
  const planOut = await world.cli(["plan", "--json"]);
  for (const o of [status, planOut]) if (!(ALLOWED[o.argv[0]!] ?? [0]).includes(o.code) || /internal error/.test(o.stderr)) say("f", `clipform ${o.argv.join(" ")} exited ${o.code}\n${tail(o.stderr)}`);
  const plan = parse<PlanJson>(planOut.stdout);
  const action = new Map(plan?.changes.map((c) => [c.address, c.action]) ?? []);

  // a: paid results per request, against the most variants it was ever wanted with (plus rerolls).
  const paid = new Map<string, number>();
  for (const [uuid, usd] of charges.byTask) {
    const t = facts.tasks.get(uuid);
    if (t && usd > 0) paid.set(t.fingerprint, (paid.get(t.fingerprint) ?? 0) + t.n);
  }
  // A pruned take "cannot be reused without paying again": paying again for it is no fault.
  const pruned = new Map<string, number>();
  for (const p of Object.values(record.lock.pruned ?? {})) pruned.set(p.fingerprint, (pruned.get(p.fingerprint) ?? 0) + p.results);
  for (const [fp, n] of paid) {
    const allowed = (facts.wanted.get(fp) ?? 0) + (facts.extra.get(fp) ?? 0) + (pruned.get(fp) ?? 0);
    if (n > allowed) say("a", `request ${fp.slice(0, 16)}… (${[...facts.tasks.values()].find((t) => t.fingerprint === fp)?.address}) paid for ${n} results; wanted at most ${facts.wanted.get(fp)}, rerolls asked ${facts.extra.get(fp) ?? 0} more, ${pruned.get(fp) ?? 0} pruned`);
  }

  const settled = record.inFlight === 0 && charges.inFlight === 0;
  if (settled) {
    const held = tasksOf(record.lock);
    const prunedFps = new Set(Object.values(record.lock.pruned ?? {}).map((p) => p.fingerprint));
    // b: every charge recorded; every live take kept and on disk (or downloadable).
    for (const [uuid, usd] of charges.byTask) {
      if (usd <= 0 || held.has(uuid)) continue;
      const t = facts.tasks.get(uuid);
      if (!t) say("b", `task ${uuid} was charged $${usd} but no record ever held it`);
      else if (!prunedFps.has(t.fingerprint)) say("b", `task ${uuid} of ${t.address} was charged $${usd} but the record dropped it without a pruned record`);
    }
    const videos = new Set([...held.values()].flatMap((t) => t.results.map((r) => r.videoUUID)));
    for (const [address, e] of Object.entries(record.lock.clips)) {
      if (!model.clips.has(address)) continue;
      if (action.get(address) === "no-op") {
        for (const r of e.results) if (r.file && !fileMatches(world.dir, r.file, r.sha256)) say("b", `${address}: ${r.file} is missing or altered, yet the plan says no-op (not download)`);
      }
      for (const f of (e.request.frameImages as { video?: string }[] | undefined) ?? []) {
        if (f.video && !videos.has(f.video)) say("b", `${address} was made from video ${f.video}, which the record no longer holds (a live take dropped)`);
      }
    }
    for (const [address, p] of facts.picks) {
      const e = record.lock.clips[address];
      if (!e || !model.clips.has(address) || e.fingerprint !== p.fingerprint) continue;
      const take = [...held.values()].find((t) => t.task.taskUUID.startsWith(p.prefix));
      if (!take || take.results.length === 0) {
        say("b", `${address}: its picked take ${p.prefix} is gone from the record (the clip is still at the request it was picked for)`);
        continue;
      }
      // g: the clip uses the take it was picked for.
      const uses = e.picked ?? e.results.at(-1)?.taskUUID ?? e.tasks.at(-1)?.taskUUID;
      if (!uses?.startsWith(p.prefix)) say("g", `${address}: picked take ${p.prefix} for this request, but the clip uses ${uses?.slice(0, 8) ?? "no take"} (picked ${e.picked?.slice(0, 8) ?? "none recorded"})`);
      // The plan downloads it: a download, or a change (a replace) that fetches it first.
      const ch = plan?.changes.find((c) => c.address === address);
      const fetched = (r: LockResult) => ch?.action === "download" || !!ch?.kept_downloads?.includes(r.videoUUID) || !!ch?.downloads?.includes(e.results.findIndex((x) => x.videoUUID === r.videoUUID));
      for (const r of take.results) if (r.file && !fileMatches(world.dir, r.file, r.sha256) && !fetched(r)) say("b", `${address}: the picked take's ${r.file} is missing and the plan does not download it (${action.get(address)})`);
    }
    // c: lifetime spend equals the charges, per take and in total.
    {
      for (const [uuid, usd] of charges.byTask) {
        const t = held.get(uuid);
        if (!t) continue;
        figures.chargesCompared++;
        const recorded = t.results.reduce((s, r) => s + (r.costUsd ?? 0), 0);
        if (Math.abs(recorded - usd) > 0.005) say("c", `task ${uuid.slice(0, 8)} of ${t.address}: recorded $${round(recorded)}, charged $${round(usd)}`);
      }
      const charged = [...charges.byTask.values()].reduce((s, x) => s + x, 0);
      const spent = parse<{ totals: { spent_usd: number } }>(status.stdout)?.totals.spent_usd;
      if (spent !== undefined && Math.abs(spent - charged) > 0.005 * Math.max(1, charges.byTask.size)) say("c", `status says $${round(spent)} spent in all, the simulator charged $${round(charged)}`);
      // d: every budget that bound a step, now that its charges are all known.
      for (const m of budgetViolations(facts, charges.byTask, figures)) say("d", m);
    }
  }

  // e: after a successful apply, nothing left to do; never a film waiting on takes that exist.
  const applied = outputs.filter((o) => o.argv[0] === "apply" && o.code === 0 && o.argv.every((a) => !a.startsWith("specs/pulled-")));
  if (applied.length > 0 && plan && (step.k === "apply" || step.k === "reroll")) {
    const left = plan.changes.filter((c) => c.action !== "no-op").map((c) => `${c.address} ${c.action}`);
    const films = (plan.sequences ?? []).filter((s) => s.action !== "no-op").map((s) => `film ${s.name} ${s.action}`);
    if (left.length + films.length > 0) say("e", `apply exited 0, yet the plan still has: ${[...left, ...films].join(", ")}`);
  }
  for (const s of plan?.sequences ?? []) {
    if (s.action === "wait" && s.members.every((m) => action.get(m) === "no-op")) say("e", `film ${s.name} waits (${s.reason}) though every member is up to date`);
  }
  return v;
}

function fileMatches(dir: string, file: string, sha256: string | undefined): boolean {
  const path = join(dir, file);
  if (!existsSync(path)) return false;
  return sha256 === undefined || createHash("sha256").update(readFileSync(path)).digest("hex") === sha256;
}

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

const round = (x: number) => Math.round(x * 10000) / 10000;
const tail = (t: string) => t.split("\n").slice(-12).join("\n");
