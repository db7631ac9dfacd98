/**
 * The project layout: every name clipform gives a file or folder of the project, in one place.
 * Plain vocabulary, no I/O. Paths are relative to the project root unless they say otherwise.
 */

/** The project config at the root; its folder is the project root. */
export const PROJECT_CONFIG = "clipform.yaml";
/** The lockfile at the root (a config may move it). */
export const LOCKFILE_NAME = "clipform.lock.json";
/** Where videos are saved by default. */
export const DEFAULT_OUT_DIR = "clipform-out";
/** The folder under the output folder (and under each clip's folder) where kept takes' files live. */
export const TAKES_DIR = "takes";

/** clipform's own state beside a lockfile (the project's at the root; the simulator's record keeps its own). */
export const STATE_DIR = ".clipform";
/** The simulator's record, apart from the real lockfile and outputs. */
export const SIM_RECORD_DIR = `${STATE_DIR}/sim`;
/** The API's quotes, reused by later plans. */
export const QUOTES_FILE = `${STATE_DIR}/quotes.json`;
/** Last frames kept by content for chained clips. */
export const FRAMES_DIR = `${STATE_DIR}/frames`;
/** The state lock of one apply at a time. */
export const APPLY_LOCK_FILE = `${STATE_DIR}/apply.lock`;

/** The journal folder of the lockfile in `lockDir` (relative to that folder). */
export const JOURNAL_DIR = `${STATE_DIR}/journal`;
/** What was last cut for each sequence, beside the lockfile (relative to its folder). */
export const SEQUENCES_FILE = `${STATE_DIR}/sequences.json`;
