/**
 * Every YAML example in the README passes `clipform validate`: a newcomer copies them first, so
 * the README can never show an example that fails. A manifest example is validated in a project
 * of its own (the local images it names made as tiny PNGs); a fragment without `version:` gets
 * one; a `clipform.yaml` example is validated as the project's config beside a minimal manifest.
 * The README's other clip examples are in the project too, as context: a snippet may name their
 * clips (`sequences: {trailer: [arrival, platform]}`), as `validate FILE` finds them elsewhere.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run.js";
import { encodePng } from "../../src/media/png.js";
import { REPO } from "../helpers/cli.js";

interface Example {
  line: number;
  yaml: string;
}

/** The ```yaml blocks of a markdown text, with the line each starts on (a list item's indentation removed). */
export function yamlBlocks(markdown: string): Example[] {
  const lines = markdown.split("\n");
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```yaml\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    out.push({ line: i + 1, yaml: body.join("\n") + "\n" });
    i = j;
  }
  return out;
}

const isConfig = (yaml: string) => /^(manifests|outDir|lockfile|concurrency|models|warnings):/m.test(yaml) && !/^clips:/m.test(yaml);

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function projectOf(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "clipform-readme-"));
  made.push(dir);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  return dir;
}

/** The local images a manifest names (`image: ./x.png`), as paths relative to specs/. */
function localImages(yaml: string): string[] {
  return [...yaml.matchAll(/image:\s*(\.{1,2}\/[^\s,}]+)/g)].map((m) => m[1]!);
}

async function validate(dir: string, args: string[]): Promise<{ code: number; output: string }> {
  const r = await runCli(["validate", ...args], { cwd: dir });
  return { code: r.code, output: r.stdout + r.stderr };
}

/** A fragment without `version:` (a manifest's or clipform.yaml's) gets one. */
const asManifest = (yaml: string) => (/^version:/m.test(yaml) ? yaml : `version: 1\n${yaml}`);

const PNG = encodePng(Buffer.alloc(1280 * 720 * 3, 90), 1280, 720);
const MINIMAL = "version: 1\nclips:\n  a:\n    model: klingai:3@1\n    positivePrompt: A lighthouse at dusk.\n    width: 1280\n    height: 720\n    duration: 5\n";

describe("the README's YAML examples", () => {
  const examples = yamlBlocks(readFileSync(join(REPO, "README.md"), "utf8"));

  it("are found (the README has its manifest, config and fan-out examples)", () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    expect(examples.some((e) => isConfig(e.yaml))).toBe(true);
  });

  for (const example of examples) {
    it(`README.md:${example.line} validates`, async () => {
      const files: Record<string, string | Buffer> = {};
      let args: string[] = [];
      if (isConfig(example.yaml)) {
        files["clipform.yaml"] = asManifest(example.yaml.replace(/^models: .*$/m, ""));
        files["specs/a.yaml"] = MINIMAL;
      } else {
        files["specs/example.yaml"] = asManifest(example.yaml);
        for (const image of localImages(example.yaml)) files[join("specs", image)] = PNG;
        examples
          .filter((other) => other !== example && /^clips:/m.test(other.yaml))
          .forEach((other, i) => (files[`specs/context-${i}.yaml`] = asManifest(other.yaml)));
        args = ["specs/example.yaml"];
      }
      const { code, output } = await validate(projectOf(files), args);
      expect(output).not.toMatch(/: error|^error|problem/m);
      expect(code, output).toBe(0);
    });
  }
});
