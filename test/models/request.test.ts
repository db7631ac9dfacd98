/**
 * The task sent for a clip carries only what its model takes: no CFGScale where the model has
 * none, no width/height where the size comes from the frame image, a seed only where it is an
 * input, and the model's provider settings, resolution and other inputs as written.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { buildTask } from "../../src/apply/request.js";
import { loadProject } from "../../src/manifest/index.js";
import { cleanupProjectsAfterEach, makeProject } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

const noUploads = { upload: async () => { throw new Error("no local images here"); } };
const UUID = "6b0b5a7e-2b1e-4a57-9c61-3a3f3c1d2e4f";
const FRAME = { frameImages: [{ image: "https://example.com/a.jpg", frame: "first" }] };

async function taskOf(clip: Record<string, unknown>) {
  const project = loadProject({ root: makeProject({ "specs/a.yaml": stringify({ version: 1, clips: { c: clip } }) }) });
  const errors = project.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.message).join("\n"));
  return { task: await buildTask(project.clips[0]!, UUID, 1, noUploads), warnings: project.diagnostics };
}

describe("buildTask sends only what the model takes", () => {
  it("Kling 1.6 keeps its CFGScale default; Veo 3.1 Fast gets none, and its seed and audio setting", async () => {
    const kling = await taskOf({ model: "klingai:3@1", positivePrompt: "a calm harbor", width: 1280, height: 720 });
    expect(kling.task).toMatchObject({ model: "klingai:3@1", CFGScale: 0.5, duration: 5, width: 1280, height: 720 });
    expect(kling.task).not.toHaveProperty("seed");

    const veo = await taskOf({ model: "google:3@3", positivePrompt: "a calm harbor", width: 1920, height: 1080, duration: 8, seed: 42, providerSettings: { google: { generateAudio: true } } });
    expect(veo.task).not.toHaveProperty("CFGScale");
    expect(veo.task).toMatchObject({ seed: 42, width: 1920, height: 1080, duration: 8, providerSettings: { google: { generateAudio: true } } });
  });

  it("a CFGScale written for a model that verifiably has none is refused before anything is sent", async () => {
    await expect(taskOf({ model: "google:3@3", positivePrompt: "a calm harbor", width: 1920, height: 1080, CFGScale: 0.5 })).rejects.toThrow(/google:3@3 does not take CFGScale/);
  });

  it("Kling 2.5 Turbo Standard takes its size from the frame image: width/height are refused, never sent", async () => {
    const { task } = await taskOf({ model: "klingai:6@0", positivePrompt: "a calm harbor", inputs: FRAME });
    expect(task).not.toHaveProperty("width");
    expect(task).not.toHaveProperty("height");
    expect(task.inputs).toEqual({ frameImages: [{ image: "https://example.com/a.jpg", frame: "first" }] });
    await expect(taskOf({ model: "klingai:6@0", positivePrompt: "a calm harbor", width: 1280, height: 720, inputs: FRAME })).rejects.toThrow(/takes its size from the frame image/);
  });

  it("a seed on a model where it is only an output is refused; where the rule is unsure it warns and is not sent", async () => {
    await expect(taskOf({ model: "klingai:3@1", positivePrompt: "a calm harbor", seed: 7 })).rejects.toThrow(/klingai:3@1 does not take seed/);
    const seedance = await taskOf({ model: "bytedance:seedance@2.0", positivePrompt: "a calm harbor", resolution: "720p", duration: 5, seed: 7 });
    expect(seedance.task).not.toHaveProperty("seed");
    expect(seedance.task).toMatchObject({ resolution: "720p" });
    expect(seedance.warnings.map((w) => w.code)).toContain("undocumentedParameter");
  });

  it("other inputs are passed through beside the frame images", async () => {
    const { task } = await taskOf({ model: "vidu:3@1", positivePrompt: "a calm harbor", width: 1280, height: 720, duration: 5, inputs: { referenceImages: ["https://example.com/r1.jpg"] } });
    expect(task.inputs).toEqual({ referenceImages: ["https://example.com/r1.jpg"] });
  });
});
