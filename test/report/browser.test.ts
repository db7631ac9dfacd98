/// <reference lib="dom" />
/**
 * The report in a real headless Chromium (Debian's `chromium`, driven by playwright-core, which
 * downloads no browser): after `apply --sim`, every video loads and plays, filters and search
 * work, nothing is fetched from the network; and served live, the page reloads when the
 * version changes. `.ci/run` installs chromium; without it these tests fail, they never skip.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Lockfile } from "../../src/lockfile/schema.js";
import { buildReportHtml, VERSION_ENDPOINT } from "../../src/report/index.js";
import { cli, exampleProject } from "../helpers/cli.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = join(tmpdir(), "clipform-report.png");
const NEW_CLIP = "tram";

/** Without chromium every test fails with this (it is never skipped). */
const INSTALLED = existsSync(CHROMIUM);
const MISSING = `${CHROMIUM} is missing: the report's browser tests need Debian's chromium (apt-get install --no-install-recommends chromium; .ci/run installs it when run as root)`;

function launch(): Promise<Browser> {
  // playwright-core gives every launch a fresh, temporary user-data-dir.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
  });
}

/** The example project after `apply --sim`, then edited: one prompt changed (with markup in it) and one clip added. */
async function appliedAndEdited(): Promise<string> {
  const dir = exampleProject();
  const applied = await cli(["apply", "--sim", "--auto-approve"], { cwd: dir });
  expect(applied.code, applied.stderr).toBe(0);
  const t2v = join(dir, "specs", "text-to-video.yaml");
  writeFileSync(t2v, readFileSync(t2v, "utf8").replace("a great origami dragon.", "a great origami <dragon> & phoenix."));
  const fanOut = join(dir, "specs", "fan-out.yaml");
  writeFileSync(fanOut, `${readFileSync(fanOut, "utf8")}  ${NEW_CLIP}:\n    model: klingai:1@2\n    positivePrompt: A night tram crosses an iron bridge.\n`);
  return dir;
}

let dir: string;
let browser: Browser;
beforeEach(() => {
  if (!INSTALLED) throw new Error(MISSING);
});
beforeAll(async () => {
  if (!INSTALLED) return;
  browser = await launch();
  dir = await appliedAndEdited();
});
afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `apply --sim` keeps its record apart from the real one. */
const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, ".clipform", "sim", "clipform.lock.json"), "utf8")) as Lockfile;

/** Plays every video on the page and reports what the element says about it. */
function playAll(page: Page) {
  return page.evaluate(() =>
    Promise.all(
      Array.from(document.querySelectorAll("video"), async (v) => {
        const started = Date.now();
        await v.play();
        while (v.currentTime === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 50));
        return { src: v.getAttribute("src")!, readyState: v.readyState, duration: v.duration, currentTime: v.currentTime, error: v.error?.code ?? null };
      }),
    ),
  );
}

const visibleAddresses = (page: Page) =>
  page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>(".card"), (c) => (c.hidden ? "" : c.querySelector(".address")!.textContent!)).filter(Boolean));

