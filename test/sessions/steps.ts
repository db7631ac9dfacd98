/**
 * The steps of a user session, as plain data, and a seeded generator of sessions. A step names
 * its target; when a shrunk session has lost the step that made the target, the runner skips it.
 * `formatSteps` prints a list ready to paste into a regression test.
 */
import { createRng, type Rng } from "../../src/sim/rng.js";
import { MODELS, ProjectModel, SIZES, type Model, type Size } from "./project.js";

/** What a manifest save can be: the edits a watch step makes too. */
export type Edit =
  | { k: "add"; id: string; prompt: string; n: number }
  | { k: "remove"; id: string }
  | { k: "edit"; id: string; prompt: string }
  | { k: "revert"; id: string }
  | { k: "rename"; id: string; to: string }
  | { k: "model"; id: string; model: Model }
  | { k: "size"; id: string; size: Size }
  | { k: "variants"; id: string; n: number }
  | { k: "chain"; id: string; from: string }
  | { k: "unchain"; id: string }
  | { k: "film"; name: string; members: string[] };

export type Step =
  | Edit
  /** `plain`: apply --auto-approve; `saved`: plan --out F, then apply F. */
  | { k: "apply"; via: "plain" | "saved"; maxCost?: number }
  /** watch --apply: started, then this edit is saved, the apply it starts awaited, and watch stopped. */
  | { k: "watch"; edit: Edit; maxCost: number; budget: number }
  /** The binary's apply, killed with SIGKILL after its `nth` event of this type (--json lines). */
  | { k: "kill"; after: "submitted" | "succeeded" | "downloaded"; nth: number }
  /** apply --replace ID (or ID#variant). */
  | { k: "reroll"; id: string; variant?: number }
  /** pick ID TAKE, TAKE counted modulo the clip's takes. */
  | { k: "pick"; id: string; take: number }
  | { k: "prune" }
  /** Another copy of the project adds this clip in a manifest of its own, applies it, and its lockfile is merged in. */
  | { k: "pull"; id: string; prompt: string }
  /** Budget = lifetime spend + headroom (null: no budget). */
  | { k: "budget"; scope: "manifest" | "project"; headroom: number | null }
  /** The simulator restarts speaking these dialects, with these faults. */
  | { k: "dialect"; names: string[]; failRate: number; resetRate: number; errorRate: number };

export type Kind = Step["k"];
export const KINDS: Kind[] = ["add", "remove", "edit", "revert", "rename", "model", "size", "variants", "chain", "unchain", "film", "apply", "watch", "kill", "reroll", "pick", "prune", "pull", "budget", "dialect"];

const WEIGHTS: Record<Kind, number> = {
  add: 6, remove: 2, edit: 10, revert: 6, rename: 2, model: 3, size: 2, variants: 3, chain: 4, unchain: 1, film: 3,
  apply: 20, watch: 2, kill: 3, reroll: 4, pick: 5, prune: 3, pull: 2, budget: 4, dialect: 3,
};

/** Dialects a session may switch to: not bad-cost (no one can know a charge the server hides) nor the slow hostile ones. */
export const SESSION_DIALECTS = ["one-by-one", "overcharge", "nulls", "unknown-status", "completed", "no-status", "partial-batch", "errors-200", "error-items", "errors-5xx", "empty-unknown", "redirect", "extra-fields", "wrong-uuid"];

export interface GenerateOptions {
  minSteps?: number;
  maxSteps?: number;
  /** Only these kinds (besides the clips every session starts with). */
  include?: Kind[];
  exclude?: Kind[];
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.int(0, xs.length - 1)]!;

