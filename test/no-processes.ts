/**
 * The fast tier's guard (vitest.fast.config.ts): starting any process (the binary, ffmpeg, git,
 * a browser) fails the test that tries, so the tier stays free of them.
 */
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import { afterAll } from "vitest";
import { removeTempProjects } from "./helpers/cli.js";

const refuse = (name: string) => () => {
  throw new Error(`the fast tier starts no process (child_process.${name}); move this test out of vitest.fast.config.ts`);
};
for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"] as const) {
  (childProcess as unknown as Record<string, unknown>)[name] = refuse(name);
}
syncBuiltinESMExports();

// Files share modules here (isolate: false): the helpers' temp projects are removed after each file.
afterAll(removeTempProjects);
