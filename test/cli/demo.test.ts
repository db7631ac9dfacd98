/** `npm run demo` as the README runs it, piped (no terminal) and with NO_COLOR: plain text, the whole loop. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bareEnv, REPO } from "../helpers/cli.js";

describe("npm run demo", () => {
  it("runs the loop without rebuilding and prints no escape codes when piped with NO_COLOR=1", () => {
    const r = spawnSync(process.execPath, [join(REPO, "scripts", "demo.js")], { cwd: REPO, env: bareEnv(), encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("\x1b");
    expect(r.stdout).toContain("$ clipform plan --sim --detailed-exitcode   # nothing left to do");
    expect(r.stdout).toContain("simulated record (.clipform/sim/clipform.lock.json)");
    expect(r.stdout).toContain("No changes.");
    // The chained pair of specs/chain.yaml: planned after its upstream, generated from its last frame.
    expect(r.stdout).toContain("arrival is created in this plan: platform is made from the new frame once it exists");
    expect(r.stdout).toMatch(/^ {2}\.clipform\/sim\/clipform-out\/platform\.v1\.mp4 /m);
    expect(r.stdout).toContain("clipform plan: 12 clips in 4 manifests");
    expect(r.stdout + r.stderr).not.toMatch(/tsc|build-validators/);
  });
});
