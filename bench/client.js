// Benchmarks of the Runware client against the simulator over loopback HTTP.
import { RunwareClient } from "../dist/runware/client.js";
import { startSimulator } from "../dist/sim/index.js";
import { randomUUID } from "node:crypto";
import { BENCH_KEY } from "./util.js";

const task = (i) => ({
  taskType: "videoInference",
  taskUUID: randomUUID(),
  deliveryMethod: "async",
  includeCost: true,
  model: "klingai:3@1",
  positivePrompt: `Benchmark clip ${i}: a lighthouse in a storm`,
  width: 1280,
  height: 720,
  duration: 5,
  numberResults: 1,
});

/** Requests per second the client sustains: many concurrent single-task polls for a fixed time. */
async function requestsPerSecond(seconds = 3, parallel = 32) {
  const sim = await startSimulator({ latencyMs: 60_000, apiKey: BENCH_KEY });
  const client = new RunwareClient({ baseUrl: sim.apiUrl, apiKey: BENCH_KEY, batchSize: 1 });
  const [accepted] = await client.submitVideo([task(0)]);
  const before = sim.stats().requests;
  const end = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (Date.now() < end) {
        await client.poll([accepted.taskUUID]);
        done++;
      }
    }),
  );
  const requests = sim.stats().requests - before;
  await client.close();
  await sim.close();
  return { seconds, parallel, requests, requests_per_second: Math.round(requests / seconds), polls_completed: done };
}

/**
 * HTTP requests per clip for 200 clips in flight: submit them all, poll until every one is done.
 * Under the `partial-batch` dialect (a batched poll answers half its tasks), it shows what safe
 * batching costs: the left-out tasks are re-polled singly, then every poll is single.
 */
async function requestsPerClip(clips = 200, latencyMs = 1500, pollIntervalMs = 250, dialects = []) {
  const sim = await startSimulator({ latencyMs, apiKey: BENCH_KEY, dialects });
  const client = new RunwareClient({ baseUrl: sim.apiUrl, apiKey: BENCH_KEY });
  const tasks = Array.from({ length: clips }, (_, i) => task(i));
  const t0 = Date.now();
  await client.submitVideo(tasks);
  const submitRequests = sim.stats().requests;
  let pending = tasks.map((t) => t.taskUUID);
  let rounds = 0;
  while (pending.length > 0) {
    await new Promise((r) => setTimeout(r, pollIntervalMs));
    const answers = await client.poll(pending);
    rounds++;
    pending = pending.filter((id) => answers.get(id)?.status === "processing");
  }
  const s = sim.stats();
  const counters = client.pollCounters();
  await client.close();
  await sim.close();
  return {
    clips,
    latency_ms: latencyMs,
    wall_ms: Date.now() - t0,
    submit_requests: submitRequests,
    poll_rounds: rounds,
    poll_requests: s.pollRequests,
    poll_requests_per_round: Math.round((s.pollRequests / rounds) * 100) / 100,
    http_requests: s.requests,
    http_requests_per_clip: Math.round((s.requests / clips) * 1000) / 1000,
    max_in_flight: s.maxInFlight,
    client_poll_requests: counters.requests,
    repolls: counters.repolls,
    one_by_one: counters.oneByOne,
  };
}

export async function runClientBench() {
  return {
    throughput: await requestsPerSecond(),
    batch_of_200: await requestsPerClip(),
    batch_of_200_partial_answers: await requestsPerClip(200, 1500, 250, ["partial-batch"]),
  };
}
