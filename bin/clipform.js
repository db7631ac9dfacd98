#!/usr/bin/env node
// clipform's executable: runs the compiled CLI (a checkout builds dist/ at `npm install`, through
// `prepare`; the published tarball ships dist/, so installing it builds nothing).
import { run } from "../dist/cli/main.js";

const code = await run(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
process.exitCode = code;
