/**
 * A comparison is one line: the same shot fanned out over models reads side by side in the
 * plan, each model with its cost (or "unpriced").
 */
import { describe, expect, it } from "vitest";
import { emptyLockfile } from "../../src/lockfile/io.js";
import { plan } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { comparisons } from "../../src/plan/compare.js";
import { renderMarkdown, renderText } from "../../src/plan/render.js";
import { run } from "../helpers/apply-sim.js";
import { makeProject } from "../helpers/manifest-fixtures.js";
import { palette } from "../../src/render/colors.js";
import { cleanupProjectsAfterEach, loadOne } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const yaml = `version: 1
clips:
  harbor:
    positivePrompt: A slow dolly shot across a quiet harbor at dawn, \${look}
    width: 1920
    height: 1080
    matrix:
      model: [klingai:5@3, google:3@3, minimax:3@1]
      look: [noir, sunny]
  solo:
    model: klingai:1@2
    positivePrompt: A lighthouse at night
`;

describe("comparison across models", () => {
  it("groups a clip's per-model variants, each with its cost, and leaves other clips alone", () => {
    const project = loadOne(yaml);
    expect(project.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const p = plan({ clips: project.clips, lock: emptyLockfile(), prices: priceBook(emptyLockfile(), project.catalog) });
    const groups = comparisons(p.changes);
    expect(groups.map((g) => [g.shot, g.variants.map((v) => v.model)])).toEqual([
      ["harbor/*/noir", ["google:3@3", "klingai:5@3", "minimax:3@1"]],
      ["harbor/*/sunny", ["google:3@3", "klingai:5@3", "minimax:3@1"]],
    ]);
    const text = renderText(p, { color: palette(false), manifests: 1, clips: project.clips.length });
    // Each model's default duration: Veo 3.1 Fast 4 s at $0.10/s (1080p); Kling 2.1 Master 5 s
    // at $0.1848/s; Hailuo 02 has no known price.
    expect(text).toContain("Side by side:\n  harbor/*/noir  google:3@3 $0.4000 · klingai:5@3 $0.9240 · minimax:3@1 unpriced\n  harbor/*/sunny  google:3@3 $0.4000 · klingai:5@3 $0.9240 · minimax:3@1 unpriced\n");
  });

  it("reads side by side in a markdown plan too, one table row per shot", () => {
    const project = loadOne(yaml);
    const p = plan({ clips: project.clips, lock: emptyLockfile(), prices: priceBook(emptyLockfile(), project.catalog) });
    const md = renderMarkdown(p);
    expect(md).toContain(
      "| Side by side | Each model's cost |\n|---|---|\n" +
        "| `harbor/*/noir` | google:3@3 $0.4000 · klingai:5@3 $0.9240 · minimax:3@1 **unpriced** |\n" +
        "| `harbor/*/sunny` | google:3@3 $0.4000 · klingai:5@3 $0.9240 · minimax:3@1 **unpriced** |\n",
    );
  });

  it("reads side by side in `clipform status`: each model's state, with what it cost or will cost", async () => {
    const dir = makeProject({ "specs/main.yaml": yaml });
    const applied = await run(["apply", "--sim", "--auto-approve", "--poll-interval", "20", "--target", "harbor/klingai-5-3/*"], { cwd: dir });
    expect(applied.code).toBe(0);
    const status = await run(["status", "--sim"], { cwd: dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      "Side by side:\n  harbor/*/noir  google:3@3 pending $0.4000 · klingai:5@3 $0.92 spent · minimax:3@1 pending unpriced\n" +
        "  harbor/*/sunny  google:3@3 pending $0.4000 · klingai:5@3 $0.92 spent · minimax:3@1 pending unpriced\n",
    );
  });
});
