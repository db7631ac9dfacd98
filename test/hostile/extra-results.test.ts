/**
 * Results beyond numberResults are an anomaly, not videos: a server that answered 2,000 results
 * per task made apply download 4,000 files. The first numberResults are kept; the rest are
 * refused (never recorded, downloaded or counted), the task is marked, the run says so and goes on.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Lockfile } from "../../src/lockfile/schema.js";
import { cleanupAfterAll, simProject } from "../helpers/apply-sim.js";
import { cli, startHostileApi, type HostileApi } from "./inproc.js";

cleanupAfterAll();
let api: HostileApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe("a server that sends more results than asked", () => {
  it("2,000 results per task: numberResults kept and downloaded, the rest refused and reported", async () => {
    api = await startHostileApi({ items: (_t, url) => Array.from({ length: 2000 }, (_, n) => ({ videoUUID: randomUUID(), videoURL: url(n) })) });
    const dir = simProject([{ id: "one", prompt: "A heron lifts off a misty lake", numberResults: 1 }, { id: "two", prompt: "A tram turns a corner at night", numberResults: 2 }]);
    const r = await cli(["apply", "--auto-approve", "--poll-interval", "10"], dir, api.env);
    expect(r.stderr).toMatch(/anomaly +one +task \w+: the API sent 1999 results beyond numberResults 1: refused/);
    expect(r.stderr).toMatch(/anomaly +two +task \w+: the API sent 1998 results beyond numberResults 2: refused/);
    expect(r.code).toBe(0);
    expect(api.submits.length).toBe(2);
    expect(api.downloads.length).toBe(3);
    const lock = JSON.parse(readFileSync(join(dir, "clipform.lock.json"), "utf8")) as Lockfile;
    expect(lock.clips.one!.results.length).toBe(1);
    expect(lock.clips.two!.results.length).toBe(2);
    expect(lock.clips.one!.tasks[0]!.refusedResults).toBe(1999);
    expect(lock.clips.two!.tasks[0]).toMatchObject({ status: "succeeded", refusedResults: 1998 });
  });
});
