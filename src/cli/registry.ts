/** Every command, by name, in the order `clipform --help` lists them. */
import { applyCommand } from "./apply-command.js";
import { models, planCommand, validate, type Command } from "./commands.js";
import { lockCommand } from "./lock-command.js";
import { reportCommand } from "./report-command.js";
import { simCommand } from "./sim-command.js";
import { statusCommand } from "./status-command.js";
import { unlockCommand } from "./unlock-command.js";
import { watchCommand } from "./watch-command.js";

export const COMMANDS: Record<string, Command> = {
  validate,
  plan: planCommand,
  apply: applyCommand,
  status: statusCommand,
  watch: watchCommand,
  models,
  sim: simCommand,
  unlock: unlockCommand,
  lock: lockCommand,
  report: reportCommand,
};
