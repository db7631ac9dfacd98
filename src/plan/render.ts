/**
 * Plan renderers: text for people, markdown for pull-request comments, JSON for tools. All
 * three key on the same `action` field; none of them prints or reads the environment.
 */
import { comparisons } from "./compare.js";
import type { Palette } from "../render/colors.js";
import type { Diagnostic } from "../diagnostics.js";
import { unitUsd, usd } from "../util/usd.js";
import { spentText } from "../money/unknown-cost.js";
import { ACTIONS, type Action, type BudgetCheck, type Change, type FieldChange, type Plan } from "./plan.js";
import { withContext, WORD_DIFF_MIN_LENGTH, wordDiff } from "./worddiff.js";
import { sequencesJson, sequencesMarkdown, sequencesSummary, sequencesText } from "./render-sequences.js";

export { unitUsd, usd } from "../util/usd.js";

export const PLAN_JSON_FORMAT = "1";

const SYMBOL: Record<Action, string> = {
  create: "+",
  replace: "-/+",
  "add-variants": "+~",
  reuse: "=",
  resume: ">",
  retry: "!",
  download: "v",
  delete: "-",
  "no-op": " ",
};

const VERB: Record<Action, string> = {
  create: "to create",
  replace: "to replace",
  "add-variants": "to add variants to",
  reuse: "to reuse",
  resume: "to resume",
  retry: "to retry",
  download: "to download",
  delete: "to delete",
  "no-op": "unchanged",
};