describe("the report in Chromium, opened from disk", () => {
  let page: Page;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    if (!INSTALLED) return;
    const r = await cli(["report", "--sim"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("request", (req) => requests.push(req.url()));
    page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(pathToFileURL(join(dir, "clipform-report.html")).href);
  });
  afterAll(() => page?.close());

  it("plays every generated video: H.264 MP4 supported, data loaded, duration above zero, time advancing", async () => {
    expect(await page.evaluate(() => document.createElement("video").canPlayType('video/mp4; codecs="avc1.42E01E"'))).toBe("probably");
    const files = Object.values(lockOf(dir).clips).flatMap((e) => e.results.map((r) => r.file!));
    const played = await playAll(page);
    expect(played.map((v) => v.src).sort()).toEqual(files.sort());
    for (const v of played) {
      expect(v, v.src).toMatchObject({ error: null });
      expect(v.readyState, v.src).toBeGreaterThanOrEqual(3);
      expect(v.duration, v.src).toBeGreaterThan(0);
      expect(v.currentTime, v.src).toBeGreaterThan(0);
    }
  });

  it("shows markup in a prompt as text", async () => {
    const prompt = await page.evaluate(() => document.querySelector('[data-model="klingai:3@1"][data-status="pending"] .prompt')!.textContent);
    expect(prompt).toContain("a great origami <dragon> & phoenix.");
    expect(await page.locator("dragon").count()).toBe(0);
  });

  it("filters by model, manifest and status, searches prompts, and clears", async () => {
    const lock = lockOf(dir);
    const all = [...Object.keys(lock.clips), NEW_CLIP].sort();
    const byModel = Object.keys(lock.clips).filter((a) => lock.clips[a]!.model === "klingai:3@1").sort();
    expect(await visibleAddresses(page)).toEqual(all);

    await page.selectOption('select[name="model"]', "klingai:3@1");
    expect(await visibleAddresses(page)).toEqual(byModel);
    await page.selectOption('select[name="status"]', "pending");
    expect(await visibleAddresses(page)).toEqual(["origami-dragon"]);
    await page.selectOption('select[name="model"]', "");
    expect(await visibleAddresses(page)).toEqual(["origami-dragon", NEW_CLIP]);
    await page.selectOption('select[name="manifest"]', "specs/fan-out.yaml");
    expect(await visibleAddresses(page)).toEqual([NEW_CLIP]);
    await page.click("#clear");
    expect(await visibleAddresses(page)).toEqual(all);

    const word = "rainstorm";
    expect(Object.entries(lock.clips).filter(([, e]) => String(e.request.positivePrompt).includes(word)).map(([a]) => a)).toEqual(["rainy-monorail"]);
    await page.fill('input[name="q"]', word.toUpperCase());
    expect(await visibleAddresses(page)).toEqual(["rainy-monorail"]);
    expect(await page.textContent(".count")).toBe(`1 of ${all.length} clips`);
    await page.fill('input[name="q"]', `${word} nowhere-in-any-prompt`);
    expect(await visibleAddresses(page)).toEqual([]);
    expect(await page.isVisible("#empty")).toBe(true);
    await page.click("#clear");
    expect(await visibleAddresses(page)).toEqual(all);
    expect(await page.isVisible("#empty")).toBe(false);
  });

  it("keeps the filters in the URL, so they survive a reload", async () => {
    await page.selectOption('select[name="status"]', "pending");
    await page.fill('input[name="q"]', "tram");
    await page.reload();
    expect(await page.inputValue('select[name="status"]')).toBe("pending");
    expect(await visibleAddresses(page)).toEqual([NEW_CLIP]);
    await page.click("#clear");
    expect(new URL(page.url()).hash).toBe("");
  });

  it("requests nothing but local files, and the page reports no errors (its policy allows its own scripts)", () => {
    expect(requests.filter((u) => u.endsWith(".mp4")).length).toBeGreaterThanOrEqual(13);
    expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
    expect(problems).toEqual([]);
  });

  it(`saves a screenshot (${SCREENSHOT})`, async () => {
    // The whole page in the viewport, every video paused on a frame: Chromium paints no frame for off-screen videos.
    await page.setViewportSize({ width: 1280, height: await page.evaluate(() => document.documentElement.scrollHeight) });
    await page.evaluate(() =>
      Promise.all(
        Array.from(document.querySelectorAll("video"), (v) => {
          v.pause();
          v.currentTime = 0.5;
          return new Promise((resolve) => v.addEventListener("seeked", resolve, { once: true }));
        }),
      ),
    );
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(50_000);
  });
});

describe("the report served live", () => {
  let server: Server;
  let version = "1";
  let versionStatus = 200;
  let origin: string;
  const requests: string[] = [];

  beforeAll(async () => {
    if (!INSTALLED) return;
    // A stand-in for `clipform watch`: the page at /, project files by path, and the version endpoint.
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url!, "http://x").pathname);
      if (path === "/") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(buildReportHtml(dir, { live: { version }, sim: true }));
      } else if (path === VERSION_ENDPOINT) {
        res.writeHead(versionStatus, { "content-type": "text/plain" }).end(version);
      } else {
        const file = join(dir, normalize(path));
        if (existsSync(file) && file.startsWith(dir)) res.writeHead(200, { "content-type": "video/mp4" }).end(readFileSync(file));
        else res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
  });

  it("plays the videos over HTTP, reloads (keeping its filters) when the version changes, and says when the server stops answering", async () => {
    const page = await browser.newPage();
    page.on("request", (req) => requests.push(req.url()));
    await page.goto(`${origin}/`);
    const played = await playAll(page);
    expect(played).toHaveLength(13);
    for (const v of played) expect(v.currentTime, v.src).toBeGreaterThan(0);
    let loads = 0;
    page.on("load", () => loads++);
    await page.selectOption('select[name="model"]', "klingai:1@2");
    await page.waitForTimeout(1500); // more than one poll with the same version: no reload
    expect(loads).toBe(0);

    const reloaded = page.waitForEvent("load", { timeout: 5000 });
    version = "2";
    await reloaded;
    expect(loads).toBe(1);
    expect(await page.getAttribute('meta[name="clipform-report-version"]', "content")).toBe("2");
    expect(await page.inputValue('select[name="model"]')).toBe("klingai:1@2");

    expect(await page.isVisible(".offline-note")).toBe(false);
    versionStatus = 503;
    await page.waitForSelector(".offline-note", { state: "visible", timeout: 5000 });
    expect(requests.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
  });
});
