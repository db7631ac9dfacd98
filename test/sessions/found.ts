/**
 * Sessions that broke a promise (found by the session test on main at 4109698 and on the way to
 * fixing them), each shrunk to the steps that still fail, with the invariant it broke. They are
 * regression tests that npm test runs (sessions.test.ts); one still open is pinned there.
 */
import type { Invariant } from "./checks.js";
import type { Edit, Step } from "./steps.js";

export interface Found {
  name: string;
  seed: number;
  invariant: Invariant;
  steps: Step[];
  /** Not fixed yet: why. Its test pins the break (it fails while the break is there), so fixing it flips the test. */
  open?: string;
}

const P = (n: number) => `Shot ${n}: a lighthouse keeper walks the pier at dusk`;
const add = (id: string, n: number): Edit => ({ k: "add", id, prompt: P(n), n: 1 });

export const FOUND: Found[] = [
  {
    name: "prune drops the picked take, and the film waits forever (issue 19)",
    seed: 7,
    invariant: "b",
    steps: [add("c1", 1), { k: "film", name: "film1", members: ["c1"] }, { k: "apply", via: "plain" }, { k: "reroll", id: "c1" }, { k: "pick", id: "c1", take: 1 }, { k: "prune" }],
  },
  {
    name: "a pick does not survive an edit and a revert (issue 19)",
    seed: 7,
    invariant: "g",
    steps: [add("c1", 1), { k: "apply", via: "plain" }, { k: "reroll", id: "c1" }, { k: "pick", id: "c1", take: 1 }, { k: "edit", id: "c1", prompt: P(2) }, { k: "apply", via: "plain" }, { k: "revert", id: "c1" }, { k: "apply", via: "plain" }],
  },
  {
    name: "watch --apply ignores the project budget (issue 19)",
    seed: 7,
    invariant: "d",
    steps: [add("c1", 1), { k: "apply", via: "plain" }, { k: "budget", scope: "project", headroom: 0.07 }, add("c2", 2), add("c3", 3), { k: "watch", edit: add("c4", 4), maxCost: 5, budget: 5 }],
  },
  {
    name: "a stale learned price opens every budget under overcharge (issue 19)",
    seed: 7,
    invariant: "d",
    steps: [
      ...[1, 2, 3, 4].map((i) => add(`c${i}`, i)),
      { k: "apply", via: "plain" },
      { k: "budget", scope: "project", headroom: 1 },
      { k: "dialect", names: ["overcharge"], failRate: 0, resetRate: 0, errorRate: 0 },
      ...[1, 2, 3, 4].map((i): Step => ({ k: "edit", id: `c${i}`, prompt: P(10 + i) })),
      { k: "apply", via: "plain", maxCost: 1 },
    ],
  },
  {
    name: "prune records a variant reroll's replaced video at $0: lifetime spend drops below what was charged",
    seed: 1,
    invariant: "c",
    steps: [add("c1", 1), { k: "apply", via: "plain" }, { k: "reroll", id: "c1", variant: 1 }, { k: "prune" }],
  },
  {
    name: "an edit to a clip whose generation a kill left in flight: apply resumes the old task, exits 0, and leaves the edit unsent",
    seed: 40,
    invariant: "e",
    steps: [add("c5", 5), { k: "kill", after: "succeeded", nth: 1 }, { k: "edit", id: "c5", prompt: P(6) }, { k: "apply", via: "plain" }],
  },
  {
    name: "add-variants over a clip whose file is not on this machine (it came with a pull): the apply does not download it",
    seed: 70,
    invariant: "e",
    steps: [{ k: "pull", id: "c4", prompt: P(5) }, { k: "variants", id: "c4", n: 2 }, { k: "apply", via: "plain" }],
  },
  {
    name: "a revert to a pulled request (reuse) whose file is not on this machine: the apply does not download it",
    seed: 27,
    invariant: "e",
    steps: [{ k: "pull", id: "c4", prompt: P(6) }, { k: "edit", id: "c4", prompt: P(7) }, { k: "apply", via: "plain", maxCost: 0.2 }, { k: "revert", id: "c4" }, { k: "apply", via: "plain", maxCost: 0.4 }],
  },
  {
    name: "prune drops the take a chained clip was made from (a kill mid-chain, then prune)",
    seed: 83,
    invariant: "b",
    steps: [
      add("c1", 1), add("c2", 2), add("c4", 6),
      { k: "chain", id: "c1", from: "c4" },
      { k: "apply", via: "saved", maxCost: 0.8 },
      { k: "chain", id: "c4", from: "c2" },
      { k: "kill", after: "downloaded", nth: 1 },
      { k: "prune" },
    ],
  },
  {
    name: "a saved plan after a revert upstream of a chain: the upstream clip is a $0 reuse, but the clip made from it is paid again for the very request it already paid for",
    seed: 272,
    invariant: "a",
    steps: [add("c1", 1), add("c2", 2), { k: "chain", id: "c1", from: "c2" }, { k: "apply", via: "plain" }, { k: "edit", id: "c2", prompt: P(6) }, { k: "apply", via: "plain" }, { k: "revert", id: "c2" }, { k: "apply", via: "saved" }],
  },
  {
    name: "an edit, a kill while the edit is in flight, a revert: apply resumes, exits 0, and the clip is left to replace",
    seed: 239,
    invariant: "e",
    steps: [add("c2", 2), { k: "rename", id: "c2", to: "c4" }, { k: "edit", id: "c4", prompt: P(4) }, { k: "kill", after: "succeeded", nth: 1 }, { k: "revert", id: "c4" }, { k: "apply", via: "plain" }],
  },
  {
    name: "a picked take of a pulled clip, chained to another clip: its file is missing and the plan does not download it",
    seed: 152,
    invariant: "b",
    steps: [add("c1", 1), { k: "pull", id: "c4", prompt: P(5) }, { k: "chain", id: "c4", from: "c1" }, { k: "pick", id: "c4", take: 3 }],
  },
  {
    name: "a pulled clip's picked take whose file is not on this machine, then chained: the plan replaces it and never downloads the picked take (seed 315)",
    seed: 315,
    invariant: "b",
    steps: [
      { k: "add", id: "c2", prompt: "Shot 315.2: a lighthouse keeper walks the pier at dusk, take 2", n: 1 },
      { k: "pull", id: "c8", prompt: "Shot 315.8: a lighthouse keeper walks the pier at dusk, take 8" },
      { k: "pick", id: "c8", take: 2 },
      { k: "chain", id: "c8", from: "c2" },
    ],
  },
  {
    name: "a kill before the first lockfile is written, then a pull brings one: the journal belongs to another lineage and every command refuses (seed 318, hand-shrunk)",
    seed: 318,
    invariant: "f",
    open: "a journal started before any lockfile existed names the lineage that run created; once a pulled lockfile of another lineage arrives, folding refuses it (a design decision: fold such a journal into any lineage)",
    steps: [add("c1", 1), add("c2", 2), { k: "kill", after: "succeeded", nth: 2 }, { k: "pull", id: "c3", prompt: P(3) }],
  },
  {
    name: "a clip removed while a kill left its generation in flight: apply collects it, exits 0, and the plan still deletes it (seed 340)",
    seed: 340,
    invariant: "e",
    steps: [
      { k: "add", id: "c2", prompt: "Shot 340.2: a lighthouse keeper walks the pier at dusk, take 2", n: 1 },
      { k: "kill", after: "submitted", nth: 1 },
      { k: "remove", id: "c2" },
      { k: "apply", via: "saved" },
    ],
  },
  {
    name: "a clip renamed while in flight, then given more variants: the new name generates them all again, paying 3 results for a request wanted with 2 (seed 357)",
    seed: 357,
    invariant: "a",
    steps: [
      { k: "add", id: "c1", prompt: "Shot 357.1: a lighthouse keeper walks the pier at dusk, take 1", n: 1 },
      { k: "add", id: "c2", prompt: "Shot 357.2: a lighthouse keeper walks the pier at dusk, take 2", n: 1 },
      { k: "kill", after: "submitted", nth: 2 },
      { k: "rename", id: "c2", to: "c4" },
      { k: "rename", id: "c4", to: "c5" },
      { k: "variants", id: "c5", n: 2 },
      { k: "apply", via: "saved", maxCost: 0.8 },
    ],
  },
  {
    name: "a chained clip whose own task a kill left unrecorded, its upstream renamed: apply sent its request again before the resumed task brought that very take (seed 1045)",
    seed: 1045,
    invariant: "a",
    steps: [
      add("c2", 2),
      { k: "add", id: "c3", prompt: "Shot 1045.3: a lighthouse keeper walks the pier at dusk, take 3", n: 2 },
      { k: "chain", id: "c2", from: "c3" },
      { k: "remove", id: "c1" },
      { k: "kill", after: "succeeded", nth: 2 },
      { k: "rename", id: "c3", to: "c4" },
      { k: "apply", via: "plain" },
    ],
  },
];
