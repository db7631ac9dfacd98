/**
 * Local frame images are checked before anything is paid for: they exist, they are PNG, JPEG or
 * WEBP, and each side is within the Kling limits (300–2048 px). Errors point at the reference.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/manifest/index.js";
import { classifyImage, LocalImageCache, sniffImage } from "../../src/manifest/images.js";
import { cleanupProjectsAfterEach, loadOne, makeProject, png, posOf, valuePos } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const FILE = "specs/main.yaml";
const withImage = (ref: string, model = "klingai:1@2") =>
  `version: 1\nclips:\n  harbor:\n    model: ${model}\n    positivePrompt: The harbor wakes up\n    inputs:\n      frameImages:\n        - image: ${ref}\n          frame: first\n`;

/** A baseline JPEG header with a SOF0 segment carrying the size. */
function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.alloc(19);
  sof.set([0xff, 0xc0, 0x00, 0x11, 0x08]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  sof.set([0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01], 9);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

/** A WEBP (VP8X) header with the given canvas size. */
function webp(width: number, height: number): Buffer {
  const b = Buffer.alloc(30);
  b.write("RIFF", 0, "ascii");
  b.writeUInt32LE(22, 4);
  b.write("WEBP", 8, "ascii");
  b.write("VP8X", 12, "ascii");
  b.writeUInt32LE(10, 16);
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b;
}

describe("local frame images", () => {
  it("a file that does not exist: error at the reference", () => {
    const yaml = withImage("./assets/missing.png");
    const project = loadOne(yaml);
    expect(project.diagnostics).toEqual([
      { file: FILE, ...valuePos(yaml, "image"), severity: "error", code: "invalidImage", message: expect.stringMatching(/^image file not found: \.\/assets\/missing\.png/) },
    ]);
    expect(project.clips).toEqual([]);
  });

  it("a missing file written in the short form of a flow list: error at the item", () => {
    const yaml = `version: 1\nclips:\n  harbor:\n    model: klingai:1@2\n    positivePrompt: The harbor wakes up\n    inputs:\n      frameImages: [./first.png, ./nope.png]\n`;
    const project = loadOne(yaml, { "specs/first.png": png(512, 512) });
    expect(project.diagnostics.map((d) => ({ line: d.line, col: d.col, message: d.message }))).toEqual([
      { ...posOf(yaml, "./nope.png"), message: expect.stringMatching(/not found: \.\/nope\.png/) },
    ]);
  });

  it("a file that is not an image: error at the reference", () => {
    const yaml = withImage("./notes.txt");
    const project = loadOne(yaml, { "specs/notes.txt": "shot list: harbor, lighthouse, monorail\n" });
    expect(project.diagnostics).toEqual([
      { file: FILE, ...valuePos(yaml, "image"), severity: "error", code: "invalidImage", message: expect.stringMatching(/^\.\/notes\.txt is not a PNG, JPEG or WEBP image/) },
    ]);
  });

  it("a directory is not an image file", () => {
    const root = makeProject({ "specs/main.yaml": withImage("./frames") });
    mkdirSync(join(root, "specs", "frames"));
    const project = loadProject({ root });
    expect(project.diagnostics.map((d) => [d.line, d.message])).toEqual([[8, "image path is not a file: ./frames"]]);
  });

  it("a 100x100 PNG is too small: error naming the size and the limits", () => {
    const yaml = withImage("./small.png");
    const project = loadOne(yaml, { "specs/small.png": png(100, 100) });
    expect(project.diagnostics).toEqual([
      { file: FILE, ...valuePos(yaml, "image"), severity: "error", code: "invalidImage", message: "image ./small.png is 100x100 px; each side must be 300 to 2048 px" },
    ]);
  });

  it("sides outside 300..2048 on one axis only are rejected too", () => {
    for (const [w, h] of [
      [299, 512],
      [512, 2049],
    ] as const) {
      const project = loadOne(withImage("./f.png"), { "specs/f.png": png(w, h) });
      expect(project.diagnostics.map((d) => d.message)).toEqual([`image ./f.png is ${w}x${h} px; each side must be 300 to 2048 px`]);
    }
  });

  it("a valid 512x512 PNG passes and is tracked by content", () => {
    const image = png(512, 512, "harbor");
    const yaml = withImage("./assets/harbor.png");
    const root = makeProject({ "specs/main.yaml": yaml, "specs/assets/harbor.png": image });
    const project = loadProject({ root });
    expect(project.diagnostics).toEqual([]);
    const sha = createHash("sha256").update(image).digest("hex");
    const clip = project.clips[0]!;
    expect(clip.frameImages).toEqual([{ frame: "first", kind: "file", ref: "./assets/harbor.png", path: join(root, "specs", "assets", "harbor.png"), sha256: sha }]);
    expect(clip.generation.frameImages).toEqual([{ frame: "first", image: `sha256:${sha}`, file: "./assets/harbor.png" }]);
  });

  it("the limits themselves (300 and 2048) pass, as do JPEG and WEBP of a valid size", () => {
    const files = { "specs/a.png": png(300, 2048), "specs/b.jpg": jpeg(1280, 720), "specs/c.webp": webp(720, 1280) };
    for (const ref of ["./a.png", "./b.jpg", "./c.webp"]) {
      const project = loadOne(withImage(ref), files);
      expect({ ref, diagnostics: project.diagnostics }).toEqual({ ref, diagnostics: [] });
    }
  });

  it("a too small JPEG is rejected", () => {
    const project = loadOne(withImage("./b.jpg"), { "specs/b.jpg": jpeg(200, 150) });
    expect(project.diagnostics.map((d) => d.message)).toEqual(["image ./b.jpg is 200x150 px; each side must be 300 to 2048 px"]);
  });

  it("paths are relative to the manifest's own folder", () => {
    const yaml = withImage("../../assets/harbor.png");
    const project = loadProject({ root: makeProject({ "specs/shots/main.yaml": yaml, "assets/harbor.png": png(640, 640) }) });
    expect(project.diagnostics).toEqual([]);
    expect(project.clips[0]!.manifest).toBe("specs/shots/main.yaml");
  });

  it("URLs, data URIs, image UUIDs and base64 are not looked up on disk", () => {
    const inline = Buffer.concat([png(512, 512), Buffer.alloc(64)]).toString("base64"); // header plus padding: real images are longer than 64 base64 characters
    const refs = ["https://example.com/missing.png", `data:image/png;base64,${inline}`, "aac49721-1964-481a-ae78-8a4e29b91402", inline];
    expect(refs.map(classifyImage)).toEqual(["url", "dataUri", "uuid", "base64"]);
    for (const ref of refs) {
      const project = loadOne(withImage(JSON.stringify(ref)));
      expect({ ref, diagnostics: project.diagnostics }).toEqual({ ref, diagnostics: [] });
      expect(project.clips[0]!.frameImages[0]).toEqual({ frame: "first", kind: classifyImage(ref), ref });
    }
    expect(["./a.png", "frames/first.jpg", "first.png", "/abs/path.webp"].map(classifyImage)).toEqual(["file", "file", "file", "file"]);
  });
});

describe("inline frame images (data URIs, base64)", () => {
  it("are checked like local files: format and pixel size", () => {
    const tiny = png(10, 10).toString("base64");
    const cases: [string, RegExp][] = [
      [`data:image/png;base64,${tiny}`, /image given as a data URI is 10x10 px; each side must be 300 to 2048 px/],
      [tiny.padEnd(80, "A"), /image given as base64 is 10x10 px/],
      [`data:image/gif;base64,${Buffer.from("GIF89a" + "x".repeat(40)).toString("base64")}`, /the image given as a data URI is not a PNG, JPEG or WEBP image/],
      ["data:image/png,rawbytes", /must be base64-encoded/],
    ];
    for (const [ref, message] of cases) {
      const project = loadOne(withImage(JSON.stringify(ref)));
      expect(project.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(message)]);
    }
  });
});

