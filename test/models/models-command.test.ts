/**
 * `clipform models` as a user runs it: the catalog grouped by family with capabilities, sizes,
 * durations and prices; `models AIR` one model in full with its sources; a typo gets a hint.
 */
import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/models/catalog.js";
import { cleanupAfterAll, run } from "../helpers/apply-sim.js";
import { makeProject } from "../helpers/manifest-fixtures.js";

cleanupAfterAll();

describe("clipform models", () => {
  it("lists every model under its family, with sizes, durations and prices (or unpriced)", async () => {
    const r = await run(["models"], { cwd: makeProject({}) });
    expect(r.code).toBe(0);
    const families = [...new Set(builtinCatalog().all().map((m) => m.family))].sort();
    const headings = r.stdout.split("\n").filter((l) => /^\S/.test(l) && !l.startsWith("["));
    expect(headings).toEqual([...families, "Image models (keyframes: `images:` entries, imageInference)"]);
    for (const m of builtinCatalog().all()) expect(r.stdout).toContain(`  ${m.air}  ${m.name}`);
    expect(r.stdout).toMatch(/ {2}klingai:5@3 {2}KlingAI 2\.1 Master\n {4}text-to-video, image-to-video · sizes 1920x1080, 1080x1080, 1080x1920\n {4}durations 5, 10 seconds · frames optional, at most 1 \(first\)\n {4}price \$0\.1848\/s documented/);
    expect(r.stdout).toMatch(/openai:3@1 {2}Sora 2 deprecated, retires 2026-09-24/);
    expect(r.stdout).toMatch(/minimax:1@1[^\n]*\n[^\n]*\n[^\n]*\n {4}price unpriced/);
  });

  it("shows one model in full: every rule with its confidence and sources, prices with theirs", async () => {
    const r = await run(["models", "google:3@0"], { cwd: makeProject({}) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("google:3@0  Veo 3 (Google Veo)");
    expect(r.stdout).toMatch(/durations +4, 6, 8 seconds \[conflict\]\n +conflict · sources PG, PY/);
    expect(r.stdout).toContain('reading: {"source":"PG (provider page 2025-10)","values":[8]}');
    expect(r.stdout).toMatch(/\$0\.4\/s \(720p, with audio\) +documented: list price \$0\.40\/s with audio \(720p\)/);
    expect(r.stdout).toMatch(/PG +https:\/\/runware\.ai\/docs\/en\/providers\/google/);
  });

  it("a typo gets the closest model, as an error without a stack trace", async () => {
    const r = await run(["models", "klingai:5@4"], { cwd: makeProject({}) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown model "klingai:5@4"; did you mean "klingai:5@[0-9]"\?/);
    expect(r.stderr).not.toMatch(/\.js:\d+/);
  });
});
