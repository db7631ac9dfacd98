/** Commands run where there is no project say so and point at `clipform init`, instead of "specs: no such file". */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run.js";

const made: string[] = [];
afterAll(() => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function emptyDir(): string {
  const d = mkdtempSync(join(tmpdir(), "clipform-none-"));
  made.push(d);
  return d;
}

const clipform = (args: string[], cwd: string) => runCli(args, { cwd });

describe("outside any project", () => {
  for (const args of [["plan"], ["validate"], ["status"], ["apply", "--sim", "--auto-approve"], ["prune", "--dry-run"]]) {
    it(`clipform ${args.join(" ")} suggests clipform init`, async () => {
      const r = await clipform(args, emptyDir());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("no clipform project here");
      expect(r.stderr).toContain("Run `clipform init` to start one here");
      expect(r.stderr).not.toMatch(/no such file/);
    });
  }

  it("a folder with specs/ but no clipform.yaml is still a project (of the defaults)", async () => {
    const dir = emptyDir();
    mkdirSync(join(dir, "specs"));
    const r = await clipform(["validate"], dir);
    expect(r.stderr).toBe("error: no manifests (*.yaml) found in specs\n");
  });

  it("naming a manifest that is not there says which", async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, "notes.txt"), "");
    const r = await clipform(["validate", "shots.yaml"], dir);
    expect(r.stderr).toBe("error: shots.yaml: no such file or directory\n");
  });
});
