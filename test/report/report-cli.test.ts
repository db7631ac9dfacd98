import { existsSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lockfile } from "../../src/lockfile/schema.js";
import { cli, exampleProject, project } from "../helpers/cli.js";

/** The recorded files of every result in the simulator's record (where `apply --sim` keeps it). */
function recordedFiles(dir: string): string[] {
  const lock = JSON.parse(readFileSync(join(dir, ".clipform", "sim", "clipform.lock.json"), "utf8")) as Lockfile;
  return Object.values(lock.clips).flatMap((e) => e.results.map((r) => r.file!));
}

const videoSrcs = (html: string) => [...html.matchAll(/<video src="([^"]*)"/g)].map((m) => m[1]!);

describe("clipform report", () => {
  let dir: string;
  beforeAll(async () => {
    dir = exampleProject();
    const applied = await cli(["apply", "--sim", "--auto-approve"], { cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes clipform-report.html in the project root, with a player for every generated video", async () => {
    const r = await cli(["report", "--sim"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("Wrote the report to clipform-report.html: 12 clips (12 generated), $2.68 spent.\n");
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, "clipform-report.html"), "utf8");
    const files = recordedFiles(dir);
    expect(files).toHaveLength(13);
    expect(videoSrcs(html).sort()).toEqual(files.sort());
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('<p class="simulated-note">simulated record (.clipform/sim/clipform.lock.json)');
    expect(files.every((f) => f.startsWith(".clipform/sim/clipform-out/"))).toBe(true);
    expect(existsSync(join(dir, "clipform.lock.json")), "apply --sim never writes the real lockfile").toBe(false);
    expect(existsSync(join(dir, "clipform-out")), "nor the real output folder").toBe(false);
  });

  it("without --sim the report reads the real record, which the simulator never touched", async () => {
    const r = await cli(["report", "--out", "real.html"], { cwd: dir });
    expect(r.stdout).toBe("Wrote the report to real.html: 12 clips (12 pending), $0.00 spent.\n");
    expect(readFileSync(join(dir, "real.html"), "utf8")).not.toContain(`<p class="simulated-note">`);
  });

  it("--out: video sources are relative to the report's folder, which is created; a deleted video shows as missing", async () => {
    const gone = recordedFiles(dir).find((f) => f.startsWith(".clipform/sim/clipform-out/rainy-monorail"))!;
    unlinkSync(join(dir, gone));
    const r = await cli(["report", "--sim", "--out", "site/gallery.html"], { cwd: dir });
    expect(r.stdout).toMatch(/^Wrote the report to site\/gallery\.html: 12 clips/);
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, "site", "gallery.html"), "utf8");
    const srcs = videoSrcs(html);
    expect(srcs).toHaveLength(12);
    for (const src of srcs) expect(existsSync(join(dir, "site", src)), src).toBe(true);
    expect(html).toContain(`<div class="placeholder">missing file<small>${gone}</small></div>`);
  });

  it("a report of some manifests shows only their clips", async () => {
    const r = await cli(["report", "--sim", "specs/fan-out.yaml", "--out", "fan-out.html"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("4 clips (4 generated), $0.74 spent");
    const html = readFileSync(join(dir, "fan-out.html"), "utf8");
    expect(html).toContain("harbor/wide/foggy");
    expect(html).not.toContain("rainy-monorail");
  });

  it("before any apply: every clip pending, nothing spent", async () => {
    const fresh = exampleProject();
    const r = await cli(["report", "specs/fan-out.yaml"], { cwd: fresh });
    expect(r.stdout).toBe("Wrote the report to clipform-report.html: 4 clips (4 pending), $0.00 spent.\n");
    expect(r.code).toBe(0);
    expect(readFileSync(join(fresh, "clipform-report.html"), "utf8").match(/data-status="pending"/g)).toHaveLength(4);
    rmSync(fresh, { recursive: true, force: true });
  });

  it("an invalid manifest: the diagnostics, exit 1, and no report", async () => {
    const bad = project({ "specs/bad.yaml": "version: 1\nclips:\n  a:\n    model: klingai:3@1\n    duration: 7\n" });
    const r = await cli(["report"], { cwd: bad });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("specs/bad.yaml:5:15: duration 7 is not supported by klingai:3@1");
    expect(existsSync(join(bad, "clipform-report.html"))).toBe(false);
    rmSync(bad, { recursive: true, force: true });
  });
});
