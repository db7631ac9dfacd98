#!/usr/bin/env node
// clipform's executable: runs the compiled CLI (npm install builds dist/ through `prepare`).
import { run } from "../dist/cli/main.js";

const code = await run(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
process.exitCode = code;
