/**
 * Every warning carries a stable code, shown after it (`[undocumentedParameter]`), and a project
 * (clipform.yaml) or one manifest silences warnings by code. Errors are never silenced.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/run.js";
import { formatDiagnostic } from "../../src/diagnostics.js";
import { cleanupProjectsAfterEach, load, makeProject } from "../helpers/manifest-fixtures.js";

cleanupProjectsAfterEach();

/** klingai:5@1 (Kling 2.1): its sources disagree on positivePrompt, so every clip of it warns. */
const KLING21 = (id: string, extra = "") => `  ${id}:
    model: klingai:5@1
    positivePrompt: The passengers step out onto the platform.
    inputs:
      frameImages: [https://example.com/first.jpg]
${extra}`;

const WARNING_MANIFESTS: Record<string, string> = {
  "specs/disputed.yaml": `version: 1\nclips:\n${KLING21("a")}`,
  "specs/aspect.yaml": `version: 1
clips:
  wide:
    model: klingai:3@1
    positivePrompt: A train at dusk.
    width: 1280
    height: 720
    duration: 5
  tall:
    model: klingai:3@1
    positivePrompt: The platform.
    width: 720
    height: 1280
    duration: 5
    inputs:
      frameImages:
        - image: { from: wide, frame: last }
          frame: first
`,
};

const plan = (dir: string, json = false) => runCli(["plan", ...(json ? ["--json"] : [])], { cwd: dir });

describe("warning codes", () => {
  it("every warning has a code, and it is shown after the warning", () => {
    const warnings = load(WARNING_MANIFESTS).diagnostics.filter((d) => d.severity === "warning");
    expect(new Set(warnings.map((w) => w.code))).toEqual(new Set(["undocumentedParameter", "frameAspect"]));
    for (const w of warnings) expect(formatDiagnostic(w)).toMatch(new RegExp(`^specs/\\w+\\.yaml:\\d+:\\d+: warning: .+ \\[${w.code}\\]$`));
  });

  it("plan --json lists each warning with its code", async () => {
    const r = await plan(makeProject(WARNING_MANIFESTS), true);
    expect(r.code, r.stderr).toBe(0);
    const codes = (JSON.parse(r.stdout) as { warnings: { code?: string }[] }).warnings.map((w) => w.code);
    expect(codes.sort()).toEqual(["frameAspect", "undocumentedParameter"]);
  });
});

describe("silencing warnings", () => {
  it("a manifest's warnings: {ignore} silences its own warnings of those codes, not another manifest's", () => {
    const p = load({
      "specs/quiet.yaml": `version: 1\nwarnings:\n  ignore: [undocumentedParameter]\nclips:\n${KLING21("a")}`,
      "specs/loud.yaml": `version: 1\nclips:\n${KLING21("b")}`,
    });
    expect(p.diagnostics.map((d) => [d.file, d.code])).toEqual([["specs/loud.yaml", "undocumentedParameter"]]);
  });

  it("clipform.yaml's warnings: {ignore} silences them in the whole project; errors are never silenced", () => {
    const p = load({
      "clipform.yaml": "version: 1\nwarnings:\n  ignore: [undocumentedParameter, frameAspect, unsupportedParameter]\n",
      ...WARNING_MANIFESTS,
      "specs/error.yaml": "version: 1\nclips:\n  veo:\n    model: google:3@3\n    positivePrompt: A lighthouse.\n    width: 1280\n    height: 720\n    duration: 8\n    CFGScale: 0.5\n",
    });
    expect(p.diagnostics.map((d) => [d.severity, d.code])).toEqual([["error", "unsupportedParameter"]]);
  });

  it("a malformed setting is an error at its line, in clipform.yaml and in a manifest", async () => {
    const config = await plan(makeProject({ "clipform.yaml": "version: 1\nwarnings: [frameAspect]\n", ...WARNING_MANIFESTS }));
    expect(config.code).toBe(1);
    expect(config.stderr).toContain("clipform.yaml:2:11: warnings must be { ignore: [CODE, …] }, the codes shown in brackets after each warning");
    const manifest = load({ "specs/a.yaml": `version: 1\nwarnings:\n  ignore: frameAspect\nclips:\n${KLING21("a")}` });
    expect(manifest.diagnostics.filter((d) => d.severity === "error").map((d) => [d.line, d.message])).toEqual([[3, "warnings.ignore must be a list, got \"frameAspect\""]]);
  });
});