function shorten(v: unknown, max = 60): string {
  if (v === undefined) return "(unset)";
  const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function frameDiff(f: FieldChange): string {
  const show = (v: unknown) =>
    Array.isArray(v)
      ? v.map((x: { frame?: string; image?: string; file?: string }) => `${x.frame}: ${x.file ?? ""}${x.file ? " " : ""}${String(x.image).slice(0, 19)}${String(x.image).length > 19 ? "…" : ""}`).join(", ")
      : "(none)";
  return `${show(f.old)} → ${show(f.new)}`;
}

/** How removed and added words are marked: `[-old-]{+new+}` in text (as git's word diff), struck and bold in markdown. */
export interface DiffMarks {
  old: (s: string) => string;
  new: (s: string) => string;
}

export const TEXT_MARKS: DiffMarks = { old: (s) => `[-${s}-]`, new: (s) => `{+${s}+}` };
export const MARKDOWN_MARKS: DiffMarks = { old: (s) => `~~${s}~~`, new: (s) => `**${s}**` };

/** A long text changed: only the changed words, with a little context, so a change anywhere in it shows. */
function textDiff(old: string, now: string, marks: DiffMarks): string {
  const parts = withContext(wordDiff(old, now));
  // A replacement reads as one unit: removed words right against the added ones.
  return parts.map((p, k) => `${k === 0 || (p.kind === "new" && parts[k - 1]!.kind === "old") ? "" : " "}${p.kind === "same" ? p.text : marks[p.kind](p.text)}`).join("");
}

export function describeField(f: FieldChange, marks: DiffMarks = TEXT_MARKS): string {
  if (f.field === "frameImages") return `frameImages: ${frameDiff(f)}`;
  if (typeof f.old === "string" && typeof f.new === "string" && Math.max(f.old.length, f.new.length) > WORD_DIFF_MIN_LENGTH) {
    return `${f.field}: ${textDiff(f.old, f.new, marks)}`;
  }
  return `${f.field}: ${shorten(f.old)} → ${shorten(f.new)}`;
}

/** "$1.79", or "≈$1.79" when part of it is the estimate of results whose charge is unknown (see the ledger). */
function spentUnchanged(p: Plan): string {
  const s = p.summary;
  return spentText(s.spent_unchanged_usd, s.unknown_cost_results ? { results: s.unknown_cost_results, estimatedUsd: s.spent_unchanged_estimated_usd ?? 0, unpriced: s.unpriced_cost_results ?? 0 } : undefined);
}

/** What counts against a budget: this plan's estimate, plus what was spent when the check counts lifetime spend. */
type Budget = BudgetCheck;

/** "spent X of Y (Z left)": how every output words a budget, within it or over it. */
export function budgetText(b: Budget): string {
  const spent = b.spentUsd ?? 0;
  const used = spent + b.estimatedUsd;
  const left = b.limitUsd - used;
  const what = spent > 0 ? `spent ${usd(spent)} + this plan ${usd(b.estimatedUsd)}` : `this plan ${usd(b.estimatedUsd)}`;
  return `${b.scope}: ${what} of ${usd(b.limitUsd)} (${left >= -1e-9 ? `${usd(Math.max(0, left))} left` : `over by ${usd(-left)}`})`;
}

/** "estimated $X exceeds the <scope> of $Y": how every command words a budget the plan is over. */
export function overBudgetText(b: BudgetCheck): string {
  if (b.unpriced) {
    return `${b.unpriced} result${b.unpriced === 1 ? " has" : "s have"} no known price, so the ${b.scope} of ${usd(b.limitUsd)} cannot be checked (give the model a price in the project's models/ folder)`;
  }
  if (b.spentUsd) return `${usd(b.spentUsd)} already spent (lifetime, in flight included) plus ${usd(b.estimatedUsd)} planned exceeds the ${b.scope} of ${usd(b.limitUsd)}`;
  return `estimated ${usd(b.estimatedUsd)} exceeds the ${b.scope} of ${usd(b.limitUsd)}`;
}

/** Estimated cost and generations per manifest, for the changes that generate anything. */
export function costByManifest(p: Plan): { manifest: string; generations: number; usd: number }[] {
  const by = new Map<string, { manifest: string; generations: number; usd: number }>();
  for (const ch of p.changes) {
    if (ch.generate === 0 || !ch.manifest) continue;
    const m = by.get(ch.manifest) ?? { manifest: ch.manifest, generations: 0, usd: 0 };
    m.generations += ch.generate;
    m.usd += ch.estimate?.usd ?? 0;
    by.set(ch.manifest, m);
  }
  return [...by.values()].sort((a, b) => a.manifest.localeCompare(b.manifest));
}

export function summaryLine(p: Plan): string {
  const parts = ACTIONS.filter((a) => a !== "no-op" && p.summary[a] > 0).map((a) => `${p.summary[a]} ${VERB[a]}`);
  const cuts = sequencesSummary(p.sequences);
  if (cuts) parts.push(cuts);
  return parts.length ? parts.join(", ") : "no changes";
}

function colorFor(a: Action, c: Palette): (s: string) => string {
  switch (a) {
    case "create":
    case "add-variants":
      return c.green;
    case "replace":
    case "retry":
      return c.yellow;
    case "delete":
      return c.red;
    case "reuse":
    case "resume":
    case "download":
      return c.cyan;
    default:
      return (s) => s;
  }
}

export interface TextOptions {
  color: Palette;
  manifests: number;
  clips: number;
  warnings?: Diagnostic[];
  /** The plan reads the simulator's record (this lockfile): say so, so nobody takes it for the real one. */
  simulated?: string;
}

/** How every output that reads the simulator's record says so. */
export function simulatedNote(lockfile: string): string {
  return `simulated record (${lockfile}): videos from the local simulator, nothing was paid; the real lockfile is not read`;
}

export function renderText(p: Plan, o: TextOptions): string {
  const c = o.color;
  const out: string[] = [];
  const shown = p.changes.filter((x) => x.action !== "no-op");
  out.push(c.bold(`clipform plan: ${o.clips} clip${o.clips === 1 ? "" : "s"} in ${o.manifests} manifest${o.manifests === 1 ? "" : "s"}, lockfile serial ${p.lockfile.serial}`));
  if (o.simulated) out.push(c.magenta(simulatedNote(o.simulated)));
  out.push("");
  if (shown.length === 0) {
    out.push(c.green(`No changes${sequencesSummary(p.sequences) ? " to clips" : ""}. The lockfile matches the manifests and every file is on disk.`));
  } else {
    const width = Math.min(48, Math.max(...shown.map((x) => x.address.length)));
    for (const ch of shown) {
      const paint = colorFor(ch.action, c);
      const cost = ch.generate > 0 && ch.estimate ? `${unitUsd(ch.estimate.usd)} ${c.dim(`(${ch.estimate.source})`)}` : ch.generate > 0 ? c.red("unpriced") : c.dim("$0");
      const head = `${paint(SYMBOL[ch.action].padStart(3))} ${c.bold(ch.address.padEnd(width))}  ${paint(ch.action.padEnd(12))} ${(ch.model ?? "").padEnd(11)} ${(ch.detail ?? "").padEnd(16)} ${cost}`;
      out.push(head.trimEnd());
      out.push(`      ${c.dim(ch.reason)}`);
      const marks: DiffMarks = { old: (s) => c.red(TEXT_MARKS.old(s)), new: (s) => c.green(TEXT_MARKS.new(s)) };
      for (const f of ch.fields ?? []) out.push(`      ${c.yellow("~")} ${describeField(f, marks)}`);
    }
  }
  const sideBySide = comparisons(p.changes);
  if (sideBySide.length > 0) {
    out.push("");
    out.push(c.bold("Side by side:"));
    for (const g of sideBySide) {
      const cost = (ch: Change) => (ch.generate === 0 ? c.dim(`${spentText(ch.spentUsd, ch.spentUnknown)} spent`) : ch.estimate ? unitUsd(ch.estimate.usd) : c.red("unpriced"));
      out.push(`  ${g.shot}  ${g.variants.map((v) => `${v.model} ${cost(v.change)}`).join(" · ")}`);
    }
  }
  if (p.byModel.length > 0) {
    out.push("");
    out.push(c.bold("Cost by model:"));
    for (const m of p.byModel) {
      out.push(`  ${m.model.padEnd(12)} ${String(m.generations).padStart(4)} generation${m.generations === 1 ? " " : "s"}  ${usd(m.usd).padStart(9)}  ${c.dim(`price: ${m.sources.join(", ")}`)}`);
    }
    const manifests = costByManifest(p);
    const width = Math.max(12, ...manifests.map((m) => m.manifest.length));
    out.push("");
    out.push(c.bold("Cost by manifest:"));
    for (const m of manifests) out.push(`  ${m.manifest.padEnd(width)} ${String(m.generations).padStart(4)} generation${m.generations === 1 ? " " : "s"}  ${usd(m.usd).padStart(9)}`);
  }
  out.push(...sequencesText(p.sequences, c));
  out.push("");
  out.push(`${c.bold("Plan:")} ${summaryLine(p)}.`);
  out.push(`${c.bold("Estimated cost:")} ${usd(p.summary.estimated_cost_usd)} for ${p.summary.generations} generation${p.summary.generations === 1 ? "" : "s"} · already spent on unchanged clips: ${spentUnchanged(p)}`);
  for (const b of p.budgets) {
    out.push(`${c.bold("Budget")} ${b.ok ? c.green("ok") : c.red(b.unpriced ? "CANNOT BE CHECKED" : "EXCEEDED")} ${b.unpriced ? overBudgetText(b) : budgetText(b)}`);
  }
  return out.join("\n") + "\n";
}

const MD_ICON: Record<Action, string> = {
  create: "🟢",
  replace: "🟡",
  "add-variants": "🟢",
  reuse: "🔵",
  resume: "🔵",
  retry: "🟠",
  download: "🔵",
  delete: "🔴",
  "no-op": "⚪",
};

const mdCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(p: Plan, o: { simulated?: string } = {}): string {
  const out: string[] = [];
  const shown = p.changes.filter((x) => x.action !== "no-op");
  out.push("### clipform plan");
  out.push("");
  if (o.simulated) {
    out.push(`> **${mdCell(simulatedNote(o.simulated))}**`);
    out.push("");
  }
  out.push(`**${summaryLine(p)}** · estimated cost **${usd(p.summary.estimated_cost_usd)}** for ${p.summary.generations} generation${p.summary.generations === 1 ? "" : "s"} · already spent on unchanged clips ${spentUnchanged(p)}`);
  for (const b of p.budgets) out.push(`${b.ok ? "✅" : "❌"} ${mdCell(b.unpriced ? overBudgetText(b) : budgetText(b))}${b.ok ? "" : b.unpriced ? " — **cannot be checked**" : " — **over budget**"}`);
  out.push("");
  if (shown.length > 0) {
    out.push("| | Address | Action | Model | Detail | Estimate | Price source | Why |");
    out.push("|---|---|---|---|---|---:|---|---|");
    for (const ch of shown) {
      const cost = ch.generate > 0 && ch.estimate ? unitUsd(ch.estimate.usd) : "$0";
      out.push(`| ${MD_ICON[ch.action]} | \`${ch.address}\` | ${ch.action} | ${ch.model ?? ""} | ${ch.detail ?? ""} | ${cost} | ${ch.generate > 0 ? (ch.estimate?.source ?? "unknown") : ""} | ${mdCell(ch.reason)} |`);
    }
    const replaced = shown.filter((x) => x.fields?.length);
    if (replaced.length) {
      out.push("");
      out.push("<details><summary>Fields that force regeneration</summary>");
      out.push("");
      for (const ch of replaced) for (const f of ch.fields!) out.push(`- \`${ch.address}\`: ${mdCell(describeField(f, MARKDOWN_MARKS))}`);
      out.push("");
      out.push("</details>");
    }
  } else {
    out.push("No changes.");
  }
  const sideBySide = comparisons(p.changes);
  if (sideBySide.length > 0) {
    out.push("");
    out.push("| Side by side | Each model's cost |");
    out.push("|---|---|");
    const cost = (ch: Change) => (ch.generate === 0 ? `${spentText(ch.spentUsd, ch.spentUnknown)} spent` : ch.estimate ? unitUsd(ch.estimate.usd) : "**unpriced**");
    for (const g of sideBySide) out.push(`| \`${g.shot}\` | ${g.variants.map((v) => `${mdCell(v.model)} ${cost(v.change)}`).join(" · ")} |`);
  }
  if (p.byModel.length) {
    out.push("");
    out.push("| Model | Generations | Estimate | Price source |");
    out.push("|---|---:|---:|---|");
    for (const m of p.byModel) out.push(`| ${m.model} | ${m.generations} | ${usd(m.usd)} | ${m.sources.join(", ")} |`);
    out.push("");
    out.push("| Manifest | Generations | Estimate |");
    out.push("|---|---:|---:|");
    for (const m of costByManifest(p)) out.push(`| ${mdCell(m.manifest)} | ${m.generations} | ${usd(m.usd)} |`);
  }
  out.push(...sequencesMarkdown(p.sequences));
  return out.join("\n") + "\n";
}

export function planToJson(p: Plan, warnings: Diagnostic[] = [], o: { simulated?: string } = {}): Record<string, unknown> {
  return {
    format_version: PLAN_JSON_FORMAT,
    lockfile: o.simulated ? { ...p.lockfile, simulated: true, path: o.simulated } : p.lockfile,
    changes: p.changes.map((ch: Change) => ({
      kind: ch.kind ?? "video",
      address: ch.address,
      action: ch.action,
      reason: ch.reason,
      estimated_cost_usd: ch.estimate?.usd ?? null,
      price_source: ch.generate > 0 ? (ch.estimate?.source ?? "unpriced") : null,
      generate: ch.generate,
      ...(ch.manifest ? { manifest: ch.manifest } : {}),
      ...(ch.model ? { model: ch.model } : {}),
      ...(ch.fields ? { fields: ch.fields.map((f) => ({ field: f.field, old: f.old ?? null, new: f.new ?? null })) } : {}),
      ...(ch.reuseFrom ? { reuse_from: ch.reuseFrom } : {}),
      ...(ch.resumeTasks ? { resume_tasks: ch.resumeTasks } : {}),
      ...(ch.downloads ? { downloads: ch.downloads } : {}),
      ...(ch.keptDownloads ? { kept_downloads: ch.keptDownloads } : {}),
      ...(ch.variant ? { variant: ch.variant } : {}),
      ...(ch.waitsFor ? { waits_for: ch.waitsFor } : {}),
      spent_usd: ch.spentUsd,
      ...(ch.spentUnknown ? { cost_unknown: { results: ch.spentUnknown.results, estimated_usd: ch.spentUnknown.estimatedUsd, unpriced: ch.spentUnknown.unpriced } } : {}),
    })),
    summary: p.summary,
    cost_by_model: p.byModel,
    budgets: p.budgets.map((b) => ({ scope: b.scope, limit_usd: b.limitUsd, estimated_usd: b.estimatedUsd, ...(b.spentUsd !== undefined ? { spent_usd: b.spentUsd } : {}), ok: b.ok, exceeded: (b.spentUsd ?? 0) > b.limitUsd + 1e-9, ...(b.unpriced ? { unpriced: b.unpriced } : {}) })),
    warnings: warnings.map((w) => ({ file: w.file, line: w.line, col: w.col, message: w.message, ...(w.code ? { code: w.code } : {}) })),
    sequences: sequencesJson(p.sequences),
  };
}
