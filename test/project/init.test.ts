/** `clipform init` in a folder: what it writes, what it keeps, where the `$schema` line points. */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, project } from "../helpers/cli.js";

describe("clipform init", () => {
  it("appends only the missing ignore and attribute lines to existing files, and keeps an existing manifest", async () => {
    const dir = project({ ".gitignore": "node_modules\n.clipform/", "specs/clips.yaml": "version: 1\nclips: {}\n" });
    const r = await cli(["init"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("created   clipform.yaml");
    expect(r.stdout).toContain("appended  .gitignore");
    expect(r.stdout).toContain("kept      specs/clips.yaml (already there; not changed)");
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe(
      "node_modules\n.clipform/\n\n# clipform: videos, local state (and the simulator's record, in .clipform/sim/), the report\nclipform-out/\nclipform-report.html\n",
    );
    expect(readFileSync(join(dir, "specs", "clips.yaml"), "utf8")).toBe("version: 1\nclips: {}\n");
    expect(existsSync(join(dir, ".github"))).toBe(false);
  });

  it("outside any install, the $schema line names where `npm install --save-dev clipform` puts the schema, and says so", async () => {
    const dir = project({});
    const r = await cli(["init"], { cwd: dir });
    expect(r.stdout).toContain("run `npm install --save-dev clipform` here so it resolves");
    expect(readFileSync(join(dir, "specs", "clips.yaml"), "utf8")).toMatch(/^# yaml-language-server: \$schema=\.\.\/node_modules\/clipform\/schemas\/manifest\.schema\.json$/m);
    const plan = await cli(["plan"], { cwd: join(dir, "specs") });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("Plan: 1 to create.");
  });

  it("refuses inside an existing project (a second lockfile), writing nothing", async () => {
    const dir = project({ "clipform.yaml": "version: 1\n" });
    mkdirSync(join(dir, "sub"));
    const r = await cli(["init", "sub"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${resolve(dir, "sub")} is inside the clipform project at ${dir} (clipform.yaml): a project here would keep a second lockfile. Nothing was written.`);
    expect(existsSync(join(dir, "sub", "clipform.yaml"))).toBe(false);
  });
});
