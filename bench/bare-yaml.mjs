// Baseline: what parsing the manifest alone costs (a whole process, like clipform's).
// `--fast` parses as clipform does: without yaml's quadratic unique-key check (clipform checks
// duplicate keys itself, in linear time), so the difference to clipform is only what it adds.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
const fast = process.argv.includes("--fast");
const doc = parse(readFileSync(process.argv[2], "utf8"), fast ? { uniqueKeys: false } : {});
if (!doc || !doc.clips) process.exit(1);
