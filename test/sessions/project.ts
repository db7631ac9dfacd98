/**
 * The session's project as the user edits it: clips (in the main manifest or in manifests a pull
 * brought), films, budgets. Edits are plain data (steps.ts); `edit` applies one and says whether
 * it made sense here (a shrunk session keeps steps whose target is gone: they are skipped).
 */
import type { Step } from "./steps.js";

export const MAIN = "clips";
export const MODELS = ["klingai:3@1", "alibaba:wan@2.6"] as const;
export const SIZES = ["1280x720", "720x1280"] as const;
export type Model = (typeof MODELS)[number];
export type Size = (typeof SIZES)[number];

export interface ClipModel {
  /** The manifest file under specs/ (without .yaml). */
  manifest: string;
  prompt: string;
  /** Earlier prompts, most recent last: a revert goes back to the last one. */
  history: string[];
  model: Model;
  size: Size;
  n: number;
  from?: string | undefined;
}

export class ProjectModel {
  clips = new Map<string, ClipModel>();
  films = new Map<string, string[]>();
  manifestBudget: number | undefined;
  projectBudget: number | undefined;
  /** Every manifest the project has had: one emptied by removals stays, with no clips. */
  readonly known = new Set([MAIN]);

  clone(): ProjectModel {
    const c = new ProjectModel();
    for (const [id, x] of this.clips) c.clips.set(id, { ...x, history: [...x.history] });
    for (const [name, m] of this.films) c.films.set(name, [...m]);
    c.manifestBudget = this.manifestBudget;
    c.projectBudget = this.projectBudget;
    for (const k of this.known) c.known.add(k);
    return c;
  }

  ids(manifest?: string): string[] {
    return [...this.clips].filter(([, c]) => manifest === undefined || c.manifest === manifest).map(([id]) => id);
  }

  /** Clips whose frame comes from `id`, directly or further down. */
  downstream(id: string): Set<string> {
    const out = new Set<string>();
    const walk = (x: string) => {
      for (const [d, c] of this.clips) if (c.from === x && !out.has(d)) (out.add(d), walk(d));
    };
    walk(id);
    return out;
  }

  /** Applies a manifest or budget edit; false when it does not apply to this project (skipped). */
  edit(s: Step, spent: () => number): boolean {
    const c = "id" in s ? this.clips.get(s.id) : undefined;
    switch (s.k) {
      case "add":
        if (this.clips.has(s.id)) return false;
        this.clips.set(s.id, { manifest: MAIN, prompt: s.prompt, history: [], model: "klingai:3@1", size: "1280x720", n: s.n });
        return true;
      case "remove":
        if (!c) return false;
        this.clips.delete(s.id);
        for (const d of this.clips.values()) if (d.from === s.id) d.from = undefined;
        this.#dropFromFilms(s.id);
        return true;
      case "edit":
        if (!c || c.prompt === s.prompt) return false;
        c.history.push(c.prompt);
        c.prompt = s.prompt;
        return true;
      case "revert": {
        const back = c?.history.pop();
        if (!c || back === undefined) return false;
        c.prompt = back;
        return true;
      }
      case "rename":
        if (!c || this.clips.has(s.to)) return false;
        this.clips.delete(s.id);
        this.clips.set(s.to, c);
        for (const d of this.clips.values()) if (d.from === s.id) d.from = s.to;
        for (const [name, m] of this.films) this.films.set(name, m.map((x) => (x === s.id ? s.to : x)));
        return true;
      case "model":
        if (!c || c.model === s.model) return false;
        c.model = s.model;
        return true;
      case "size":
        if (!c || c.size === s.size) return false;
        c.size = s.size;
        return true;
      case "variants":
        if (!c || c.n === s.n) return false;
        c.n = s.n;
        return true;
      case "chain":
        if (!c || !this.clips.has(s.from) || s.from === s.id || c.from === s.from || this.downstream(s.id).has(s.from)) return false;
        c.from = s.from;
        return true;
      case "unchain":
        if (!c?.from) return false;
        c.from = undefined;
        return true;
      case "film": {
        const members = s.members.filter((m) => this.clips.has(m));
        if (members.length === 0) return this.films.delete(s.name);
        this.films.set(s.name, members);
        return true;
      }
      case "pull":
        if (this.clips.has(s.id)) return false;
        this.clips.set(s.id, { manifest: `pulled-${s.id}`, prompt: s.prompt, history: [], model: "klingai:3@1", size: "1280x720", n: 1 });
        this.known.add(`pulled-${s.id}`);
        return true;
      case "budget": {
        const usd = s.headroom === null ? undefined : Math.round((spent() + s.headroom) * 100) / 100;
        if (s.scope === "manifest") this.manifestBudget = usd;
        else this.projectBudget = usd;
        return true;
      }
      default:
        return false;
    }
  }

  #dropFromFilms(id: string): void {
    for (const [name, m] of this.films) {
      const left = m.filter((x) => x !== id);
      if (left.length === 0) this.films.delete(name);
      else this.films.set(name, left);
    }
  }

  /** specs/<manifest>.yaml → its text, for every manifest the project has had. */
  manifests(): Map<string, string> {
    return new Map([...this.known].map((m) => [`specs/${m}.yaml`, this.#render(m)]));
  }

  #render(manifest: string): string {
    const lines = ["version: 1"];
    if (manifest === MAIN && this.manifestBudget !== undefined) lines.push("budget:", `  maxCost: ${this.manifestBudget}`);
    lines.push("defaults:", "  duration: 5", "clips:");
    const ids = this.ids(manifest).sort();
    if (ids.length === 0) lines[lines.length - 1] = "clips: {}";
    for (const id of ids) {
      const c = this.clips.get(id)!;
      const [w, h] = c.size.split("x");
      lines.push(`  ${id}:`, `    model: ${c.model}`, `    width: ${w}`, `    height: ${h}`, `    positivePrompt: ${JSON.stringify(c.prompt)}`);
      if (c.n > 1) lines.push(`    numberResults: ${c.n}`);
      if (c.from) lines.push("    inputs:", "      frameImages:", `        - image: { from: ${c.from}, frame: last }`, "          frame: first");
    }
    if (manifest === MAIN && this.films.size > 0) {
      lines.push("sequences:");
      for (const [name, m] of [...this.films].sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${name}: [${m.join(", ")}]`);
    }
    return lines.join("\n") + "\n";
  }

  config(): string {
    return `version: 1\n${this.projectBudget !== undefined ? `budget: ${this.projectBudget}\n` : ""}`;
  }
}
