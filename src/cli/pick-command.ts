/** `clipform pick ADDR [TAKE]`: list a clip's takes, or record which one it uses (in the lockfile, so in git). */
import { basename } from "node:path";
import { ClipformError } from "../errors.js";
import { readCurrentRecord } from "../lockfile/current.js";
import { takesOf, type TakeInfo } from "../lockfile/pick.js";
import { pickedMessage, recordPick } from "../lockfile/record-pick.js";
import { openWorkspace, recordNote } from "../project/workspace.js";
import { usd } from "../plan/render.js";
import { countResults } from "../images/kind.js";
import type { Command } from "./commands.js";

const line = (t: TakeInfo) =>
  `${t.picked ? "*" : " "} ${t.index}  ${t.taskUUID.slice(0, 8)}  ${t.status.padEnd(9)} ${t.submittedAt}  ${countResults(t.videos.length, t.kind)}  ${usd(t.costUsd)}${t.current ? "" : "  (kept take)"}`;

export const pickCommand: Command = {
  usage: "ADDR [TAKE] [--sim]",
  options: {
    sim: { type: "boolean", help: "the simulator's record (apply --sim's), not the real one" },
  },
  async run(ctx, values, positionals) {
    const [address, ref, ...rest] = positionals;
    if (!address || rest.length) throw new ClipformError("USAGE", "pick needs a clip address and, to choose, a take (its number or task UUID prefix): clipform pick ADDR [TAKE]");
    // The project's root and record, wherever inside the project it runs.
    const ws = openWorkspace(ctx.cwd, { sim: Boolean(values.sim) });
    const path = ws.record.lockPath;
    if (ref === undefined) {
      for (const t of takesOf(readCurrentRecord(path).lock, address)) ctx.out(line(t));
      return 0;
    }
    const take = recordPick({ root: ws.root, lockPath: path, address, ref, command: `clipform pick ${address} ${ref}` });
    ctx.out(pickedMessage(address, take, ws.record.simulated ? recordNote(ws, ctx.cwd)! : basename(path), ws.record.simulated));
    return 0;
  },
};
