/**
 * Layers point one way: each module imports only its own layer and those below it (the order is
 * in .dependency-cruiser.cjs and the README's Development section), type-only imports included.
 * dependency-cruiser runs the rules in-process; a failure lists every offending edge.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseConfig from "dependency-cruiser/config-utl/extract-depcruise-config";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Every import that breaks a layer rule, as `from → to (rule)`, when `src/` under `baseDir` is cruised. */
async function upwardImports(baseDir: string): Promise<string[]> {
  const ruleSet = await extractDepcruiseConfig(join(ROOT, ".dependency-cruiser.cjs"));
  const tsConfig = extractTSConfig(join(ROOT, "tsconfig.json"));
  const { output } = await cruise(["src"], { ...ruleSet.options, baseDir, validate: true, ruleSet }, {}, { tsConfig });
  const result = output as ICruiseResult;
  return result.summary.violations.map((v) => `${v.from} → ${v.to} (${v.rule.name})`).sort();
}

describe("layers", () => {
  it("no module under src/ imports a layer above its own", async () => {
    expect(await upwardImports(ROOT)).toEqual([]);
  }, 60_000);

  describe("the rules catch", () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    const project = (files: Record<string, string>) => {
      dir = mkdtempSync(join(tmpdir(), "clipform-layers-"));
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      return dir;
    };

    it("an upward import, a type-only one and one from a peer; not a downward one", async () => {
      const base = project({
        "src/core/address.ts": 'import { run } from "../cli/main.js";\nexport const a = run;\n',
        "src/lockfile/io.ts": 'import type { Plan } from "../plan/plan.js";\nexport type P = Plan;\n',
        "src/sim/server.ts": 'import { client } from "../runware/client.js";\nexport const s = client;\n',
        "src/cli/main.ts": 'import { a } from "../core/address.js";\nexport const run = () => a;\n',
        "src/plan/plan.ts": "export interface Plan { changes: string[] }\n",
        "src/runware/client.ts": "export const client = 1;\n",
      });
      expect(await upwardImports(base)).toEqual([
        "src/core/address.ts → src/cli/main.ts (core-imports-cli)",
        "src/lockfile/io.ts → src/plan/plan.ts (lockfile-imports-plan)",
        "src/sim/server.ts → src/runware/client.ts (sim-imports-runware)",
      ]);
    }, 60_000);

    it("a file in a folder that has no layer yet", async () => {
      const base = project({
        "src/extra/thing.ts": 'import { a } from "../core/address.js";\nexport const t = a;\n',
        "src/core/address.ts": "export const a = 1;\n",
      });
      expect(await upwardImports(base)).toEqual(["src/extra/thing.ts → src/core/address.ts (unlayered-file)"]);
    }, 60_000);
  });
});
