/**
 * Input images are held to each model's own limits (its definition's imageLimits), not to
 * Kling's 300–2048 px and 20 MB for every model: verified limits reject at the image's line,
 * unconfirmed ones warn, and a model whose limits are unknown gets the common ones as warnings.
 */
import { describe, expect, it } from "vitest";
import { loadOne, png, valuePos } from "../helpers/manifest-fixtures.js";

const FILE = "specs/main.yaml";

function withImage(model: string, image = "./key.png"): string {
  return `version: 1\nclips:\n  harbor:\n    model: ${model}\n    positivePrompt: A slow dolly shot across a quiet harbor at dawn\n    inputs:\n      frameImages:\n        - image: ${image}\n`;
}

const diagnosticsOf = (model: string, image: Buffer) => {
  const yaml = withImage(model);
  return { at: { file: FILE, ...valuePos(yaml, "image") }, diagnostics: loadOne(yaml, { "specs/key.png": image }).diagnostics };
};

/** A valid PNG header followed by `mb` megabytes: its weight, not its pixels, is what counts. */
const heavy = (mb: number) => Buffer.concat([png(1024, 1024), Buffer.alloc(mb * 1024 * 1024)]);

describe("per-model input-image limits", () => {
  it("Seedance takes a 3000x2000 image (up to 6000 px); Kling rejects the same image at its line", () => {
    expect(diagnosticsOf("bytedance:2@2", png(3000, 2000)).diagnostics).toEqual([]);
    const kling = diagnosticsOf("klingai:5@3", png(3000, 2000));
    expect(kling.diagnostics).toEqual([
      { ...kling.at, severity: "error", code: "invalidImage", message: "image ./key.png is 3000x2000 px; each side must be 300 to 2048 px" },
    ]);
  });

  it("Seedance still rejects beyond its own 6000 px", () => {
    const r = diagnosticsOf("bytedance:2@2", png(6400, 2000));
    expect(r.diagnostics).toEqual([{ ...r.at, severity: "error", code: "invalidImage", message: "image ./key.png is 6400x2000 px; each side must be 300 to 6000 px" }]);
  });

  it("LTX rejects an 8 MB image (its limit is 7 MB) that Kling accepts", () => {
    const ltx = diagnosticsOf("lightricks:2@0", heavy(8));
    expect(ltx.diagnostics).toEqual([{ ...ltx.at, severity: "error", code: "invalidImage", message: "image ./key.png is 8 MB; the limit is 7 MB" }]);
    expect(diagnosticsOf("klingai:5@3", heavy(8)).diagnostics).toEqual([]);
  });

  it("an unconfirmed limit only warns", () => {
    const r = diagnosticsOf("pixverse:1@6", png(5000, 3000));
    expect(r.diagnostics).toEqual([
      { ...r.at, severity: "warning", code: "unconfirmedLimit", message: "image ./key.png is 5000x3000 px; each side must be 300 to 4000 px (an unconfirmed limit of pixverse:1@6: the API may accept it)" },
    ]);
  });

  it("a model whose limits are not known gets the common ones, as warnings", () => {
    const r = diagnosticsOf("pixverse:1@7", png(3000, 2000));
    expect(r.diagnostics).toEqual([{ ...r.at, severity: "warning", code: "commonLimit", message: expect.stringMatching(/each side must be 300 to 2048 px \(the common Runware limit: pixverse:1@7's own is not known/) }]);
  });

  it("an inline image is held to the model's limits too", () => {
    const b64 = png(3000, 2000).toString("base64");
    const yaml = withImage("bytedance:2@2", `"data:image/png;base64,${b64}"`);
    expect(loadOne(yaml).diagnostics).toEqual([]);
    const kling = withImage("klingai:5@3", `"data:image/png;base64,${b64}"`);
    expect(loadOne(kling).diagnostics.map((d) => [d.severity, d.message])).toEqual([["error", "image given as a data URI is 3000x2000 px; each side must be 300 to 2048 px"]]);
  });
});
