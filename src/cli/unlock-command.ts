/** `clipform unlock`: remove the state lock left by an apply that can no longer release it. */
import { describeHolder, forceUnlock, isAlive, readHolder } from "../lockfile/statelock.js";
import { ClipformError } from "../errors.js";
import { hostname } from "node:os";
import type { Command } from "./commands.js";
import { openWorkspace } from "../project/workspace.js";

export const unlockCommand: Command = {
  usage: "[--force]",
  options: { force: { type: "boolean", help: "remove the lock even if its process looks alive" } },
  async run(ctx, values) {
    const root = openWorkspace(ctx.cwd, { readsRecord: false }).root;
    const holder = readHolder(root);
    if (holder && holder.host === hostname() && isAlive(holder.pid) && !values.force) {
      throw new ClipformError("LOCKED", `the lock is held by a running process (${describeHolder(holder)}); stop it first, or use --force`);
    }
    const removed = forceUnlock(root);
    ctx.out(removed || holder ? `Removed the state lock${holder ? ` (${describeHolder(holder)})` : ""}.` : "There was no state lock.");
    return 0;
  },
};
