/**
 * Fan-out (`matrix:`), in zod, for both sections that take it: clips and keyframe images. One
 * definition, so a matrix reads the same wherever it is written; only the fields a value may set
 * differ.
 */
import { z } from "zod";
import { ID_PATTERN } from "./fields.js";

export const idString = (what: string) =>
  z
    .string()
    .regex(new RegExp(ID_PATTERN))
    .describe(`${what}: letters, digits, '.', '_' and '-', starting with a letter or digit (at most 100 characters).`);

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export interface FanOutWords {
  /** "clip" or "image". */
  entry: string;
  /** The fields an axis may be named after, for the hover text: "model, duration, outputFormat…". */
  fields: string;
  /** "clip id" or "image name". */
  id: string;
  /** An address with two axes, e.g. "harbor/landscape/cinematic". */
  example: string;
}

/** The matrix of an entry whose fields `override` (strict, partial) describes. */
export function fanOutSchema(override: z.ZodTypeAny, w: FanOutWords) {
  return z
    .record(
      idString("Matrix axis name"),
      z.union([
        z
          .array(scalar)
          .min(1)
          .describe(
            `List of values. When the axis is named after ${w.entry === "clip" ? "a clip" : "an image"} field (${w.fields}), each value sets that field; in any case \${axis} inserts it into prompts. Each value's slug joins the ${w.entry}'s address.`,
          ),
        z
          .record(idString(`Matrix value key (part of the address)`), z.union([scalar, override]))
          .describe(`Map from a key (used in the ${w.entry}'s address) to a value: a scalar for \${axis}, or an object of ${w.entry} fields to set.`),
      ]),
    )
    .describe(
      `Fan-out: one ${w.entry} for every combination of the axes' values. Each gets a stable address: ${w.id}, then one key per axis in order, joined by '/' (e.g. ${w.example}).`,
    );
}
