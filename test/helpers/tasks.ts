/** A videoInference task as clipform sends it, for tests that talk to the simulator directly. */
import { randomUUID } from "node:crypto";

export type VideoTask = Record<string, unknown> & { taskUUID: string };

export function videoTask(overrides: Record<string, unknown> = {}): VideoTask {
  return {
    taskType: "videoInference",
    taskUUID: randomUUID(),
    model: "klingai:3@1",
    positivePrompt: "A lighthouse on a cliff at dusk, waves crashing below",
    width: 1280,
    height: 720,
    duration: 5,
    deliveryMethod: "async",
    includeCost: true,
    ...overrides,
  };
}
