/**
 * Builds the imageInference task of a keyframe: the exact bytes that are paid for. Sent async
 * and polled with getResponse like a video (Runware accepts async delivery for every model), so
 * a crash between the write-ahead and the reply is settled the same way: poll, never resubmit.
 */
import type { DesiredClip } from "../manifest/index.js";

export function buildImageTask(clip: DesiredClip, taskUUID: string, numberResults: number): Record<string, unknown> & { taskUUID: string } {
  const g = clip.generation;
  const task: Record<string, unknown> & { taskUUID: string } = {
    taskType: "imageInference",
    taskUUID,
    deliveryMethod: "async",
    includeCost: true,
    outputType: "URL",
    model: g.model,
    outputFormat: g.outputFormat,
    numberResults,
  };
  if (g.positivePrompt !== undefined) task.positivePrompt = g.positivePrompt;
  if (g.negativePrompt !== undefined) task.negativePrompt = g.negativePrompt;
  if (g.width !== undefined) task.width = g.width;
  if (g.height !== undefined) task.height = g.height;
  if (g.steps !== undefined) task.steps = g.steps;
  if (g.CFGScale !== undefined) task.CFGScale = g.CFGScale;
  if (g.seed !== undefined) task.seed = g.seed;
  if (g.outputQuality !== undefined) task.outputQuality = g.outputQuality;
  return task;
}
