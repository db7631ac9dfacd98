/**
 * Quotes: the client's dry runs against the simulator and odd servers, and `clipform plan
 * --quote` as a user runs it: every estimate replaced by the API's price, a request the API
 * rejects reported at its manifest line, nothing generated or charged, quotes reused.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exampleProject } from "../helpers/cli.js";
import { apply, cleanupAfterAll, run, simEnv, simProject, startSim as startApplySim, type PlanJson } from "../helpers/apply-sim.js";
import { createClient, sendJson, startSim, startTinyServer, videoTask, type TinyServer } from "../runware/helpers.js";

cleanupAfterAll();

let tiny: TinyServer | undefined;
afterEach(async () => {
  await tiny?.close();
  tiny = undefined;
});

describe("client.quote", () => {
  it("prices each task with a dry run: nothing generated, and its taskUUID stays free for the real submit", async () => {
    const sim = await startSim();
    const { client } = createClient(sim.apiUrl);
    try {
      const tasks = [videoTask({ numberResults: 1 }), videoTask({ numberResults: 3 }), videoTask({ positivePrompt: "A battlefield, gore everywhere" })];
      const quotes = await client.quote(tasks);
      expect(quotes[0]).toEqual({ taskUUID: tasks[0]!.taskUUID, status: "quoted", costUsd: 0.3234 });
      expect(quotes[1]).toEqual({ taskUUID: tasks[1]!.taskUUID, status: "quoted", costUsd: 0.9702 });
      expect(quotes[2]).toMatchObject({ taskUUID: tasks[2]!.taskUUID, status: "rejected", error: { kind: "validation", parameter: "positivePrompt" } });
      expect(sim.stats()).toMatchObject({ videoInference: 0, dryRuns: 2, inFlight: 0 });

      const submitted = await client.submitVideo(tasks.slice(0, 2));
      expect(submitted.map((s) => s.status)).toEqual(["accepted", "accepted"]);
      expect(sim.stats()).toMatchObject({ videoInference: 2, duplicatesRefused: 0 });
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it("says when the reply carries no cost, and never believes a cost that is not a price", async () => {
    const headers: (string | undefined)[] = [];
    tiny = await startTinyServer((req, body, res) => {
      headers.push(req.headers["x-runware-dry-run"] as string | undefined);
      const tasks = JSON.parse(body) as { taskUUID: string }[];
      sendJson(res, 200, { data: [{ taskUUID: tasks[0]!.taskUUID }, { taskUUID: tasks[1]!.taskUUID, cost: -3 }] });
    });
    const { client } = createClient(`${tiny.url}/v1`);
    try {
      const quotes = await client.quote([videoTask(), videoTask()]);
      // An acknowledgement naming the task with no price is how a real submit is answered: the
      // dry-run header was ignored and the task probably runs (issue 20; test/hostile/dry-run-ignored.test.ts).
      expect(quotes.map((q) => q.status)).toEqual(["ran", "anomaly"]);
      expect(headers).toEqual(["1"]);
    } finally {
      await client.close();
    }
  });
});

describe("clipform plan --quote", () => {
  it("on specs/: every estimate quoted, a rejected request at its manifest line, 0 generations, quotes reused", { timeout: 60_000 }, async () => {
    const sim = await startApplySim();
    const dir = exampleProject();
    const manifest = join(dir, "specs/text-to-video.yaml");
    const before = readFileSync(manifest, "utf8").split("\n").length;
    appendFileSync(manifest, ["  battle-aftermath:", "    model: klingai:3@1", "    positivePrompt: A slow pan across a battlefield at dawn, gore and broken shields in the mud", ""].join("\n"));
    const env = simEnv(sim);

    const quoted = await run(["plan", "--quote"], { cwd: dir, env });
    expect(quoted.code).toBe(1);
    // The prompt's value, on the line after the model: line `before + 2`, column 21.
    expect(quoted.stderr).toContain(`specs/text-to-video.yaml:${before + 2}:21: the API would reject this request: invalidPositivePrompt`);
    expect(quoted.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, ".clipform/quotes.json"))).toBe(true);

    const plan = JSON.parse((await run(["plan", "--json"], { cwd: dir, env })).stdout) as PlanJson;
    const creates = plan.changes.filter((c) => c.action === "create");
    expect(creates.length).toBeGreaterThan(5);
    // A chained clip (specs/chain.yaml's platform) is made from a frame only apply makes: it keeps its estimate.
    const unquoted = ["battle-aftermath", "platform"];
    expect(creates.filter((c) => !unquoted.includes(c.address)).map((c) => c.price_source)).toEqual(creates.slice(2).map(() => "quoted"));
    expect(quoted.stderr).toContain("platform: not quoted, it is made from another clip's frame; the estimate stays");
    expect(creates.find((c) => c.address === "platform")!.price_source).not.toBe("quoted");
    expect(creates.find((c) => c.address === "battle-aftermath")!.price_source).not.toBe("quoted");

    const dryRuns = sim.stats().dryRuns;
    const again = await run(["plan", "--quote"], { cwd: dir, env });
    expect(again.stderr).toContain(`Quoted 1 request with the API`);
    expect(sim.stats().dryRuns).toBe(dryRuns); // only the rejected one was asked again
    expect(sim.stats()).toMatchObject({ videoInference: 0, acceptedTaskUUIDs: [] });

    // A quote belongs to its endpoint: another API's plan does not take it.
    const elsewhere = JSON.parse((await run(["plan", "--json"], { cwd: dir, env: { ...env, RUNWARE_BASE_URL: "http://127.0.0.1:9/v1" } })).stdout) as PlanJson;
    expect(elsewhere.changes.some((c) => c.price_source === "quoted")).toBe(false);
  });
});

describe("clipform apply --quote", () => {
  const clips = [
    { id: "keeper", prompt: "A lighthouse keeper climbs the spiral stairs at dusk" },
    { id: "battle", prompt: "A battlefield at dawn, gore and broken shields in the mud" },
  ];

  it("refuses before sending anything when the API would reject a request", { timeout: 60_000 }, async () => {
    const sim = await startApplySim();
    const dir = simProject(clips);
    const r = await apply(dir, sim, ["--quote"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/specs\/clips\.yaml:\d+:\d+: the API would reject this request: invalidPositivePrompt/);
    expect(r.stderr).toContain("Nothing was sent.");
    expect(sim.stats()).toMatchObject({ videoInference: 0, dryRuns: 1 });
  });

  it("refuses when the quoted total exceeds --max-cost, and applies within it", { timeout: 60_000 }, async () => {
    const sim = await startApplySim();
    const dir = simProject([clips[0]!, { id: "tower", prompt: "A stone tower in the rain, seen from the sea", numberResults: 2 }]);
    const refused = await apply(dir, sim, ["--quote", "--max-cost", "0.3"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("(quoted)");
    expect(sim.stats()).toMatchObject({ videoInference: 0, dryRuns: 2 });

    const done = await apply(dir, sim, ["--quote", "--max-cost", "1"]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toContain("Quoted 0 requests with the API (dry run: nothing generated, nothing charged); 2 unchanged since quoted.");
    expect(sim.stats()).toMatchObject({ videoInference: 2, dryRuns: 2 });
  });
});
