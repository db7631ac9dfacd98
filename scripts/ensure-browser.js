#!/usr/bin/env node
// Makes sure the report's browser tests have their browser: Debian's chromium, driven by
// playwright-core (which downloads none). `npm test` and .ci/run both run this first, so the
// README's two commands work on a fresh machine. Installing needs root and apt-get; otherwise it
// says once what is missing, and the browser tests then fail (they never skip).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";
const INSTALL = "apt-get install -y --no-install-recommends chromium";
/**
 * Another install (unattended upgrades, a second CI step) may hold the package manager's lock:
 * wait for it, bounded, instead of failing at once.
 */
const LOCK_WAIT_S = 300;
const WAIT_FOR_LOCK = ["-o", `DPkg::Lock::Timeout=${LOCK_WAIT_S}`];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return r.status === 0;
}

function hasAptGet() {
  return spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
}

if (!existsSync(CHROMIUM)) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root && hasAptGet()) {
    console.error(`${CHROMIUM} is missing: installing Debian's chromium for the report's browser tests (${INSTALL}; waiting up to ${LOCK_WAIT_S} s if another install holds the package lock)`);
    if (!(run("apt-get", [...WAIT_FOR_LOCK, "update"]) && run("apt-get", [...WAIT_FOR_LOCK, ...INSTALL.split(" ").slice(1)]) && existsSync(CHROMIUM))) {
      console.error(`could not install chromium: the report's browser tests will fail. Install it by hand: ${INSTALL}`);
    }
  } else {
    console.error(
      `${CHROMIUM} is missing and cannot be installed here (${root ? "no apt-get" : "not root"}): the report's browser tests will fail.` +
        ` Install it once with: sudo apt-get update && sudo ${INSTALL}`,
    );
  }
}
