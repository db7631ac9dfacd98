/** `clipform status` as text: a table per manifest, then the clips that need attention. */
import type { Palette } from "../render/colors.js";
import type { Comparison } from "../plan/compare.js";
import { unitUsd, usd } from "../plan/render.js";
import { costUnknownText, spentText } from "../money/unknown-cost.js";
import type { ClipState, SpendEstimate, StatusItem, StatusReport } from "./status.js";

const spent = (usdTotal: number, s: SpendEstimate) => spentText(usdTotal, { results: s.unknown_cost_results, estimatedUsd: s.spent_estimated_usd, unpriced: s.unpriced_cost_results });

const COLUMNS = [
  ["clips", "clips"],
  ["generated", "generated"],
  ["pending", "pending"],
  ["in_flight", "in flight"],
  ["failed", "failed"],
  ["missing_files", "missing files"],
  ["deleted", "deleted"],
] as const;

const SYMBOL: Record<ClipState, string> = {
  generated: " ",
  pending: "+",
  "in-flight": ">",
  failed: "!",
  "missing-files": "v",
  deleted: "-",
};

function describeItem(it: StatusItem): string {
  const est = it.estimated_cost_usd !== undefined ? `, ${unitUsd(it.estimated_cost_usd)} estimated` : "";
  switch (it.state) {
    case "pending":
      return `pending ${it.action}: ${it.reason}${est}`;
    case "failed":
      return `failed${it.error ? `: ${it.error.code}: ${it.error.message}` : ""} (apply retries it${est})`;
    case "in-flight": {
      const n = it.in_flight_tasks?.length ?? 0;
      const resend = it.estimated_cost_usd ? `; one the API never acknowledged is sent once more if it does not know it${est}` : "";
      return `in flight: ${n} task${n === 1 ? "" : "s"} (${(it.in_flight_tasks ?? []).join(", ")})${it.in_manifest ? "" : "; no longer in any manifest"}: apply polls, never pays twice${resend}`;
    }
    case "missing-files":
      return `missing on disk: ${(it.missing_files ?? []).map((f) => (f.file ? `${f.file} (${f.state})` : `variant ${f.variant} (${f.state})`)).join(", ")}: apply downloads again, no cost`;
    case "deleted":
      return `no longer in any manifest, still in the lockfile${it.spent_usd ? ` (${usd(it.spent_usd)} spent)` : ""}: apply drops the entry`;
    default:
      return it.reason;
  }
}

/** The same shot on several models, one line each: every model's state and what it cost or will cost. */
function sideBySide(r: StatusReport, groups: readonly Comparison[], color: Palette): string[] {
  const items = new Map(r.manifests.flatMap((m) => m.items).map((it) => [it.address, it]));
  const variant = (address: string, model: string): string => {
    const it = items.get(address);
    if (!it) return model;
    if (it.state === "generated") return `${model} ${usd(it.spent_usd)} spent`;
    const est = it.estimated_cost_usd !== undefined ? unitUsd(it.estimated_cost_usd) : it.action === "create" || it.action === "replace" ? color.red("unpriced") : "";
    return `${model} ${it.state}${est ? ` ${est}` : ""}`;
  };
  return ["", color.bold("Side by side:"), ...groups.map((g) => `  ${g.shot}  ${g.variants.map((v) => variant(v.address, v.model)).join(" · ")}`)];
}

/** "$0.37 of it estimated for 2 results whose cost is unknown; 1 more has no price". */
function unknownNote(t: SpendEstimate): string {
  const n = t.unknown_cost_results;
  const priced = n - t.unpriced_cost_results;
  const parts = priced > 0 ? [`${usd(t.spent_estimated_usd)} of it estimated for ${priced} result${priced === 1 ? "" : "s"} whose cost is unknown`] : [];
  if (t.unpriced_cost_results > 0) parts.push(`${t.unpriced_cost_results} result${t.unpriced_cost_results === 1 ? "" : "s"} of unknown cost and no price, counted as nothing`);
  return parts.join("; ");
}

export function renderStatus(r: StatusReport, color: Palette, comparisons: readonly Comparison[] = []): string {
  const out: string[] = [];
  const lf = r.lockfile;
  out.push(
    `clipform status: ${r.totals.clips} clip${r.totals.clips === 1 ? "" : "s"} in ${r.totals.manifests} manifest${r.totals.manifests === 1 ? "" : "s"}, ` +
      (lf.exists ? `lockfile serial ${lf.serial}` : `no lockfile yet (${lf.path})`),
  );
  out.push("");
  const rows: string[][] = [["manifest", ...COLUMNS.map(([, h]) => h), "spent", "pending est."]];
  for (const m of r.manifests) {
    rows.push([m.exists ? m.manifest : `${m.manifest} (gone)`, ...COLUMNS.map(([k]) => String(m[k])), spent(m.spent_usd, m), usd(m.estimated_pending_usd)]);
  }
  const t = r.totals;
  rows.push(["total", ...COLUMNS.map(([k]) => String(t[k])), spent(t.spent_usd, t), usd(t.estimated_pending_usd)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  rows.forEach((row, n) => {
    const line = row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
    out.push(n === 0 || n === rows.length - 1 ? color.bold(line) : line);
  });

  const attention = r.manifests.flatMap((m) => m.items).filter((it) => it.state !== "generated");
  if (attention.length > 0) {
    out.push("");
    const w = Math.max(...attention.map((it) => it.address.length));
    const paint: Record<ClipState, (s: string) => string> = {
      generated: (s) => s,
      pending: color.green,
      "in-flight": color.cyan,
      failed: color.red,
      "missing-files": color.yellow,
      deleted: color.red,
    };
    for (const it of attention.sort((a, b) => (a.address < b.address ? -1 : 1))) {
      out.push(`  ${paint[it.state](SYMBOL[it.state])} ${it.address.padEnd(w)}  ${describeItem(it)}`);
    }
  }
  const unknown = r.manifests.flatMap((m) => m.items).filter((it) => it.cost_unknown);
  if (unknown.length > 0) {
    out.push("");
    const w = Math.max(...unknown.map((it) => it.address.length));
    for (const it of unknown.sort((a, b) => (a.address < b.address ? -1 : 1))) out.push(`  ${color.yellow("?")} ${it.address.padEnd(w)}  ${costUnknownText({ ...it.cost_unknown!, estimatedUsd: it.cost_unknown!.estimated_usd })}`);
  }
  if (comparisons.length > 0) out.push(...sideBySide(r, comparisons, color));
  for (const b of r.budgets) {
    const left = b.limit_usd - b.spent_usd;
    out.push(`${color.bold("Budget")} ${b.exceeded ? color.red("EXCEEDED") : color.green("ok")} ${b.scope}: spent ${usd(b.spent_usd)} of ${usd(b.limit_usd)} (${b.exceeded ? `over by ${usd(-left)}` : `${usd(Math.max(0, left))} left`})`);
  }
  out.push("");
  const all = attention.length === 0 ? "Everything is generated and on disk." : "`clipform plan` shows the changes, `clipform apply` makes them.";
  const estimated = t.unknown_cost_results === 0 ? "" : ` (${unknownNote(t)})`;
  out.push(`Spent: ${spent(t.spent_usd, t)} in total${estimated}. ${all}`);
  return out.join("\n");
}
