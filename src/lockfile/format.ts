/** The lockfile's name and format version, as plain data (reading it must not load zod). */
export const LOCKFILE_FORMAT = 2;
/** Versions this clipform reads: a format-1 lockfile is upgraded on its first write, nothing lost. */
export const READABLE_FORMATS: readonly number[] = [1, 2];
