/**
 * User names index data: a clip, image, sequence or manifest called `constructor`, `toString`,
 * `valueOf`, `hasOwnProperty`… (every name Object.prototype has) is a name like any other through
 * validate, plan, apply (simulated), status and pick; the ones the naming rules refuse
 * (`__proto__`, `__defineGetter__`…) are refused with a located error, never a stack.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ClipformError } from "../../src/errors.js";
import { emptyLockfile } from "../../src/lockfile/io.js";
import { pickTake } from "../../src/lockfile/pick.js";
import { clipform, projectWith } from "./in-process.js";

const NAMES = Object.getOwnPropertyNames(Object.prototype);
/** What clip and image names may be: a letter or digit first (the rest are refused at validate). */
const VALID = NAMES.filter((n) => /^[A-Za-z0-9]/.test(n));
const FAST = ["--auto-approve", "--poll-interval", "20"];
const DEFAULTS = "defaults:\n  model: klingai:3@1\n  width: 1280\n  height: 720\n  duration: 5\n";
const clean = (r: { stderr: string }) => expect(r.stderr).not.toMatch(/internal error|    at |TypeError/);

describe("Object.prototype's names as names", () => {
  it("the list is the one tested (it grows with the language, the test with it)", () => {
    expect(VALID).toEqual(expect.arrayContaining(["constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString"]));
    expect(NAMES).toContain("__proto__");
  });

  it("as clip, sequence and manifest names: validate, plan, apply --sim, status, pick list and pick a take", async () => {
    const files: Record<string, string> = {};
    // Each name is a manifest file of its own, holding the clip of that name.
    for (const n of VALID) files[`specs/${n}.yaml`] = `version: 1\n${DEFAULTS}clips:\n  ${n}:\n    positivePrompt: A slow drift over a harbor called ${n} at first light\n`;
    files["specs/__proto__.yaml"] = `version: 1\n${DEFAULTS}clips:\n  proto-file:\n    positivePrompt: A slow drift over a harbor at first light\nsequences:\n  constructor: [constructor, toString]\n  valueof: [valueOf]\n`;
    const dir = projectWith(files);
    for (const args of [["validate"], ["plan", "--json"], ["apply", "--sim", ...FAST], ["status", "--sim"], ["plan", "--sim", "--detailed-exitcode"]]) {
      const r = await clipform(args, dir);
      clean(r);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      if (args[0] === "plan" && args[1] === "--json") {
        const addresses = (JSON.parse(r.stdout) as { changes: { address: string; action: string }[] }).changes.map((c) => c.address);
        expect(addresses).toEqual(expect.arrayContaining([...VALID, "proto-file"]));
      }
      if (args[0] === "status") for (const n of VALID) expect(r.stdout).toContain("specs/" + n + ".yaml");
    }
    // A new request for each (the first kept among the takes), then every name lists and picks its take.
    for (const n of VALID) writeFileSync(join(dir, "specs", `${n}.yaml`), files[`specs/${n}.yaml`]!.replace("A slow drift", "A fast drift"));
    expect((await clipform(["apply", "--sim", ...FAST], dir)).code).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, ".clipform", "sim", "clipform.lock.json"), "utf8")) as { clips: Record<string, { tasks: { taskUUID: string }[] }>; takes: Record<string, { address: string }> };
    expect(Object.values(lock.takes).map((t) => t.address)).toEqual(expect.arrayContaining(VALID));
    for (const n of VALID) {
      const listed = await clipform(["pick", n, "--sim"], dir);
      clean(listed);
      expect(listed.code, listed.stderr).toBe(0);
      const first = lock.clips[n]!.tasks[0]!.taskUUID;
      const picked = await clipform(["pick", n, first.slice(0, 8), "--sim"], dir);
      clean(picked);
      expect(picked.code, picked.stderr).toBe(0);
      expect(picked.stdout).toContain(`${n} now uses take`);
    }
    const after = await clipform(["status", "--sim"], dir);
    clean(after);
    expect(after.code).toBe(0);
  });

  it("as image names: validate, plan, apply --sim and status", async () => {
    const images = VALID.map((n) => `  ${n}: { model: runware:101@1, positivePrompt: a keyframe called ${n}, width: 1024, height: 1024 }\n`).join("");
    const dir = projectWith({ "specs/a.yaml": `version: 1\nclips: {}\nimages:\n${images}` });
    for (const args of [["validate"], ["plan"], ["apply", "--sim", ...FAST], ["status", "--sim"]]) {
      const r = await clipform(args, dir);
      clean(r);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
  });

  it("the names the naming rules refuse are located errors", async () => {
    const refused = NAMES.filter((n) => !VALID.includes(n));
    const dir = projectWith({ "specs/a.yaml": `version: 1\n${DEFAULTS}clips:\n${refused.map((n) => `  ${JSON.stringify(n)}:\n    positivePrompt: A harbor\n`).join("")}` });
    const r = await clipform(["validate"], dir);
    clean(r);
    expect(r.code).toBe(1);
    for (const n of refused) expect(r.stderr).toContain(`"${n}" is not a valid name in clips`);
  });

  it("a pick of any of them that has no clip (the watch server's pick endpoint) is a user error, not a crash", () => {
    for (const n of NAMES) {
      let thrown: unknown;
      try {
        pickTake(emptyLockfile(), n, "1");
      } catch (e) {
        thrown = e;
      }
      expect(thrown, n).toBeInstanceOf(ClipformError);
      expect((thrown as Error).message.startsWith(`${n} is not in the lockfile`), (thrown as Error).message).toBe(true);
    }
  });

  it("as command names (clipform toString, clipform help constructor): unknown commands, said as such", async () => {
    const dir = projectWith({});
    for (const n of NAMES) {
      for (const args of [[n], ["help", n]]) {
        const r = await clipform(args, dir);
        clean(r);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`unknown command "${n}"`);
      }
    }
  });

  it("a lockfile keyed by __proto__ is refused, never read into a prototype", async () => {
    const dir = projectWith({
      "specs/a.yaml": `version: 1\n${DEFAULTS}clips:\n  a:\n    positivePrompt: A harbor\n`,
      "clipform.lock.json": '{"format_version":2,"lineage":"4f6c2a52-0d6e-4b8e-9a53-1f1f6f0c2b7e","serial":1,"clips":{"__proto__":{"fingerprint":"v1:x","manifest":"specs/a.yaml","model":"klingai:3@1","request":{},"numberResults":1,"tasks":[],"results":[]}}}',
    });
    const r = await clipform(["plan"], dir);
    clean(r);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"__proto__" in clips is not an address or fingerprint clipform writes');
  });
});
