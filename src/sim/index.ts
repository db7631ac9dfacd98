/**
 * A local Runware-compatible server for clipform: `clipform sim`, `apply --sim` and the tests.
 * It speaks the REST API of shared/reference/runware-api.md, rejects what the shared request
 * rules reject, prices results from the catalog, serves sample videos, and injects seeded faults.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { VideoComposer } from "./compose.js";
import { Dialect, REDIRECT_HOPS } from "./dialects.js";
import { createFaultPlan } from "./faults.js";
import { ImageStore } from "./frame-images.js";
import { GenerationStore } from "./generations.js";
import { KeyframeStore } from "./images.js";
import { describeSettings, resolveOptions, type ResolvedOptions, type SimOptions } from "./options.js";
import { createRng } from "./rng.js";
import type { Catalog } from "../models/catalog.js";
import { createRequestHandler } from "./server.js";
import { createStats, snapshotStats, type SimStats } from "./stats.js";
import { VIDEO_FORMATS, loadSampleVideos } from "./videos.js";

export type { SimOptions } from "./options.js";
export type { SimStats } from "./stats.js";
export type { SimClock } from "./generations.js";
export { DIALECTS, DIALECT_NAMES, type DialectName } from "./dialects.js";

export interface Simulator {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + "/v1": what RUNWARE_BASE_URL should be set to. */
  apiUrl: string;
  port: number;
  stats(): SimStats;
  /** Stops serving, drops open connections and cancels pending generations. */
  close(): Promise<void>;
}

/** A wildcard listen address is reached through loopback. */
function clientHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** `warn`: where to say that a video could not show its frame images (once). */
async function launch(options: ResolvedOptions, catalog?: Catalog, warn?: (line: string) => void): Promise<Simulator> {
  const samples = await loadSampleVideos();
  const server = createServer();
  const { port } = await listen(server, options.port, options.host);
  const url = `http://${clientHost(options.host)}:${port}`;

  const stats = createStats();
  const rng = createRng(options.seed);
  const nextFault = createFaultPlan(options, rng.fork());
  const generationRng = rng.fork();
  const dialect = new Dialect(options.dialects, rng.fork());
  const generations = new GenerationStore({
    latencyMs: options.latencyMs,
    ...(options.clock && { clock: options.clock }),
    failRate: options.failRate,
    rng: generationRng,
    stats,
    videoURL: (videoUUID, format) =>
      `${url}${dialect.has("redirect") ? `/redirect/${REDIRECT_HOPS}` : "/videos"}/${videoUUID}.${VIDEO_FORMATS[format].ext}`,
    staggered: dialect.has("one-by-one"),
    ...(dialect.has("error-items") ? { failureShape: "data" as const } : {}),
    ...(dialect.has("errors-200") || dialect.has("errors-5xx") ? { failureShape: "errors" as const } : {}),
  });
  const images = new ImageStore();
  const videos = new VideoComposer({ images, samples, stats, ...(warn && { warn }) });
  const keyframes = new KeyframeStore((imageUUID) => `${url}/images/${imageUUID}.png`);
  server.on("request", createRequestHandler({ apiKey: options.apiKey, generations, uploads: new Set(), images, keyframes, stats, nextFault, videos, dialect, ...(catalog ? { catalog } : {}) }));

  return {
    url,
    apiUrl: `${url}/v1`,
    port,
    stats: () => snapshotStats(stats),
    close: () =>
      new Promise<void>((resolve, reject) => {
        generations.stop();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** `catalog`: the models to accept, when a project defines its own (built-in ones by default); `warn` as for runSimCommand. */
export function startSimulator(opts: SimOptions = {}, catalog?: Catalog, warn?: (line: string) => void): Promise<Simulator> {
  return launch(resolveOptions(opts), catalog, warn);
}

/**
 * `clipform sim`: starts the simulator and prints `listening on URL` as the first line, then
 * the fault settings. The caller keeps the process alive and closes it (e.g. on SIGINT).
 * `warn` hears what the simulator could not do as asked (a video without its frame images).
 */
export async function runSimCommand(opts: SimOptions, print: (line: string) => void, catalog?: Catalog, warn?: (line: string) => void): Promise<Simulator> {
  const options = resolveOptions(opts);
  const sim = await launch(options, catalog, warn);
  print(`listening on ${sim.url}`);
  print(describeSettings(options));
  return sim;
}
