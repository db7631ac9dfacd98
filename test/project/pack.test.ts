/**
 * The README's "Use it in your project", end to end: pack clipform, install the tarball in a new
 * empty project (no build happens at install: the tarball ships dist/), then `npx clipform init`,
 * validate, `apply --sim`, and `plan` from a subfolder: one root, one lockfile, and the real
 * lockfile untouched by the simulator.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bareEnv, REPO } from "../helpers/cli.js";

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
let work: string;
let app: string;
let tarball: string;

function sh(cmd: string, args: string[], cwd: string) {
  // npm needs its own settings (cache, registry) from the environment; colour stays off.
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" }, timeout: 180_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

const npx = (args: string[], cwd: string) => {
  const r = spawnSync(NPM, ["exec", "--no", "--", "clipform", ...args], { cwd, encoding: "utf8", env: { ...bareEnv(), npm_config_update_notifier: "false" }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "clipform-pack-"));
  // dist/ is already built (npm test builds first); packing must not rebuild it under the other tests.
  const packed = sh(NPM, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], REPO);
  expect(packed.code, packed.out).toBe(0);
  const info = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info[0]!.filename);
  const files = info[0]!.files.map((f) => f.path);
  expect(files).toContain("dist/cli/main.js");
  expect(files).toContain("schemas/manifest.schema.json");
  expect(files).toContain(".github/workflows/clipform.yml");
  expect(files.filter((f) => /^(src|test|bench|scripts|specs)\//.test(f))).toEqual([]);

  app = join(work, "my-videos");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "my-videos", private: true, version: "1.0.0" }, null, 2));
  const installed = sh(NPM, ["install", "--save-dev", "--prefer-offline", tarball], app);
  expect(installed.code, installed.out).toBe(0);
}, 240_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("clipform installed from its tarball in a new project", () => {
  it("installs without building (dist is shipped, no TypeScript needed) and runs through npx", () => {
    expect(existsSync(join(app, "node_modules", "clipform", "dist", "cli", "main.js"))).toBe(true);
    expect(existsSync(join(app, "node_modules", "typescript")), "a user's install needs no compiler").toBe(false);
    const v = npx(["--version"], app);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("init, validate, apply --sim, then plan from a subfolder: same root, no second lockfile, the real lockfile untouched", () => {
    const init = npx(["init", "--workflow"], app);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("created   clipform.yaml");
    expect(init.stdout).toContain(`git config merge.clipform.driver "npx clipform lock merge %O %A %B %P"`);
    const manifest = readFileSync(join(app, "specs", "clips.yaml"), "utf8");
    const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(manifest)![1]!;
    expect(schema).toBe("../node_modules/clipform/schemas/manifest.schema.json");
    expect(existsSync(resolve(app, "specs", schema)), "the $schema line resolves from where it is written").toBe(true);
    expect(readFileSync(join(app, ".gitattributes"), "utf8")).toContain("clipform.lock.json merge=clipform\n");
    expect(readFileSync(join(app, ".gitignore"), "utf8")).toMatch(/^clipform-out\/$/m);
    expect(existsSync(join(app, ".github", "workflows", "clipform.yml"))).toBe(true);

    const again = npx(["init"], app);
    expect(again.stdout).toContain("kept      clipform.yaml");
    expect(readFileSync(join(app, ".gitignore"), "utf8").match(/^clipform-out\/$/gm)).toHaveLength(1);

    expect(npx(["validate"], app).stdout).toBe("ok: 1 clip in 1 manifest\n");
    const applied = npx(["apply", "--sim", "--auto-approve"], app);
    expect(applied.code, applied.stderr).toBe(0);
    expect(existsSync(join(app, "clipform.lock.json")), "--sim never writes the real lockfile").toBe(false);
    expect(readdirSync(join(app, ".clipform", "sim", "clipform-out"))).toEqual(["first-light.v1.mp4"]);

    const sub = join(app, "specs");
    const simPlan = npx(["plan", "--sim", ".", "--detailed-exitcode"], sub);
    expect(simPlan.code, simPlan.stderr).toBe(0);
    expect(simPlan.stdout).toContain("simulated record (../.clipform/sim/clipform.lock.json)");
    const real = npx(["plan", ".", "--detailed-exitcode"], sub);
    expect(real.code, real.stderr).toBe(2);
    expect(real.stdout).toContain("Plan: 1 to create.");
    expect(real.stdout).not.toContain("simulated");
    expect(existsSync(join(sub, "clipform.lock.json"))).toBe(false);
    expect(existsSync(join(app, "clipform.lock.json"))).toBe(false);
    expect(dirname(sub)).toBe(app);
  });
});