describe("sniffImage", () => {
  it("reads the size of PNG (bytes 16-23), JPEG (SOF) and WEBP (VP8X)", () => {
    expect(sniffImage(png(1280, 720))).toEqual({ format: "png", width: 1280, height: 720 });
    expect(sniffImage(jpeg(640, 480))).toEqual({ format: "jpeg", width: 640, height: 480 });
    expect(sniffImage(webp(1024, 576))).toEqual({ format: "webp", width: 1024, height: 576 });
    expect(sniffImage(Buffer.from("GIF89a..........................."))).toEqual({ format: "unknown" });
    expect(sniffImage(Buffer.alloc(0))).toEqual({ format: "unknown" });
  });

  it("the cache re-reads a file whose content changed", () => {
    const root = makeProject({ "specs/main.yaml": withImage("./f.png"), "specs/f.png": png(512, 512) });
    const cache = new LocalImageCache();
    const first = loadProject({ root, images: cache });
    expect(first.diagnostics).toEqual([]);
    writeFileSync(join(root, "specs", "f.png"), png(100, 100, "now it is much too small, and larger"));
    const second = loadProject({ root, images: cache });
    expect(second.diagnostics.map((d) => d.message)).toEqual(["image ./f.png is 100x100 px; each side must be 300 to 2048 px"]);
  });
});
