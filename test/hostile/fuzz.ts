/**
 * A seeded manifest fuzzer: mutations of valid manifests (the example specs and inline
 * fixtures) with YAML's sharp edges (anchors, aliases, merge keys, tags, quotes, indentation,
 * odd numbers), plus random YAML built from the same pieces. Deterministic for a given seed.
 */
import { createRng } from "../../src/sim/rng.js";
export type Rng = () => number;

/** The simulator's seeded PRNG (mulberry32): the seed makes a failure replayable. */
export function rng(seed: number): Rng {
  const r = createRng(seed);
  return () => r.next();
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Pieces of YAML that have broken YAML loaders before. */
const TOKENS = [
  "&a ", "*a", "&c ", "*c", "<<: *a", "<<: *c", "<<: [*a, *c]", "<<: 5", "!!omap ", "!!set ", "!!pairs ", "!!binary ",
  "!!timestamp ", "!!str ", "!!int ", "!!float ", "!!map ", "!!seq ", "!foo ", "{", "}", "[", "]", "\"", "'", "${", "${mood}",
  "$${x}", "matrix:", "- ", "? ", ": ", "\t", "%YAML 1.1\n", "---\n", "...\n", "|", ">-", "1e400", "-1", ".nan", ".inf",
  "-.inf", "0x1F", "0o17", "1_000", "~", "null", "yes", "no", "\u0000", "\ufeff", "é", "🎬", "\\", "#", "@", "`", "%",
  "9007199254740993", "-0", "[*a, *a, *a, *a]", "{a: *a, b: *a}", "__proto__:", "constructor: ", "prototype:",
];
const KEYS = ["version", "clips", "defaults", "variables", "matrix", "model", "positivePrompt", "duration", "width", "height", "inputs", "frameImages", "image", "frame", "numberResults", "budget", "maxCost", "__proto__", "images", "sequences"];
const VALUES = ["klingai:1@2", "klingai:3@1", "5", "10", "-5", "1280", "720", "0.5", "true", "null", "~", "''", "first", "last", "./assets/lighthouse-dusk.png", "${mood}", "a prompt", "1e400"];

export function mutate(r: Rng, text: string): string {
  let t = text;
  const steps = 1 + Math.floor(r() * 4);
  for (let s = 0; s < steps; s++) {
    const lines = t.split("\n");
    const i = Math.floor(r() * lines.length);
    const pos = Math.floor(r() * (t.length + 1));
    switch (Math.floor(r() * 9)) {
      case 0: // insert a sharp token
        t = t.slice(0, pos) + pick(r, TOKENS) + t.slice(pos);
        break;
      case 1: // delete a span
        t = t.slice(0, pos) + t.slice(pos + Math.floor(r() * 40));
        break;
      case 2: // duplicate a line
        lines.splice(i, 0, lines[i] ?? "");
        t = lines.join("\n");
        break;
      case 3: // swap two lines
        {
          const j = Math.floor(r() * lines.length);
          [lines[i], lines[j]] = [lines[j] ?? "", lines[i] ?? ""];
          t = lines.join("\n");
        }
        break;
      case 4: // re-indent a line
        lines[i] = " ".repeat(Math.floor(r() * 9)) + (lines[i] ?? "").trimStart();
        t = lines.join("\n");
        break;
      case 5: // replace a line's value
        lines[i] = (lines[i] ?? "").replace(/:\s.*$/, `: ${pick(r, [...VALUES, ...TOKENS])}`);
        t = lines.join("\n");
        break;
      case 6: // anchor a value, alias it elsewhere
        lines[i] = (lines[i] ?? "").replace(/:\s/, ": &a ");
        lines.splice(Math.floor(r() * (lines.length + 1)), 0, `${" ".repeat(2 * Math.floor(r() * 3))}${pick(r, KEYS)}: *a`);
        t = lines.join("\n");
        break;
      case 7: // a random byte
        t = t.slice(0, pos) + String.fromCharCode(Math.floor(r() * 256)) + t.slice(pos);
        break;
      default: // truncate
        t = t.slice(0, pos);
    }
  }
  return t;
}

/** Random YAML built from keys, values, anchors and aliases, nested a few levels. */
export function randomYaml(r: Rng): string {
  let anchors = 0;
  const node = (depth: number, indent: string): string => {
    const roll = r();
    if (depth > 3 || roll < 0.35) {
      if (anchors > 0 && r() < 0.2) return `*a${Math.floor(r() * anchors)}`;
      return pick(r, VALUES);
    }
    const anchor = r() < 0.2 ? `&a${anchors++} ` : "";
    if (roll < 0.55) return `${anchor}[${Array.from({ length: Math.floor(r() * 4) }, () => node(depth + 1, indent)).join(", ")}]`;
    if (roll < 0.7) return `${anchor}{${Array.from({ length: Math.floor(r() * 4) }, () => `${pick(r, KEYS)}: ${node(depth + 1, indent)}`).join(", ")}}`;
    const inner = `${indent}  `;
    const items = Array.from({ length: 1 + Math.floor(r() * 4) }, () => `\n${inner}${r() < 0.1 ? "<<" : pick(r, KEYS)}: ${node(depth + 1, inner)}`);
    return `${anchor}${r() < 0.1 ? pick(r, ["!!omap ", "!!set ", "!!map "]) : ""}${items.join("")}`;
  };
  return `version: 1\nclips: ${node(1, "")}\n${r() < 0.5 ? `defaults: ${node(1, "")}\n` : ""}`;
}
