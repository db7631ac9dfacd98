/**
 * Chained clips in the engine, in-process with the fake API and clock: a clip made from another's
 * frame is sent only once that clip's video is on disk, independent chains run side by side, and
 * an upstream that fails leaves its dependants unsent.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ClipLink } from "../../src/manifest/links.js";
import { fingerprintOf } from "../../src/manifest/index.js";
import { RunwareError } from "../../src/runware/errors.js";
import { chained, desired, entryFor, lockWith } from "../helpers/plan-data.js";
import { archiveEntry } from "../../src/lockfile/takes.js";
import { withFrames } from "../../src/plan/links.js";
import { FakeApi, rig, type FakeClock, type Rig } from "./fake-api.js";

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});

/** The fake API, downloading one of the simulator's committed clips (a real video) per URL. */
class VideoApi extends FakeApi {
  override async download(url: string, dest: string): Promise<{ sha256: string; bytes: number }> {
    const n = createHash("sha256").update(url).digest()[0]! % 12;
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(new URL(`../../assets/video/landscape-${String(n).padStart(2, "0")}.mp4`, import.meta.url), dest);
    return { sha256: "x", bytes: 1 };
  }
}


describe("apply engine: chained clips", () => {
  it("sends each clip after its upstream's video is downloaded; two chains run side by side", async () => {
    const clips = [desired("a1"), chained("b1", "a1"), desired("a2", { positivePrompt: "other" }), chained("b2", "a2")];
    const r = rig(clips, lockWith({}), { api: (clock: FakeClock) => new VideoApi(clock) });
    rigs.push(r);
    const order: string[] = [];
    r.api.onSubmit = (tasks) => order.push(tasks.map((t) => String(t.positivePrompt)).join("+"));
    const s = await r.engine.run();
    expect(s).toMatchObject({ succeeded: 4, skipped: 0, failed: 0 });
    // Both upstream clips in the first submit; both downstream ones after (in whichever order they finished).
    expect(order[0]).toBe("A lighthouse in a storm+other");
    expect(order.slice(1).flatMap((batch) => batch.split("+")).sort()).toEqual(["after a1", "after a2"]);
    const seq = r.events.map((e) => `${e.type}:${"address" in e ? e.address : ""}`);
    for (const [up, down] of [["a1", "b1"], ["a2", "b2"]]) {
      expect(seq.indexOf(`downloaded:${up}`)).toBeLessThan(seq.indexOf(`frames-ready:${down}`));
      expect(seq.indexOf(`frames-ready:${down}`)).toBeLessThan(seq.indexOf(`submitted:${down}`));
    }
    const lock = r.onDisk();
    const frame = (lock.clips.b1!.request.frameImages as { image: string; video: string }[])[0]!;
    expect(frame.video).toBe(lock.clips.a1!.results[0]!.videoUUID);
    expect(lock.clips.a1!.results[0]!.frames).toEqual({ last: frame.image });
  });

  it("an upstream that fails leaves its dependant unsent, and says why", async () => {
    /** The API fails every generation. */
    class FailingApi extends VideoApi {
      override async poll(tasks: Parameters<FakeApi["poll"]>[0]) {
        const out = await super.poll(tasks);
        for (const [id, res] of out) if (res.status === "success") out.set(id, { status: "error", items: [], error: new RunwareError({ kind: "validation", retryable: false, message: "refused" }) });
        return out;
      }
    }
    const r = rig([desired("a1"), chained("b1", "a1")], lockWith({}), { api: (clock: FakeClock) => new FailingApi(clock) });
    rigs.push(r);
    const s = await r.engine.run();
    expect(r.api.submits).toHaveLength(1);
    expect(s).toMatchObject({ failed: 1, skipped: 1 });
    expect(r.events.find((e) => e.type === "skipped")).toMatchObject({ address: "b1", reason: expect.stringMatching(/^a1 has no video to take a frame from/) });
  });

  it("a reference image from another clip is uploaded and sent at its place", async () => {
    const ref = desired("b1", { model: "vidu:3@1", positivePrompt: "the hero runs" });
    const link: ClipLink = { input: "referenceImages", index: 1, target: "a1", frame: "first", variant: 1, location: { file: "specs/clips.yaml", line: 1, col: 1 } };
    ref.generation.otherInputs = { referenceImages: ["https://example.com/market.jpg", "from:a1#first#1"] };
    ref.links = [link];
    ref.fingerprint = fingerprintOf(ref.generation);
    const r = rig([desired("a1"), ref], lockWith({}), { api: (clock: FakeClock) => new VideoApi(clock) });
    rigs.push(r);
    const sent: unknown[] = [];
    r.api.onSubmit = (tasks) => sent.push(...tasks.map((t) => (t.inputs as { referenceImages?: unknown } | undefined)?.referenceImages));
    expect(await r.engine.run()).toMatchObject({ succeeded: 2 });
    expect(sent[1]).toEqual(["https://example.com/market.jpg", expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    const lock = r.onDisk();
    expect((lock.clips.b1!.request.otherInputs as { referenceImages: string[] }).referenceImages[1]).toBe(lock.clips.a1!.results[0]!.frames!.first);
  });

  it("a chained clip planned as a copy of a take is copied at $0, under the request it was made with", async () => {
    const a1 = desired("a1");
    const b1 = chained("b1", "a1");
    const up = entryFor(a1);
    up.results[0]!.frames = { last: "frame:old" };
    const made = withFrames(b1, new Map([[b1.links![0]!, { frame: "first", image: "frame:old", from: "a1", video: up.results[0]!.videoUUID, at: "last" }]]));
    const lock = { ...lockWith({ a1: up }), format_version: 2 as const };
    archiveEntry(lock, "b1", entryFor(made)); // paid before, used by no clip now
    const r = rig([a1, b1], lock, { api: (clock: FakeClock) => new VideoApi(clock) });
    rigs.push(r);
    expect(await r.engine.run()).toMatchObject({ reused: 1, succeeded: 0 });
    expect(r.api.submits).toEqual([]);
    expect(r.onDisk().clips.b1!.fingerprint).toBe(made.fingerprint);
  });

  it("a clip made from a copy that is only made at the end of the run waits for the next apply, never reads the old video", async () => {
    // x is the same request as y, which this run generates: x is copied from it at the end.
    const y = desired("y");
    const x = { ...desired("x"), fingerprint: y.fingerprint, generation: y.generation };
    const r = rig([y, x, chained("z", "x")], lockWith({}), { api: (clock: FakeClock) => new VideoApi(clock) });
    rigs.push(r);
    const s = await r.engine.run();
    expect(s).toMatchObject({ succeeded: 1, reused: 1, skipped: 1 });
    expect(r.events.find((e) => e.type === "skipped")).toMatchObject({ address: "z", reason: expect.stringMatching(/only finished at the end of this run/) });
    expect(r.api.submits).toHaveLength(1);
  });
});

