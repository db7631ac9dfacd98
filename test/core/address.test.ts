import { describe, expect, it } from "vitest";
import {
  addressSegments,
  fileImageId,
  formatPending,
  formatVariantRef,
  frameIdHash,
  frameImageId,
  frameKey,
  fromLabel,
  joinAddress,
  parsePending,
  parseVariantRef,
  withSegment,
} from "../../src/core/address.js";

describe("clip addresses", () => {
  it("joins an id and its fan-out keys with / and splits them back", () => {
    expect(joinAddress("harbor")).toBe("harbor");
    expect(joinAddress("harbor", ["wide", "foggy"])).toBe("harbor/wide/foggy");
    expect(addressSegments("harbor/wide/foggy")).toEqual(["harbor", "wide", "foggy"]);
    expect(addressSegments(joinAddress("a", ["b"]))).toEqual(["a", "b"]);
  });

  it("replaces one segment, to group fan-outs that differ only there", () => {
    expect(withSegment("harbor/klingai-1-2/wide", 1, "*")).toBe("harbor/*/wide");
    expect(withSegment("harbor/veo", 1, "*")).toBe("harbor/*");
  });
});

describe("ADDR#N variant references", () => {
  it("reads a variant number after the last #", () => {
    expect(parseVariantRef("harbor/wide#2")).toEqual({ address: "harbor/wide", variant: 2 });
    expect(parseVariantRef("harbor/*#1")).toEqual({ address: "harbor/*", variant: 1 });
    expect(parseVariantRef("harbor/wide")).toEqual({ address: "harbor/wide" });
  });

  it("keeps a # not followed by digits alone as part of the address", () => {
    expect(parseVariantRef("harbor#x")).toEqual({ address: "harbor#x" });
    expect(parseVariantRef("harbor#2x")).toEqual({ address: "harbor#2x" });
    expect(parseVariantRef("harbor#")).toEqual({ address: "harbor#" });
  });

  it("formats what it parses", () => {
    for (const text of ["a/b#3", "a", "a/*/c#12"]) expect(formatVariantRef(parseVariantRef(text))).toBe(text);
    expect(formatVariantRef({ address: "a/b", variant: 1 })).toBe("a/b#1");
  });
});

describe("from: references", () => {
  it("labels a reference as the user wrote it", () => {
    expect(fromLabel("arrival")).toBe("from:arrival");
  });

  it("writes the placeholder a waiting request holds, and reads it back", () => {
    expect(formatPending({ target: "arrival", frame: "last", variant: 1 })).toBe("from:arrival#last#1");
    expect(formatPending({ target: "station-key", variant: 2 })).toBe("from:station-key#image#2");
    expect(parsePending("from:arrival#last#1")).toEqual({ target: "arrival", frame: "last", variant: 1 });
    expect(parsePending("from:city/wide#first#3")).toEqual({ target: "city/wide", frame: "first", variant: 3 });
    expect(parsePending("from:station-key#image#2")).toEqual({ target: "station-key", variant: 2 });
  });

  it("reads nothing else as a placeholder", () => {
    for (const text of ["arrival#last#1", "from:arrival", "from:arrival#middle#1", "from:arrival#last#0", "from:#last#1", "from:a#last#1#2", "sha256:ab"]) {
      expect(parsePending(text)).toBeUndefined();
    }
  });
});

describe("image ids and frame keys", () => {
  it("names frames and files by content, and reads a frame id's hash back", () => {
    expect(frameImageId("ab12")).toBe("frame:ab12");
    expect(frameIdHash(frameImageId("ab12"))).toBe("ab12");
    expect(frameIdHash("sha256:ab12")).toBeUndefined();
    expect(frameIdHash(undefined)).toBeUndefined();
    expect(frameIdHash(42)).toBeUndefined();
    expect(fileImageId("cd34")).toBe("sha256:cd34");
  });

  it("keys one frame of one video", () => {
    expect(frameKey("5f0c-uuid", "last")).toBe("5f0c-uuid#last");
    expect(frameKey("5f0c-uuid", "first")).not.toBe(frameKey("5f0c-uuid", "last"));
  });
});
