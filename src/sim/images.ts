/**
 * Simulated keyframe images: imageInference tasks, accepted async like videos (Runware accepts
 * async delivery for every model) and finished by the time they are polled. Each result is a
 * solid PNG of the requested size whose colour comes from its seed (written by the same encoder
 * as clipform's extracted frames), served at /images/<uuid>.png.
 */
import { randomUUID } from "node:crypto";
import { checkImageRequest } from "../images/rules.js";
import { imagePrice } from "../images/price.js";
import { builtinCatalog } from "../models/catalog.js";
import { contentUuid, isUuidV4 } from "./ids.js";
import { issueToApiError, type ApiError, type DataItem } from "./protocol.js";
import { recordCharge, type SimStats } from "./stats.js";
import { encodePng } from "../media/png.js";
import type { TaskContext, TaskReply } from "./tasks.js";

interface ImageLook {
  width: number;
  height: number;
  seed: number;
}

interface ImageOrder {
  taskUUID: string;
  items: DataItem[];
}

export class KeyframeStore {
  readonly #orders = new Map<string, ImageOrder>();
  readonly #looks = new Map<string, ImageLook>();

  constructor(private readonly imageURL: (imageUUID: string) => string) {}

  has(taskUUID: string): boolean {
    return this.#orders.has(taskUUID);
  }

  /** Whatever outputFormat was asked, the picture is a PNG (a simulator's simplification). */
  start(taskUUID: string, o: { model: string; width: number; height: number; seed?: number; numberResults: number; cost?: number; chargePerResult: number | undefined }, stats: SimStats): void {
    stats.imageInference++;
    // A picture is made at once, so it is billed at once.
    recordCharge(stats, { taskUUID, model: o.model, usd: o.chargePerResult === undefined ? undefined : o.chargePerResult * o.numberResults, results: o.numberResults });
    stats.acceptedTaskUUIDs.push(taskUUID);
    // Seeded from the task when none is given: a reroll (a new task) comes back different.
    const base = o.seed ?? 1 + (parseInt(contentUuid(taskUUID).slice(0, 8), 16) % 2147483646);
    const items = Array.from({ length: o.numberResults }, (_, i) => {
      const seed = base + i;
      const imageUUID = randomUUID();
      this.#looks.set(imageUUID, { width: o.width, height: o.height, seed });
      return {
        taskType: "imageInference",
        taskUUID,
        status: "success",
        imageUUID,
        imageURL: this.imageURL(imageUUID),
        seed,
        NSFWContent: false,
        ...(o.cost !== undefined ? { cost: o.cost } : {}),
      } as unknown as DataItem;
    });
    this.#orders.set(taskUUID, { taskUUID, items });
  }

  poll(taskUUID: string): DataItem[] | undefined {
    return this.#orders.get(taskUUID)?.items;
  }

  /** The PNG of a finished image, or undefined. */
  png(imageUUID: string): Buffer | undefined {
    const look = this.#looks.get(imageUUID);
    return look ? solidPng(look.width, look.height, seedColour(look.seed)) : undefined;
  }
}

/** An imageInference task: checked against the image model's rules, priced, then accepted. */
export function submitImage(task: Record<string, unknown>, ctx: TaskContext, uuidErrors: ApiError[]): TaskReply {
  const catalog = ctx.catalog ?? builtinCatalog();
  const errors = [...uuidErrors, ...checkImageRequest(task, catalog).filter((i) => i.severity === "error").map((i) => issueToApiError(i, task, undefined))];
  const model = typeof task.model === "string" ? catalog.image(task.model) : undefined;
  const { taskUUID } = task;
  if (errors.length > 0 || !model || !isUuidV4(taskUUID) || !ctx.keyframes) return { ok: false, data: [], errors };
  const width = task.width as number;
  const height = task.height as number;
  const numberResults = typeof task.numberResults === "number" ? task.numberResults : 1;
  const price = imagePrice(model, { width, height, ...(typeof task.steps === "number" ? { steps: task.steps } : {}) })?.usd;
  if (ctx.dryRun) {
    ctx.stats.dryRuns++;
    const cost = price === undefined ? undefined : Math.round(price * numberResults * 1e6) / 1e6;
    return { ok: true, data: [{ taskType: "imageInference", taskUUID, ...(cost !== undefined && { cost }) } as unknown as DataItem], errors: [] };
  }
  ctx.keyframes.start(
    taskUUID,
    {
      model: model.air,
      width,
      height,
      numberResults,
      chargePerResult: price === undefined ? undefined : ctx.dialect.charge(price),
      ...(typeof task.seed === "number" ? { seed: task.seed } : {}),
      ...(task.includeCost === true && price !== undefined ? { cost: price } : {}),
    },
    ctx.stats,
  );
  return { ok: true, data: [{ taskType: "imageInference", taskUUID } as unknown as DataItem], errors: [] };
}

/** A solid PNG: a 1280x720 one compresses to a few KB. */
function solidPng(width: number, height: number, rgb: readonly [number, number, number]): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) pixels.set(rgb, i);
  return encodePng(pixels, width, height);
}

/** A colour per seed, never too dark to see. */
function seedColour(seed: number): [number, number, number] {
  const h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return [64 + (h & 0xbf), 64 + ((h >>> 8) & 0xbf), 64 + ((h >>> 16) & 0xbf)];
}
