/**
 * Word-by-word differences of long text fields (prompts), so a change anywhere in a
 * 250-character prompt shows in the plan, in watch and in pull-request comments: the changed
 * words with a few words of context either side; unchanged stretches are elided.
 */
export type Part = { kind: "same" | "old" | "new"; text: string };

/** Values longer than this are shown as a word diff instead of `"old" → "new"`. */
export const WORD_DIFF_MIN_LENGTH = 60;
/** Unchanged words kept around each change. */
const CONTEXT_WORDS = 3;
/** Beyond this many words on a side, the diff is not worth its quadratic cost: show both in full. */
const MAX_WORDS = 2000;

const words = (s: string) => s.split(/\s+/).filter(Boolean);

/** The longest common subsequence of words, as a list of same/old/new parts (adjacent kinds merged). */
export function wordDiff(a: string, b: string): Part[] {
  const x = words(a);
  const y = words(b);
  if (x.length > MAX_WORDS || y.length > MAX_WORDS) return merge([{ kind: "old", text: x.join(" ") }, { kind: "new", text: y.join(" ") }]);
  const n = x.length;
  const m = y.length;
  // lcs[i][j]: LCS length of x[i..] and y[j..], in one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = x[i] === y[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
    }
  }
  const parts: Part[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) parts.push({ kind: "same", text: x[i++]! }), j++;
    // Removed words before added ones, as people read a replacement.
    else if (i < n && (j === m || lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!)) parts.push({ kind: "old", text: x[i++]! });
    else parts.push({ kind: "new", text: y[j++]! });
  }
  return merge(parts);
}

function merge(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    if (!p.text) continue;
    const last = out[out.length - 1];
    if (last && last.kind === p.kind) last.text += ` ${p.text}`;
    else out.push({ ...p });
  }
  return out;
}

/** Unchanged stretches cut to CONTEXT_WORDS either side of a change; cut words become "…". */
export function withContext(parts: Part[]): Part[] {
  return parts.map((p, k) => {
    if (p.kind !== "same") return p;
    const w = p.text.split(" ");
    const before = k > 0; // a change precedes: keep its trailing context
    const after = k < parts.length - 1; // a change follows: keep leading context
    if (w.length <= CONTEXT_WORDS * 2 || (!before && w.length <= CONTEXT_WORDS) || (!after && w.length <= CONTEXT_WORDS)) return p;
    const head = before ? w.slice(0, CONTEXT_WORDS) : [];
    const tail = after ? w.slice(-CONTEXT_WORDS) : [];
    return { kind: "same", text: [...head, "…", ...tail].join(" ") };
  });
}
