// `npm run bench -- sessions --seeds N [--from S | --list 3,7,9] [--exclude kind,kind] [--no-shrink] [--log]`: runs N seeded
// user sessions against the simulator (test/sessions/) and prints their figures (steps, kills,
// charges compared, budgets checked) and every distinct failure with its seed and shrunk steps.
// It writes no results file: the sessions are a test, run as many times as asked.
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { REPO } from "./util.js";

export function runSessionsBench(args) {
  const { values } = parseArgs({ args, options: { seeds: { type: "string", default: "20" }, from: { type: "string", default: "1" }, list: { type: "string", default: "" }, exclude: { type: "string", default: "" }, "no-shrink": { type: "boolean" }, log: { type: "boolean" } } });
  const env = {
    ...process.env,
    CLIPFORM_SESSIONS_SEEDS: values.seeds,
    CLIPFORM_SESSIONS_FROM: values.from,
    CLIPFORM_SESSIONS_LIST: values.list,
    CLIPFORM_SESSIONS_EXCLUDE: values.exclude,
    ...(values["no-shrink"] ? { CLIPFORM_SESSIONS_NO_SHRINK: "1" } : {}),
    ...(values.log ? { CLIPFORM_SESSIONS_LOG: "1" } : {}),
  };
  const p = spawn(process.execPath, [`${REPO}/node_modules/vitest/vitest.mjs`, "run", "test/sessions/sessions.test.ts"], { cwd: REPO, env, stdio: "inherit" });
  return new Promise((resolve) => p.on("close", (code) => resolve(code ?? 1)));
}