/** A session of 20–60 steps (by default) from `seed`: always the same for the same seed and options. */
export function generateSession(seed: number, o: GenerateOptions = {}): Step[] {
  const r = createRng(seed);
  const model = new ProjectModel();
  const allowed = KINDS.filter((k) => (!o.include || o.include.includes(k)) && !o.exclude?.includes(k));
  const total = r.int(o.minSteps ?? 20, o.maxSteps ?? 60);
  let made = 0;
  let prompts = 0;
  const prompt = () => `Shot ${seed}.${++prompts}: a lighthouse keeper walks the pier at dusk, take ${prompts}`;
  const fresh = () => `c${++made}`;
  const steps: Step[] = [];
  const startWith = r.int(2, 4);
  for (let i = 0; i < startWith; i++) steps.push({ k: "add", id: fresh(), prompt: prompt(), n: 1 });
  for (const s of steps) model.edit(s, () => 0);

  const editFor = (k: Kind): Edit | undefined => {
    const ids = model.ids();
    const any = ids.length ? pick(r, ids) : undefined;
    switch (k) {
      case "add": return { k, id: fresh(), prompt: prompt(), n: r.next() < 0.2 ? 2 : 1 };
      case "remove": return any && ids.length > 1 ? { k, id: any } : undefined;
      case "edit": return any ? { k, id: any, prompt: prompt() } : undefined;
      case "revert": {
        const back = ids.filter((id) => model.clips.get(id)!.history.length > 0);
        return back.length ? { k, id: pick(r, back) } : undefined;
      }
      case "rename": return any ? { k, id: any, to: fresh() } : undefined;
      case "model": return any ? { k, id: any, model: model.clips.get(any)!.model === MODELS[0] ? MODELS[1] : MODELS[0] } : undefined;
      case "size": return any ? { k, id: any, size: model.clips.get(any)!.size === SIZES[0] ? SIZES[1] : SIZES[0] } : undefined;
      case "variants": return any ? { k, id: any, n: model.clips.get(any)!.n === 1 ? 2 : 1 } : undefined;
      case "chain": return ids.length > 1 ? { k, id: any!, from: pick(r, ids.filter((x) => x !== any)) } : undefined;
      case "unchain": {
        const chained = ids.filter((id) => model.clips.get(id)!.from);
        return chained.length ? { k, id: pick(r, chained) } : undefined;
      }
      case "film": {
        if (!ids.length) return undefined;
        const members = Array.from({ length: r.int(1, 3) }, () => pick(r, ids));
        return { k, name: `film${r.int(1, 2)}`, members };
      }
      default: return undefined;
    }
  };

  // A kind list that can make no step here (only removals of the last clip, say) ends the session early.
  for (let tries = 0; steps.length < total && tries < total * 50; tries++) {
    const k = weighted(r, allowed);
    let step: Step | undefined;
    const ids = model.ids();
    switch (k) {
      case "apply":
        step = { k, via: r.next() < 0.7 ? "plain" : "saved", ...(r.next() < 0.25 ? { maxCost: pick(r, [0.2, 0.4, 0.8, 1.5]) } : {}) };
        break;
      case "watch": {
        const edit = editFor(pick(r, ["edit", "add", "variants", "revert"] as const));
        if (edit) step = { k, edit, maxCost: pick(r, [0.5, 1, 5]), budget: pick(r, [0.5, 2, 10]) };
        break;
      }
      case "kill":
        step = { k, after: pick(r, ["submitted", "submitted", "submitted", "succeeded", "succeeded", "downloaded"] as const), nth: r.int(1, 2) };
        break;
      case "reroll":
        if (ids.length) step = { k, id: pick(r, ids), ...(r.next() < 0.3 ? { variant: r.int(1, 2) } : {}) };
        break;
      case "pick":
        if (ids.length) step = { k, id: pick(r, ids), take: r.int(1, 3) };
        break;
      case "prune":
        step = { k };
        break;
      case "pull":
        step = { k, id: fresh(), prompt: prompt() };
        break;
      case "budget":
        // Some room, often little (near a budget is where spending goes wrong), sometimes none left, or no budget again.
        step = { k, scope: r.next() < 0.5 ? "manifest" : "project", headroom: r.next() < 0.35 ? null : pick(r, [0, 0.1, 0.3, 0.5, 1, 2, 5]) };
        break;
      case "dialect": {
        const names = r.next() < 0.25 ? [] : [pick(r, SESSION_DIALECTS), ...(r.next() < 0.3 ? [pick(r, SESSION_DIALECTS)] : [])];
        const faulty = r.next() < 0.4;
        step = { k, names: [...new Set(names)], failRate: faulty ? pick(r, [0.1, 0.3]) : 0, resetRate: faulty && r.next() < 0.5 ? 0.05 : 0, errorRate: faulty && r.next() < 0.5 ? 0.05 : 0 };
        break;
      }
      default:
        step = editFor(k);
    }
    if (!step) continue;
    steps.push(step);
    if (step.k === "watch") model.edit(step.edit, () => 0);
    else model.edit(step, () => 0);
  }
  return steps;
}

function weighted(r: Rng, kinds: Kind[]): Kind {
  const sum = kinds.reduce((s, k) => s + WEIGHTS[k], 0);
  let x = r.next() * sum;
  for (const k of kinds) if ((x -= WEIGHTS[k]) < 0) return k;
  return kinds[kinds.length - 1]!;
}

/** The steps as TypeScript, one per line, ready to paste into a regression test. */
export function formatSteps(steps: Step[]): string {
  return `[\n${steps.map((s) => `  ${JSON.stringify(s)},`).join("\n")}\n]`;
}
