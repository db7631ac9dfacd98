/**
 * What was last cut for each sequence: `.clipform/sequences.json` (the simulator's beside its own
 * record, under `.clipform/sim/`), written atomically. A local cache of free work: a record that
 * cannot be read is taken as empty, so the films are simply cut again.
 */
import { createHash } from "node:crypto";
import { createReadStream, lstatSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { SIM_RECORD_DIR, STATE_DIR } from "../core/layout.js";
import { writeFileAtomic } from "../lockfile/io.js";
import type { DesiredSequence } from "../manifest/sequences.js";
import type { FileState } from "../plan/plan.js";
import type { SequencePlanInput, SequenceRecord, SequenceRecordEntry } from "../plan/sequences.js";
import { type Record as ProjectRecord } from "../project/workspace.js";
import { containedPath } from "../core/paths.js";
import { READ_CAPS, readProjectText } from "../util/safe-fs.js";
import { own } from "../util/own.js";

export const SEQUENCE_RECORD_NAME = "sequences.json";
const RECORD_FORMAT = 1;

/** The sequence record that goes with a lockfile record (the simulator's is kept apart). */
export function sequenceRecordPath(root: string, record: Pick<ProjectRecord, "simulated">): string {
  return join(root, record.simulated ? SIM_RECORD_DIR : STATE_DIR, SEQUENCE_RECORD_NAME);
}

const isEntry = (v: unknown): v is SequenceRecordEntry => {
  const e = v as { [K in keyof SequenceRecordEntry]?: unknown } | null;
  return (
    typeof e === "object" && e !== null &&
    typeof e.key === "string" && typeof e.file === "string" && typeof e.sha256 === "string" &&
    typeof e.bytes === "number" && typeof e.mtimeMs === "number" && (e.mode === "copy" || e.mode === "encode") &&
    Array.isArray(e.members) && Array.isArray(e.videos) && typeof e.cutAt === "string"
  );
};

export function readSequenceRecord(path: string): SequenceRecord {
  // A cache: absent or not JSON means empty; a link out, a FIFO or a device in its place is refused.
  const text = readProjectText(path, { within: dirname(path), maxBytes: READ_CAPS.state, shown: basename(path) });
  if (text === undefined) return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return {};
  }
  const d = data as { format_version?: unknown; sequences?: unknown } | null;
  if (!d || d.format_version !== RECORD_FORMAT || typeof d.sequences !== "object" || d.sequences === null) return {};
  const out: SequenceRecord = {};
  for (const [name, entry] of Object.entries(d.sequences)) if (isEntry(entry)) out[name] = entry;
  return out;
}

export function writeSequenceRecord(path: string, record: SequenceRecord): void {
  const sorted = Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileAtomic(path, JSON.stringify({ format_version: RECORD_FORMAT, sequences: sorted }, null, 2) + "\n");
}

export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (b) => hash.update(b))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

function sha256OfFileSync(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/**
 * Whether a recorded film is still the one clipform wrote: same size and, unless its
 * modification time is the recorded one, the same content. A link or anything outside the
 * project is never the film.
 */
export function filmState(root: string, entry: SequenceRecordEntry): FileState {
  const abs = containedPath(root, entry.file);
  if (!abs) return "altered";
  try {
    const st = lstatSync(abs);
    if (!st.isFile() || st.size !== entry.bytes) return "altered";
    if (st.mtimeMs === entry.mtimeMs) return "ok";
    return sha256OfFileSync(abs) === entry.sha256 ? "ok" : "altered";
  } catch {
    return "missing";
  }
}

/** The planner's view of the sequences: what was cut, and whether those films are intact. */
export function sequencePlanInput(root: string, record: ProjectRecord, sequences: readonly DesiredSequence[], outDir: string = record.outDir): SequencePlanInput {
  const cut = sequences.length > 0 ? readSequenceRecord(sequenceRecordPath(root, record)) : {};
  const films = new Map<string, FileState>();
  for (const s of sequences) {
    const entry = own(cut, s.name);
    if (entry) films.set(s.name, filmState(root, entry));
  }
  return { sequences, record: cut, films, outDir };
}
