#!/usr/bin/env node
// Writes schemas/*.json from the zod definitions (run through `npm run schemas`).
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PUBLISHED_SCHEMAS } from "../dist/schemas.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "schemas");
mkdirSync(dir, { recursive: true });
for (const [name, build] of Object.entries(PUBLISHED_SCHEMAS)) {
  writeFileSync(join(dir, name), JSON.stringify(build(), null, 2) + "\n");
  console.log(`wrote schemas/${name}`);
}
