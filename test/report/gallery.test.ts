/// <reference lib="dom" />
/**
 * The gallery of a 40-clip fan-out campaign in Chromium: the fan-out laid out as a grid by its
 * axes, descriptions and input keyframes shown, and videos loaded lazily (only those near the
 * viewport fetch anything). Screenshots are left in the temp folder to look at.
 */
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cli, REPO } from "../helpers/cli.js";
import { project } from "../helpers/cli.js";
import { readFileSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";
const INSTALLED = existsSync(CHROMIUM);
const MISSING = `${CHROMIUM} is missing: the report's browser tests need Debian's chromium (npm test installs it when run as root)`;
export const GALLERY_SCREENSHOTS = [join(tmpdir(), "clipform-gallery-top.png"), join(tmpdir(), "clipform-gallery-grid.png")];

/** 2 aspects × 5 moods × 4 times of day = 40 clips, with a keyframe on one clip of its own. */
const CAMPAIGN = `version: 1
defaults:
  model: klingai:3@1
  duration: 5
clips:
  harbor:
    description: Spring campaign, the harbor shot in every mood and light
    positivePrompt: A slow aerial drift over a \${mood} fishing harbor at \${time}.
    matrix:
      aspect:
        wide: { width: 1280, height: 720 }
        vertical: { width: 720, height: 1280 }
      mood: [foggy, sunlit, stormy, calm, festive]
      time: [dawn, noon, dusk, night]
`;
const KEYFRAMED = `version: 1
clips:
  lighthouse:
    description: Opening shot, animated from the dusk still
    model: klingai:1@2
    width: 1280
    height: 720
    positivePrompt: Waves roll in as the lamp begins to turn.
    inputs:
      frameImages:
        - { image: ./assets/lighthouse-dusk.png, frame: first }
`;

let browser: Browser;
let dir: string;
beforeEach(() => {
  if (!INSTALLED) throw new Error(MISSING);
});
beforeAll(async () => {
  if (!INSTALLED) return;
  dir = project({
    "specs/campaign.yaml": CAMPAIGN,
    "specs/opening.yaml": KEYFRAMED,
    "specs/assets/lighthouse-dusk.png": readFileSync(join(REPO, "specs", "assets", "lighthouse-dusk.png")),
  });
  const applied = cli(["apply", "--sim", "--auto-approve", "--concurrency", "20"], { cwd: dir });
  expect(applied.code, applied.stderr).toBe(0);
  const r = cli(["report", "--sim"], { cwd: dir });
  expect(r.stdout).toBe("Wrote the report to clipform-report.html: 41 clips (41 generated), $7.72 spent.\n");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the gallery of a 40-clip fan-out campaign", () => {
  it("lays the fan-out out by its axes, shows descriptions and keyframes, and loads videos lazily", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const requested: string[] = [];
    page.on("request", (req) => requested.push(req.url()));
    await page.goto(pathToFileURL(join(dir, "clipform-report.html")).href);
    await page.waitForTimeout(0);
    const grid = await page.evaluate(() => {
      const table = document.querySelector(".fanout[data-clip=harbor] table")!;
      return {
        title: document.querySelector(".fanout[data-clip=harbor] .fanout-title")!.textContent,
        columns: Array.from(table.querySelectorAll("thead th"), (th) => th.textContent),
        rows: Array.from(table.querySelectorAll("tbody tr"), (tr) => [tr.querySelector("th")!.textContent, tr.querySelectorAll(".card").length]),
        firstRow: Array.from(table.querySelectorAll("tbody tr:first-child .address"), (a) => a.textContent),
      };
    });
    expect(grid.title).toBe("harbor fan-out: 40 clips by aspect × mood × time · specs/campaign.yaml");
    expect(grid.columns.slice(1)).toHaveLength(20);
    expect(grid.columns.slice(0, 3)).toEqual(["aspect \\ mood / time", "calm / dawn", "calm / dusk"]);
    expect(grid.rows).toEqual([["vertical", 20], ["wide", 20]]);
    expect(grid.firstRow.slice(0, 2)).toEqual(["harbor/vertical/calm/dawn", "harbor/vertical/calm/dusk"]);
    // A fan-out's description once, above its grid; a single clip's on its card.
    const descriptions = await page.evaluate(() => Array.from(document.querySelectorAll(".description"), (d) => d.textContent));
    expect(descriptions).toEqual(["Spring campaign, the harbor shot in every mood and light", "Opening shot, animated from the dusk still"]);
    const keyframe = await page.evaluate(() => {
      const img = document.querySelector<HTMLImageElement>(".keyframe img")!;
      return { alt: img.alt, loaded: img.complete && img.naturalWidth > 0 };
    });
    expect(keyframe).toEqual({ alt: "first frame: lighthouse-dusk.png", loaded: true });

    // Lazy: of 41 videos, only those near the viewport asked for their data.
    const videos = requested.filter((u) => /\.mp4$/.test(u));
    expect(videos.length).toBeGreaterThan(0);
    expect(videos.length).toBeLessThan(41);
    await page.screenshot({ path: GALLERY_SCREENSHOTS[0]! });
    await page.locator(".fanout").scrollIntoViewIfNeeded();
    await page.screenshot({ path: GALLERY_SCREENSHOTS[1]!, fullPage: false });
    await page.close();
  });
});
