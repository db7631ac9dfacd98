/**
 * The lockfile, `clipform.lock.json`: what has been generated and paid for. JSON (machine
 * written, and JSON.parse is two orders of magnitude faster than YAML on large files),
 * deterministic and sorted, one entry per clip address so branches adding different clips
 * merge cleanly. `serial` grows on every write and `lineage` is fixed at creation, so a
 * saved plan can tell that the state it was made from has changed.
 */
import { z } from "zod";
import { TASK_STATUSES } from "../core/states.js";

export { LOCKFILE_FORMAT } from "./format.js";
import { LOCKFILE_FORMAT } from "./format.js";

export const apiErrorSchema = z
  .object({
    code: z.string().describe("The API's error code, as returned."),
    message: z.string().describe("The API's error message, as returned."),
  })
  .describe("An error reported by the API.");

export const taskSchema = z
  .object({
    taskUUID: z.string().uuid().describe("The client-chosen task UUID, recorded before the request was sent."),
    numberResults: z.number().int().min(1).describe("Variants this task asked for."),
    status: z
      .enum(TASK_STATUSES)
      .describe("submitted: recorded before sending, or accepted and not finished (resume polls it, never resubmits); succeeded; failed; partial: some results failed."),
    submittedAt: z.string().describe("ISO time the task was recorded."),
    acceptedAt: z
      .string()
      .optional()
      .describe("ISO time the API acknowledged the task. An acknowledged task is only ever polled; one never acknowledged may be sent again, with the same UUID, if the API does not know it."),
    finishedAt: z.string().optional().describe("ISO time the task finished."),
    error: apiErrorSchema.optional(),
    refusedResults: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Results the API sent beyond numberResults: refused as an anomaly, never recorded, downloaded or counted."),
  })
  .describe("One videoInference task sent for this clip.");

export const resultSchema = z
  .object({
    taskUUID: z.string().uuid().describe("The task that produced this result."),
    videoUUID: z.string().describe("The output's UUID: the video's, or for a keyframe image (an entry whose request has taskType imageInference) the image's imageUUID."),
    seed: z.number().int().optional().describe("The seed the model used."),
    costUsd: z.number().optional().describe("What the API charged for this result, in USD."),
    costAnomaly: z
      .object({
        raw: z.string().max(200).describe("The cost as the API sent it, as text."),
        reason: z.enum(["negative", "not-finite", "not-a-number", "absurd"]),
      })
      .optional()
      .describe("A cost the API sent that cannot be believed: never counted as a charge; budgets count the estimate instead."),
    videoURL: z.string().optional().describe("Where the video (or a keyframe's imageURL) can be fetched while its URL lives."),
    file: z.string().optional().describe("The downloaded file, relative to the project root."),
    sha256: z.string().optional().describe("SHA-256 of the downloaded file."),
    bytes: z.number().int().optional().describe("Size of the downloaded file."),
    NSFWContent: z.boolean().optional(),
    frames: z
      .object({ first: z.string().optional(), last: z.string().optional() })
      .optional()
      .describe("Frames of this video that chained clips were made from, by the hash of their pixels (frame:<sha256>): a later plan knows them without the file."),
  })
  .describe("One generated video (a variant).");

export const entrySchema = z
  .object({
    fingerprint: z.string().describe("SHA-256 of the fields that change the video (local images by content)."),
    manifest: z.string().describe("The manifest that declared the clip, relative to the project root."),
    model: z.string(),
    request: z.record(z.unknown()).describe("The generation fields the fingerprint covers, kept to show what a change replaces."),
    numberResults: z.number().int().min(1).describe("Variants wanted when last applied."),
    tasks: z.array(taskSchema),
    results: z.array(resultSchema).describe("Generated variants, in order."),
    picked: z
      .string()
      .uuid()
      .optional()
      .describe("The take (task) of this request whose variants the clip uses, chosen with `clipform pick`; when absent, the variants the entry holds. A pick belongs to the request: a new request starts with none, and a reroll (`--replace`) is used instead of it."),
  })
  .describe("What one clip address uses now: its request and the take(s) it uses.");

export const takeSchema = z
  .object({
    address: z.string().describe("The clip address the take was generated for: its money counts there."),
    manifest: z.string().describe("That clip's manifest, relative to the project root."),
    model: z.string(),
    request: z.record(z.unknown()).describe("The generation fields the fingerprint covers."),
    tasks: z.array(taskSchema).describe("Every paid (or maybe paid) task of this request: its takes."),
    results: z.array(resultSchema).describe("Their variants; files kept at a per-take path."),
    picks: z
      .record(z.string().uuid())
      .optional()
      .describe("By clip address: the take (task) the clip had picked for this request when it left it. Returning to the request (a revert) uses that take again."),
  })
  .describe("Generations of one request (by fingerprint) that no clip uses now: kept until `clipform prune`.");

export const prunedSchema = z
  .object({
    address: z.string(),
    manifest: z.string(),
    fingerprint: z.string(),
    costUsd: z.number().describe("What the pruned take was charged: lifetime spend still counts it."),
    results: z.number().int().min(0),
    prunedAt: z.string().describe("ISO time of the prune."),
  })
  .describe("The spend ledger's record of a pruned take.");

export const lockfileSchema = z
  .object({
    format_version: z
      .union([z.literal(1), z.literal(LOCKFILE_FORMAT)])
      .describe("Lockfile format version. Format 1 (no takes) is read and upgraded on the next write."),
    lineage: z.string().uuid().describe("Fixed when the lockfile is created."),
    serial: z.number().int().min(0).describe("Grows with every write, by the number of records it takes in (so two branches that each wrote once still differ)."),
    simulated: z
      .literal(true)
      .optional()
      .describe("Written by `apply --sim`: the videos came from the local simulator. A real apply refuses such a lockfile, so simulated videos are never taken for paid ones."),
    clips: z.record(entrySchema).describe("Entries by clip address, sorted."),
    takes: z.record(takeSchema).optional().describe("Takes no clip uses now, by request fingerprint, sorted."),
    pruned: z.record(prunedSchema).optional().describe("Pruned takes, by their first task UUID (a take holding none: its first video UUID): the ledger keeps their cost."),
  })
  .strict()
  .describe("clipform lockfile: completed and in-flight generations.");

export type Lockfile = z.infer<typeof lockfileSchema>;
export type LockEntry = z.infer<typeof entrySchema>;
export type LockTask = z.infer<typeof taskSchema>;
export type LockResult = z.infer<typeof resultSchema>;
export type LockTake = z.infer<typeof takeSchema>;
export type LockPruned = z.infer<typeof prunedSchema>;
