/** Builds the videoInference task for a clip: the exact bytes that are paid for. */
import { createHash } from "node:crypto";
import { ClipformError } from "../errors.js";
import type { DesiredClip } from "../manifest/index.js";
import { buildImageTask } from "./image-request.js";
import { MAX_READ_BYTES } from "../manifest/images.js";
import { readProjectFile } from "../util/safe-fs.js";

export type VideoTask = Record<string, unknown> & { taskUUID: string };

/** Turns a local image into something the API accepts: an uploaded image UUID. */
export interface ImageResolver {
  upload(dataUri: string): Promise<string>;
}

const MIME: Record<string, string> = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" };

/**
 * A local image as a data URI, checked against the content hash the plan was made with: a file
 * edited since then would generate a video recorded under the wrong fingerprint.
 */
export function fileToDataUri(path: string, expectedSha256?: string): string {
  // Regular files only, capped; the content hash the plan checked (inside the project) holds it there.
  const buf = readProjectFile(path, { maxBytes: MAX_READ_BYTES, shown: path });
  if (buf === undefined) throw new ClipformError("STALE_PLAN", `${path} is gone since the plan was made; not submitted`);
  if (expectedSha256 && createHash("sha256").update(buf).digest("hex") !== expectedSha256) {
    throw new ClipformError("STALE_PLAN", `${path} changed since the plan was made; not submitted (plan again to see what the new image changes)`);
  }
  const ext = path.toLowerCase().endsWith(".png") ? "png" : path.toLowerCase().endsWith(".webp") ? "webp" : "jpeg";
  return `data:${MIME[ext]};base64,${buf.toString("base64")}`;
}

export async function buildTask(clip: DesiredClip, taskUUID: string, numberResults: number, images: ImageResolver): Promise<VideoTask> {
  if (clip.kind === "image") return buildImageTask(clip, taskUUID, numberResults);
  const g = clip.generation;
  const task: VideoTask = {
    taskType: "videoInference",
    taskUUID,
    deliveryMethod: "async",
    includeCost: true,
    outputType: "URL",
    model: g.model,
    duration: g.duration,
    outputFormat: g.outputFormat,
    outputQuality: g.outputQuality,
    numberResults,
  };
  if (g.positivePrompt !== undefined) task.positivePrompt = g.positivePrompt;
  if (g.negativePrompt !== undefined) task.negativePrompt = g.negativePrompt;
  if (g.width !== undefined) task.width = g.width;
  if (g.height !== undefined) task.height = g.height;
  if (g.safety !== undefined) task.safety = g.safety;
  // The manifest stage keeps only what the model takes (no CFGScale or seed where absent, no
  // size where it comes from the frame image): the task sends exactly that.
  if (g.CFGScale !== undefined) task.CFGScale = g.CFGScale;
  if (g.seed !== undefined) task.seed = g.seed;
  if (g.resolution !== undefined) task.resolution = g.resolution;
  if (g.providerSettings !== undefined) task.providerSettings = g.providerSettings;
  const inputs: Record<string, unknown> = { ...g.otherInputs };
  if (clip.referenceFiles) {
    const list = [...((inputs.referenceImages as unknown[] | undefined) ?? [])];
    for (const [i, f] of Object.entries(clip.referenceFiles)) list[Number(i)] = await images.upload(fileToDataUri(f.path, f.sha256));
    inputs.referenceImages = list;
  }
  // A frame of another clip is sent only once it exists (src/apply/chain.ts): never its placeholder.
  const placeholder = [...clip.frameImages.map((f) => (f.kind === "link" ? f.ref : "")), ...((inputs.referenceImages as unknown[] | undefined) ?? [])].find((x) => typeof x === "string" && /^(from|frame):/.test(x));
  if (placeholder) throw new Error(`internal: ${clip.address} would be sent with the unresolved picture ${String(placeholder)}`);
  if (clip.frameImages.length > 0) {
    const frameImages = [];
    for (const f of clip.frameImages) {
      const image = f.kind === "file" && f.path ? await images.upload(fileToDataUri(f.path, f.sha256)) : f.ref;
      frameImages.push({ image, frame: f.frame });
    }
    inputs.frameImages = frameImages;
  }
  if (Object.keys(inputs).length > 0) task.inputs = inputs;
  if (clip.delivery.webhookURL) task.webhookURL = clip.delivery.webhookURL;
  if (clip.delivery.uploadEndpoint) task.uploadEndpoint = clip.delivery.uploadEndpoint;
  if (clip.delivery.ttl !== undefined) task.ttl = clip.delivery.ttl;
  return task;
}
