import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ImageStore } from "../../src/sim/frame-images.js";
import { ByteLru } from "../../src/sim/lru.js";
import { VIDEO_PALETTE, VIDEO_VARIETY } from "../../src/sim/videos.js";

const b64 = (text: string) => Buffer.from(text).toString("base64");
const PICTURE = b64("a picture's bytes, long enough to be taken for base64 image data by anyone");
const UUID = "3f2c5a1e-7b8d-4c9e-a0f1-2b3c4d5e6f70";

describe("ImageStore", () => {
  it("keeps uploads by imageUUID, and names the first and last frame images of a task", () => {
    const store = new ImageStore();
    store.keepUpload(UUID, `data:image/png;base64,${PICTURE}`);
    expect(store.get(UUID)?.bytes).toEqual(Buffer.from(PICTURE, "base64"));

    const frames = store.framesOf({ inputs: { frameImages: [{ image: PICTURE, frame: "last" }, { image: UUID, frame: 0 }] } });
    expect(frames?.first).toBe(UUID);
    expect(store.get(frames!.last!)?.hash).toBe(store.get(UUID)!.hash);
    // Unspecified positions as the API reads them: one image is the first frame, two are first and last.
    expect(store.framesOf({ inputs: { frameImages: [UUID] } })).toEqual({ first: UUID });
    expect(store.framesOf({ inputs: { frameImages: [{ image: UUID }, { image: UUID }] } })).toEqual({ first: UUID, last: UUID });
  });

  it("reads short base64 too, and data URIs only when base64-encoded", () => {
    const store = new ImageStore();
    store.keepUpload(UUID, b64("tiny"));
    expect(store.get(UUID)?.bytes.toString()).toBe("tiny");
    expect(store.framesOf({ inputs: { frameImages: ["data:image/svg+xml,<svg/>"] } })).toBeUndefined();
  });

  it("names nothing it cannot show: URLs, unknown imageUUIDs, no frame images", () => {
    const store = new ImageStore();
    store.keepUpload(UUID, "https://example.com/picture.png");
    expect(store.get(UUID)).toBeUndefined();
    expect(store.framesOf({ inputs: { frameImages: [{ image: "https://example.com/a.png" }, { image: UUID, frame: "last" }] } })).toBeUndefined();
    expect(store.framesOf({ positivePrompt: "no inputs" })).toBeUndefined();
  });

  it("forgets the oldest images past its byte budget", () => {
    const store = new ImageStore(100);
    const image = (n: number) => b64(`${String(n).padStart(2, "0")}${"x".repeat(58)}`); // 60 bytes each
    store.keepUpload(UUID, image(1));
    store.keepUpload("11111111-2222-4333-8444-555555555555", image(2));
    expect(store.get(UUID)).toBeUndefined();
    expect(store.get("11111111-2222-4333-8444-555555555555")).toBeDefined();
  });
});

describe("ByteLru", () => {
  it("forgets the least recently used entries first, and never keeps one over budget", () => {
    const lru = new ByteLru<string>(10);
    lru.set("a", "A", 4);
    lru.set("b", "B", 4);
    expect(lru.get("a")).toBe("A"); // now "b" is the oldest
    lru.set("c", "C", 4);
    expect([lru.has("a"), lru.has("b"), lru.has("c")]).toEqual([true, false, true]);
    expect(lru.bytes).toBe(8);
    lru.set("huge", "H", 11);
    expect(lru.has("huge")).toBe(false);
    expect(lru.bytes).toBe(8);
    lru.set("a", "A2", 2);
    expect([lru.get("a"), lru.bytes]).toEqual(["A2", 6]);
  });
});

describe("the palette", () => {
  it("is scripts/gen-sim-videos.sh's, which made the committed clips", () => {
    const script = readFileSync(new URL("../../scripts/gen-sim-videos.sh", import.meta.url), "utf8");
    const block = /PALETTE=\(([\s\S]*?)\)/.exec(script)![1]!;
    const pairs = [...block.matchAll(/"([0-9a-f]{6}):([0-9a-f]{6})"/g)].map((m) => [m[1], m[2]]);
    expect(pairs).toEqual(VIDEO_PALETTE);
    expect(VIDEO_VARIETY).toBe(12);
  });
});
