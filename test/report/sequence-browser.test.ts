/// <reference lib="dom" />
/**
 * Sequence films in a real headless Chromium: after `apply --sim`, the report's sequence section
 * plays both a stream-copied film and a re-encoded one (landscape + portrait), each as long as
 * its members together. Without /usr/bin/chromium this fails, it never skips.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, project } from "../helpers/cli.js";
import { TWO_SHOTS } from "../helpers/story.js";

const CHROMIUM = "/usr/bin/chromium";

const MANIFEST = `${TWO_SHOTS}  portrait:
    model: klingai:3@1
    positivePrompt: A conductor waves from the steps.
    width: 720
    height: 1280
sequences:
  trailer: [arrival, platform]
  mixed: [arrival, portrait]
`;

describe("sequence films in Chromium", () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the report's browser tests need Debian's chromium`);
    dir = project({ "specs/film.yaml": MANIFEST });
    const applied = await cli(["apply", "--sim", "--auto-approve", "--poll-interval", "20"], { cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/cut {9}mixed .*re-encoded/);
    expect(applied.stderr).toMatch(/cut {9}trailer .*streams copied/);
    expect((await cli(["report", "--sim"], { cwd: dir })).code).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--autoplay-policy=no-user-gesture-required"] });
  });
  afterAll(() => browser?.close());

  it("plays each film from the page opened from disk: loaded, two seconds long, time advancing", async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(dir, "clipform-report.html")).href);
    const played = await page.evaluate(() =>
      Promise.all(
        Array.from(document.querySelectorAll<HTMLVideoElement>(".sequence video"), async (v) => {
          const started = Date.now();
          await v.play();
          while (v.currentTime === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 50));
          return { name: v.closest<HTMLElement>(".sequence")!.dataset.sequence, readyState: v.readyState, duration: v.duration, currentTime: v.currentTime, width: v.videoWidth, height: v.videoHeight, error: v.error?.code ?? null };
        }),
      ),
    );
    expect(played.map((v) => v.name)).toEqual(["mixed", "trailer"]);
    for (const v of played) {
      expect(v, v.name).toMatchObject({ error: null, width: 160, height: 90 });
      expect(v.readyState, v.name).toBeGreaterThanOrEqual(3);
      expect(v.duration, v.name).toBeGreaterThan(1.9);
      expect(v.duration, v.name).toBeLessThan(2.2);
      expect(v.currentTime, v.name).toBeGreaterThan(0);
    }
    await page.close();
  });
});
