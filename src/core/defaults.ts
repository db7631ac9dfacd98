/**
 * Names of the project's files and folders that every layer needs, as plain data (no I/O).
 * A stand-in for the project layout module (src/core/layout.ts, being written alongside): it
 * keeps the same names, so its arrival replaces this file and its imports one for one.
 */

/** The lockfile at the project root. */
export const LOCKFILE_NAME = "clipform.lock.json";

/** Where videos are saved unless the config or `--out-dir` says otherwise. */
export const DEFAULT_OUT_DIR = "clipform-out";
