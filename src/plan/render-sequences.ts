/**
 * Sequences in the rendered plan: their own short section, apart from the priced changes,
 * since cutting a film is local and free. Text, markdown and JSON key on the same `action`.
 */
import type { Palette } from "../render/colors.js";
import type { SequenceAction, SequenceChange } from "./sequences.js";

const SYMBOL: Record<SequenceAction, string> = { cut: "~", wait: "…", "no-op": " " };

export const SEQUENCES_TITLE = "Sequences (local, free)";

/** "1 sequence to cut", or nothing: joins the plan's summary line. */
export function sequencesSummary(sequences: readonly SequenceChange[]): string | undefined {
  const n = sequences.filter((s) => s.action === "cut").length;
  return n > 0 ? `${n} sequence${n === 1 ? "" : "s"} to cut` : undefined;
}

const members = (s: SequenceChange) => s.members.join(", ");

export function sequencesText(sequences: readonly SequenceChange[], c: Palette): string[] {
  if (sequences.length === 0) return [];
  const width = Math.min(32, Math.max(...sequences.map((s) => s.name.length)));
  const paint = (a: SequenceAction) => (a === "cut" ? c.green : a === "wait" ? c.cyan : (s: string) => s);
  const out = ["", c.bold(`${SEQUENCES_TITLE}:`)];
  for (const s of sequences) {
    out.push(`${paint(s.action)(SYMBOL[s.action].padStart(3))} ${c.bold(s.name.padEnd(width))}  ${paint(s.action)(s.action.padEnd(6))} ${s.file}  ${c.dim(`[${members(s)}]`)}`);
    out.push(`      ${c.dim(s.reason)}`);
  }
  return out;
}

const mdCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function sequencesMarkdown(sequences: readonly SequenceChange[]): string[] {
  if (sequences.length === 0) return [];
  const out = ["", `| ${SEQUENCES_TITLE} | Action | Film | Members | Why |`, "|---|---|---|---|---|"];
  for (const s of sequences) out.push(`| \`${s.name}\` | ${s.action} | \`${mdCell(s.file)}\` | ${mdCell(members(s))} | ${mdCell(s.reason)} |`);
  return out;
}

export function sequencesJson(sequences: readonly SequenceChange[]): Record<string, unknown>[] {
  return sequences.map((s) => ({ name: s.name, action: s.action, reason: s.reason, members: s.members, file: s.file, manifest: s.manifest, ...(s.outside ? { outside: s.outside } : {}) }));
}
