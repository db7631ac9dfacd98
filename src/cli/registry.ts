/**
 * Every command, by name, in the order `clipform --help` lists them. A command's module is
 * loaded only when it runs, so `plan` never pays for the watcher, the HTTP client or the report.
 */
import type { Command } from "./commands.js";

export interface CommandEntry {
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  init: { summary: "Start a project here: clipform.yaml, a starter manifest, .gitignore and .gitattributes entries (--workflow: the CI workflow).", load: async () => (await import("./init-command.js")).initCommand },
  validate: { summary: "Check manifests against the schema and the model catalog (no network).", load: async () => (await import("./commands.js")).validate },
  plan: { summary: "Show what apply would generate, download or drop, and what it would cost.", load: async () => (await import("./commands.js")).planCommand },
  apply: { summary: "Generate what the plan shows: submit, poll, download, and record it all in the lockfile.", load: async () => (await import("./apply-command.js")).applyCommand },
  status: { summary: "Per manifest: clips generated, pending, in flight, failed, missing on disk, deleted, and the money spent.", load: async () => (await import("./status-command.js")).statusCommand },
  watch: { summary: "Re-validate and re-plan on every save (never applies unless --apply, within --max-cost and --budget).", load: async () => (await import("./watch-command.js")).watchCommand },
  report: { summary: "Write an HTML gallery of every clip: its videos, prompt, status, cost and pending changes.", load: async () => (await import("./report-command.js")).reportCommand },
  models: { summary: "List the supported models: sizes, durations, frame images, prices and their sources.", load: async () => (await import("./commands.js")).models },
  sim: { summary: "Run a local Runware API simulator (with optional, seeded faults) until interrupted.", load: async () => (await import("./sim-command.js")).simCommand },
  lock: { summary: "Lockfile tools: `lock merge`, the git merge driver that merges clipform.lock.json clip by clip.", load: async () => (await import("./lock-command.js")).lockCommand },
  pick: { summary: "List a clip's takes, or record which one it uses: clipform pick ADDR [TAKE].", load: async () => (await import("./pick-command.js")).pickCommand },
  prune: { summary: "Drop kept takes that no clip uses, showing what each cost (lifetime spend still counts them).", load: async () => (await import("./prune-command.js")).pruneCommand },
  unlock: { summary: "Remove the state lock of an apply that died (refuses while its process is alive, unless --force).", load: async () => (await import("./unlock-command.js")).unlockCommand },
};
