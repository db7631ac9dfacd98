/**
 * What a sequence may be called and hold, as plain data: the manifest stage checks it on every
 * run without loading zod, and schema.ts publishes the same values for editors.
 */

/** A sequence's name is its film's file name: lower case only, so no two differ by case alone. */
export const SEQUENCE_NAME_PATTERN = "^[a-z0-9][a-z0-9._-]{0,99}$";

/** Far beyond any real cut, and well within what one ffmpeg command line takes. */
export const MAX_SEQUENCE_MEMBERS = 500;
