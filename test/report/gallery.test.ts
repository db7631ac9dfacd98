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
import { start } from "../helpers/watch-process.js";
import { readFileSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";
const INSTALLED = existsSync(CHROMIUM);
const MISSING = `${CHROMIUM} is missing: the report's browser tests need Debian's chromium (npm test installs it when run as root)`;
export const GALLERY_SCREENSHOTS = [join(tmpdir(), "clipform-gallery-top.png"), join(tmpdir(), "clipform-gallery-grid.png"), join(tmpdir(), "clipform-gallery-takes.png"), join(tmpdir(), "clipform-gallery-live-pick.png")];
/** The most one browser step of the live-pick test may take: well inside the test's 30 s, so a stuck step says which it is. */
const STEP_MS = 10_000;
/** Awaits `step`, saying what it waited for when it fails (a Playwright timeout names only its own call). */
async function waiting<T>(what: string, step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (e) {
    throw new Error(`waiting for ${what}: ${(e as Error).message}`, { cause: e });
  }
}
/** A fan-out clip rerolled once: two takes of one request, to compare and pick between. */
const REROLLED = "harbor/vertical/calm/dawn";

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
    numberResults: 2
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
  const applied = await cli(["apply", "--sim", "--auto-approve", "--concurrency", "20"], { cwd: dir });
  expect(applied.code, applied.stderr).toBe(0);
  const rerolled = await cli(["apply", "--sim", "--auto-approve", "--replace", REROLLED, "--replace", "lighthouse"], { cwd: dir });
  expect(rerolled.code, rerolled.stderr).toBe(0);
  const r = await cli(["report", "--sim"], { cwd: dir });
  expect(r.stdout).toMatch(/^Wrote the report to clipform-report\.html: 41 clips \(41 generated\), \$\d+\.\d\d spent\.\n$/);
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

  it("shows a clip's takes side by side, current first, with seeds and costs, the picked one marked, and the pick command to copy", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(pathToFileURL(join(dir, "clipform-report.html")).href);
    const card = page.locator(`.card:has(.address:text-is("${REROLLED}"))`);
    await card.scrollIntoViewIfNeeded();
    const takes = await card.evaluate((el) =>
      Array.from(el.querySelectorAll(".take"), (t) => ({
        label: t.querySelector(".take-label")!.textContent,
        picked: t.classList.contains("picked"),
        control: t.querySelector(".picked-mark, .pick-cmd, button.pick")!.textContent,
        caption: t.querySelector("figcaption")!.textContent,
        // A reroll's earlier take may have no file on disk any more (then a placeholder says so).
        src: t.querySelector("video")?.getAttribute("src") ?? t.querySelector(".placeholder")?.textContent,
      })),
    );
    expect(takes).toHaveLength(2);
    expect(takes.map((t) => [t.label, t.picked, t.control])).toEqual([
      [expect.stringMatching(/^take 2 · current · \$0\.\d\d$/), true, "✓ picked"],
      [expect.stringMatching(/^take 1 · kept · \$0\.\d\d$/), false, `clipform pick ${REROLLED} 1`],
    ]);
    for (const t of takes) expect(t.caption).toMatch(/^v1 · seed \d+ · \$0\.\d{4}$/);
    expect(takes[0]!.src).not.toBe(takes[1]!.src);
    // The portrait fan-out row plays portrait videos (the simulator follows the requested aspect).
    const size = await card.locator("video").first().evaluate(async (v: HTMLVideoElement) => {
      v.preload = "auto";
      if (v.readyState < 1) await new Promise((ok) => v.addEventListener("loadedmetadata", ok, { once: true }));
      return [v.videoWidth, v.videoHeight];
    });
    expect(size).toEqual([90, 160]);
    // Two variants per take for the keyframed clip: four side by side in one row.
    const opening = await page.locator(`.card:has(.address:text-is("lighthouse")) .take`).evaluateAll((ts) => ts.map((t) => t.querySelectorAll("figure").length));
    expect(opening).toEqual([2, 2]);
    await page.locator(".fanout").scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -60));
    await page.waitForTimeout(300); // lazy videos near the viewport show their first frame
    await page.screenshot({ path: GALLERY_SCREENSHOTS[2]! });
    await page.close();
  });

  it("picks a take from the page served by watch --serve; a page from elsewhere cannot", async () => {
    const lockPath = join(dir, ".clipform", "sim", "clipform.lock.json");
    const watcher = start(["watch", "--sim", "--serve", "0"], { cwd: dir });
    try {
      const served = await watcher.waitFor(/report at http:\/\/127\.0\.0\.1:\d+\//, { timeoutMs: 15_000 });
      const url = /report at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(served)![1]!;
      // A page from elsewhere (here the static report, file://) cannot post a pick: no token, and
      // its cross-origin JSON request is never allowed past the preflight.
      const other = await browser.newPage();
      other.setDefaultTimeout(STEP_MS);
      await waiting("the static report to load", other.goto(pathToFileURL(join(dir, "clipform-report.html")).href));
      const before = readFileSync(lockPath, "utf8");
      const forged = await other.evaluate(async (u) => {
        try {
          const res = await fetch(u + "__report/pick", {
            method: "POST",
            headers: { "content-type": "application/json", "x-clipform-pick-token": "guess" },
            body: JSON.stringify({ address: "lighthouse", take: 1 }),
            signal: AbortSignal.timeout(5000),
          });
          return `answered ${res.status}`;
        } catch (e) {
          return (e as Error).name === "TimeoutError" ? "no answer within 5 s" : "blocked";
        }
      }, url);
      expect(forged).toBe("blocked");
      expect(readFileSync(lockPath, "utf8")).toBe(before);
      await other.close();

      const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      page.setDefaultTimeout(STEP_MS);
      await waiting("the served report to load", page.goto(url));
      const take1 = page.locator(`.card:has(.address:text-is("${REROLLED}")) .take[data-take="1"]`);
      const task = await take1.getAttribute("data-task");
      // The pick's answer, not the status line it shows: the pick's own lockfile write makes the
      // watcher re-plan, and the page reloads (within a second) without that line, possibly
      // before this test has looked at it.
      const answered = page.waitForResponse((r) => r.url() === url + "__report/pick" && r.request().method() === "POST");
      await take1.locator("button.pick").click();
      expect((await waiting("the answer to the pick", answered)).status()).toBe(200);
      await waiting(
        "the page to reload showing take 1 picked",
        page.waitForFunction(
          (addr) => Array.from(document.querySelectorAll(".card")).find((c) => c.querySelector(".address")?.textContent === addr)?.querySelector('.take[data-take="1"]')?.classList.contains("picked"),
          REROLLED,
        ),
      );
      // The reloaded page still says what the pick did, once, until dismissed.
      const confirmation = page.locator("#pick-status");
      await confirmation.waitFor({ state: "visible", timeout: 5_000 });
      expect(await confirmation.locator("span").textContent()).toMatch(new RegExp(`^${REROLLED} now uses take 1 \\(${task!.slice(0, 8)}, \\d+ videos?\\)\\. Recorded in the simulator's record \\(\\.clipform/sim/clipform\\.lock\\.json\\), apart from the real lockfile: nothing to commit\\.$`));
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      const lock = JSON.parse(readFileSync(lockPath, "utf8")) as { clips: Record<string, { picked?: string }> };
      expect(lock.clips[REROLLED]!.picked).toBe(task);
      expect(await page.locator(`.card:has(.address:text-is("${REROLLED}")) .take[data-take="2"] button.pick`).textContent()).toBe("Pick take 2");
      expect((await cli(["pick", REROLLED], { cwd: dir })).code).not.toBe(0); // the real record is untouched: nothing was generated there
      await take1.scrollIntoViewIfNeeded();
      await page.screenshot({ path: GALLERY_SCREENSHOTS[3]! });
      await confirmation.locator("button.dismiss").click({ timeout: 5_000 });
      expect(await confirmation.isHidden()).toBe(true);
      await page.close();
    } finally {
      await watcher.stop({ timeoutMs: 10_000 });
    }
  });
});
