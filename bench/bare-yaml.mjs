// Baseline: what parsing the manifest alone costs (a whole process, like clipform's).
import { readFileSync } from "node:fs";
import { parse } from "yaml";
const doc = parse(readFileSync(process.argv[2], "utf8"));
if (!doc || !doc.clips) process.exit(1);
