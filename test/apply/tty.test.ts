/**
 * apply on a terminal, as a person runs it: a real pseudo-terminal (util-linux `script`), the
 * plan, the question, the typed answer, and the live progress view.
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, bareEnv, cli, project } from "../helpers/cli.js";

const SCRIPT = "/usr/bin/script";

function onTerminal(args: string[], cwd: string, typed: string) {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: these tests need util-linux's script to give apply a terminal`);
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
  const r = spawnSync(SCRIPT, ["-qec", command, "/dev/null"], { cwd, env: bareEnv({ TERM: "xterm" }), input: typed, encoding: "utf8", timeout: 30_000 });
  return { code: r.status, out: r.stdout };
}

const clip = { "specs/a.yaml": "version: 1\nclips:\n  a:\n    model: klingai:3@1\n    positivePrompt: A tram climbs a hill at dawn\n" };

describe("apply on a terminal", () => {
  it("asks, applies after 'yes', and shows a live view with the money spent", () => {
    const dir = project(clip);
    const r = onTerminal(["apply", "--sim"], dir, "yes\n");
    expect(r.out).toContain("Do you want to perform these actions? Only 'yes' will be accepted.");
    expect(r.out).toMatch(/█+.* 1\/1 generations · spent \$0\.18 of est\. \$0\.18/);
    expect(r.out).toContain("Apply complete: 1 succeeded, 0 failed, 1 downloaded.");
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, ".clipform", "sim", "clipform-out", "a.v1.mp4"))).toBe(true);
  });

  it("anything but 'yes' cancels, and nothing is sent", () => {
    const dir = project(clip);
    const r = onTerminal(["apply", "--sim"], dir, "y\n");
    expect(r.out).toContain("error: apply cancelled. Nothing was sent.");
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, "clipform.lock.json"))).toBe(false);
    expect(existsSync(join(dir, ".clipform", "sim", "clipform.lock.json"))).toBe(false);
  });

  it("a plan that only cuts a film does not ask: nothing is paid, and it says what it cuts", async () => {
    const dir = project({ "specs/a.yaml": `${clip["specs/a.yaml"]}sequences:\n  reel: [a]\n` });
    expect((await cli(["apply", "--sim", "--auto-approve", "--poll-interval", "20"], { cwd: dir })).code).toBe(0);
    rmSync(join(dir, ".clipform", "sim", "clipform-out", "reel.mp4"));
    const r = onTerminal(["apply", "--sim"], dir, "");
    expect(r.out).not.toContain("Do you want to perform these actions?");
    expect(r.out).toContain("Only films to cut (local, free: nothing is sent or paid), so no approval is needed.");
    expect(r.out).toMatch(/reel/);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, ".clipform", "sim", "clipform-out", "reel.mp4"))).toBe(true);
  });
});
