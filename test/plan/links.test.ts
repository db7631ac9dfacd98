/**
 * Chained clips in the plan: a clip made from another clip's frame is planned after it. A change
 * upstream replaces everything downstream (its frame is not known until the new take exists), an
 * unchanged upstream cascades nothing, and a frame paid for before is known by its content.
 */
import { describe, expect, it } from "vitest";
import type { DesiredClip } from "../../src/manifest/index.js";
import { pickTake } from "../../src/lockfile/pick.js";
import type { Lockfile } from "../../src/lockfile/schema.js";
import { withFrames, type FrameRecord } from "../../src/plan/links.js";
import { plan, type Change } from "../../src/plan/plan.js";
import { priceBook } from "../../src/plan/prices.js";
import { archiveEntry } from "../../src/lockfile/takes.js";
import { cleanupProjectsAfterEach, loadOne } from "../helpers/manifest-fixtures.js";
import { entryFor, lockWith } from "../helpers/plan-data.js";
import { STORY } from "../helpers/story.js";

cleanupProjectsAfterEach();

const story = (yaml = STORY) => {
  const p = loadOne(yaml);
  expect(p.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { arrival: p.clips.find((c) => c.address === "arrival")!, platform: p.clips.find((c) => c.address === "platform")! };
};
const planOf = (clips: DesiredClip[], lock: Lockfile) => plan({ clips, lock, prices: priceBook(lockWith({})) });
const byAddress = (changes: Change[]) => Object.fromEntries(changes.map((c) => [c.address, c]));

/** The lockfile after an apply: arrival generated, platform made from `frame` of arrival's video. */
function applied(arrival: DesiredClip, platform: DesiredClip, frame = "frame:aaa"): Lockfile {
  const a = entryFor(arrival);
  const record: FrameRecord = { frame: "first", image: frame, from: "arrival", video: a.results[0]!.videoUUID, at: "last" };
  const made = withFrames(platform, new Map([[platform.links![0]!, record]]));
  return { ...lockWith({ arrival: a, platform: entryFor(made) }), format_version: 2 };
}

describe("planning chained clips", () => {
  it("a new chain: both created, platform after arrival, the total is both costs", () => {
    const { arrival, platform } = story();
    const p = planOf([platform, arrival], lockWith({}));
    const ch = byAddress(p.changes);
    expect(ch.arrival).toMatchObject({ action: "create", generate: 1 });
    expect(ch.platform).toMatchObject({ action: "create", generate: 1, waitsFor: ["arrival"], reason: expect.stringMatching(/^arrival is created in this plan/) });
    expect(ch.platform!.estimate!.usd).toBe(0.1848);
    expect(p.summary.estimated_cost_usd).toBe(0.3696);
  });

  it("once applied, nothing to do: the frame is known by what platform's record says", () => {
    const { arrival, platform } = story();
    const p = planOf([arrival, platform], applied(arrival, platform));
    expect(p.changes.map((c) => [c.address, c.action])).toEqual([["arrival", "no-op"], ["platform", "no-op"]]);
  });

  it("editing arrival's prompt replaces both, with both costs", () => {
    const { arrival, platform } = story();
    const lock = applied(arrival, platform);
    const edited = story(STORY.replace("at dusk.", "at dawn."));
    const p = planOf([edited.arrival, edited.platform], lock);
    const ch = byAddress(p.changes);
    expect(ch.arrival).toMatchObject({ action: "replace", generate: 1 });
    expect(ch.platform).toMatchObject({ action: "replace", generate: 1, waitsFor: ["arrival"], reason: expect.stringMatching(/^arrival changes in this plan: platform is made from the new frame/) });
    expect(p.summary.estimated_cost_usd).toBe(0.3696);
  });

  it("editing platform alone replaces platform alone, naming the field", () => {
    const { arrival, platform } = story();
    const lock = applied(arrival, platform);
    const edited = story(STORY.replace("snowy platform.", "icy platform."));
    const ch = byAddress(planOf([edited.arrival, edited.platform], lock).changes);
    expect(ch.arrival!.action).toBe("no-op");
    expect(ch.platform).toMatchObject({ action: "replace", fields: [{ field: "positivePrompt" }] });
    expect(ch.platform!.waitsFor).toBeUndefined();
  });

  it("picking another take of arrival replaces platform: its frame is new", () => {
    const { arrival, platform } = story();
    const lock = applied(arrival, platform);
    // A reroll of arrival's request, kept among its takes, then picked.
    const reroll = entryFor(arrival, 1, { tasks: [{ ...lock.clips.arrival!.tasks[0]!, taskUUID: "00000000-0000-4000-8000-0000000000aa", submittedAt: "2026-02-01T00:00:00Z" }] });
    reroll.results = [{ ...reroll.results[0]!, taskUUID: "00000000-0000-4000-8000-0000000000aa" }];
    archiveEntry(lock, "arrival", reroll);
    const picked = pickTake(lock, "arrival", "2").lock;
    const ch = byAddress(planOf([arrival, platform], picked).changes);
    expect(ch.arrival!.action).toBe("no-op");
    expect(ch.platform).toMatchObject({ action: "replace", waitsFor: ["arrival"], reason: expect.stringMatching(/^arrival's picked video \(.{8}\) is new to platform/) });
  });

  it("going back to a picture platform was made from before is a reuse at $0", () => {
    const { arrival, platform } = story();
    const lock = applied(arrival, platform, "frame:old");
    // Since then platform was made from another picture (of a video arrival no longer uses);
    // its first take, made from arrival's current video, is kept among the takes.
    archiveEntry(lock, "platform", lock.clips.platform!);
    const other: FrameRecord = { frame: "first", image: "frame:other", from: "arrival", video: "gone", at: "last" };
    lock.clips.platform = entryFor(withFrames(platform, new Map([[platform.links![0]!, other]])));
    const ch = byAddress(planOf([arrival, platform], lock).changes);
    expect(ch.platform).toMatchObject({ action: "reuse", generate: 0, estimate: { usd: 0 }, reason: expect.stringMatching(/^paid before/) });
  });

  it("an upstream still generating makes the clip wait, not guess", () => {
    const { arrival, platform } = story();
    const lock = lockWith({ arrival: entryFor(arrival, 0, { tasks: [{ taskUUID: "00000000-0000-4000-8000-0000000000bb", numberResults: 1, status: "submitted", submittedAt: "2026-01-01T00:00:00Z", acceptedAt: "2026-01-01T00:00:01Z" }] }) });
    const ch = byAddress(planOf([arrival, platform], lock).changes);
    expect(ch.arrival!.action).toBe("resume");
    expect(ch.platform).toMatchObject({ action: "create", waitsFor: ["arrival"], reason: expect.stringMatching(/^arrival is still generating/) });
  });
});
