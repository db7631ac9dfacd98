/** `clipform pick ADDR [TAKE]`: list a clip's takes, or record which one it uses (in the lockfile, so in git). */
import { acquireStateLock } from "../apply/statelock.js";
import { ClipformError } from "../errors.js";
import { readLockfile, serializeLockfile, writeFileAtomic } from "../lockfile/io.js";
import { pickTake, takesOf, type TakeInfo } from "../lockfile/pick.js";
import { lockfilePath } from "../pipeline.js";
import { usd } from "../plan/render.js";
import type { Command } from "./commands.js";

const line = (t: TakeInfo) =>
  `${t.picked ? "*" : " "} ${t.index}  ${t.taskUUID.slice(0, 8)}  ${t.status.padEnd(9)} ${t.submittedAt}  ${t.videos.length} video${t.videos.length === 1 ? "" : "s"}  ${usd(t.costUsd)}${t.current ? "" : "  (kept take)"}`;

export const pickCommand: Command = {
  usage: "ADDR [TAKE]",
  options: {},
  async run(ctx, _values, positionals) {
    const [address, ref, ...rest] = positionals;
    if (!address || rest.length) throw new ClipformError("USAGE", "pick needs a clip address and, to choose, a take (its number or task UUID prefix): clipform pick ADDR [TAKE]");
    const path = lockfilePath(ctx.cwd);
    if (ref === undefined) {
      for (const t of takesOf(readLockfile(path).lock, address)) ctx.out(line(t));
      return 0;
    }
    const lock = acquireStateLock(ctx.cwd, `clipform pick ${address} ${ref}`);
    try {
      const current = readLockfile(path).lock;
      const { lock: next, take } = pickTake(current, address, ref);
      writeFileAtomic(path, serializeLockfile({ ...next, serial: current.serial + 1 }));
      ctx.out(`${address} now uses take ${take.index} (${take.taskUUID.slice(0, 8)}, ${take.videos.length} video${take.videos.length === 1 ? "" : "s"}). Recorded in clipform.lock.json: commit it to share the choice.`);
      return 0;
    } finally {
      lock.release();
    }
  },
};
