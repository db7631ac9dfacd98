/** The lockfile's name and format version, as plain data (reading it must not load zod). */
export const LOCKFILE_FORMAT = 1;
export const LOCKFILE_NAME = "clipform.lock.json";
