/**
 * Real projects on a real disk for the manifest tests: a fresh temp dir per test, manifests and
 * images written into it, and helpers to compute expected line/column positions from the text.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";
import { loadProject, type Project } from "../../src/manifest/index.js";
import type { Diagnostic } from "../../src/diagnostics.js";

const made: string[] = [];

/** Registers cleanup of every temp project made by the calling test file. */
export function cleanupProjectsAfterEach(): void {
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
}

/** Writes `files` (path relative to the root → content) into a fresh temp dir and returns it. */
export function makeProject(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), "clipform-manifest-"));
  made.push(root);
  writeFiles(root, files);
  return root;
}

export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/** One manifest at specs/main.yaml (plus optional extra files), loaded. */
export function loadOne(yaml: string, extra: Record<string, string | Buffer> = {}): Project {
  const root = makeProject({ "specs/main.yaml": yaml, ...extra });
  return loadProject({ root });
}

export function load(files: Record<string, string | Buffer>): Project {
  return loadProject({ root: makeProject(files) });
}

export const errorsOf = (p: Project): Diagnostic[] => p.diagnostics.filter((d) => d.severity === "error");
export const warningsOf = (p: Project): Diagnostic[] => p.diagnostics.filter((d) => d.severity === "warning");

/**
 * 1-based line and column of the `occurrence`-th (1-based) match of `needle` in `text`.
 * Throws when it is not there, so a typo in a test cannot silently pass.
 */
export function posOf(text: string, needle: string, occurrence = 1): { line: number; col: number } {
  let idx = -1;
  for (let n = 0; n < occurrence; n++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx === -1) throw new Error(`posOf: ${JSON.stringify(needle)} (occurrence ${occurrence}) not found`);
  }
  const before = text.slice(0, idx);
  const line = before.split("\n").length;
  const col = idx - (before.lastIndexOf("\n") + 1) + 1;
  return { line, col };
}

/** Position of the key `key:` on the line that contains `lineNeedle` (default: the key itself). */
export function keyPos(text: string, key: string, occurrence = 1): { line: number; col: number } {
  return posOf(text, `${key}:`, occurrence);
}

/** Position of the value written after `key: ` on the `occurrence`-th line with that key. */
export function valuePos(text: string, key: string, occurrence = 1): { line: number; col: number } {
  const k = posOf(text, `${key}:`, occurrence);
  const lineText = text.split("\n")[k.line - 1]!;
  const after = lineText.slice(k.col - 1 + key.length + 1);
  const lead = after.length - after.trimStart().length;
  return { line: k.line, col: k.col + key.length + 1 + lead };
}

/** Diagnostic reduced to what the tests compare. */
export const brief = (d: Diagnostic) => ({ file: d.file, line: d.line, col: d.col, severity: d.severity });

// ---------------------------------------------------------------------------------------------
// Images

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * A PNG with a real signature and IHDR (width at bytes 16-19, height at 20-23) and an empty
 * IEND; `salt` goes into a tEXt chunk so two images of the same size can differ in content.
 */
export function png(width: number, height: number, salt = ""): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr)];
  if (salt) parts.push(chunk("tEXt", Buffer.from(`Comment\0${salt}`, "latin1")));
  parts.push(chunk("IEND", Buffer.alloc(0)));
  return Buffer.concat(parts);
}
