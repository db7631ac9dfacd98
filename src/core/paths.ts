/**
 * Path containment, the one check every path from data goes through ("is this path inside that
 * folder"), and names: what data may name (a take folder, a model file) is one path segment,
 * never joined as a path. Pure: no I/O, links are the caller's (src/util/safe-fs.ts).
 */
import { isAbsolute, relative, resolve, sep } from "node:path";

/**
 * Whether `path` (absolute, or relative to `base`) lies strictly inside `base`; with `orSelf`,
 * `base` itself counts. Lexical: `..x` is a name inside, `..` and `../x` are not.
 */
export function isInside(base: string, path: string, opts: { orSelf?: boolean } = {}): boolean {
  if (path.includes("\0")) return false;
  const back = relative(resolve(base), resolve(base, path));
  if (back === "") return opts.orSelf === true;
  return back !== ".." && !back.startsWith(`..${sep}`) && !isAbsolute(back);
}

/** `rel` resolved against `base`, or undefined when it leaves `base` (or is absolute, or holds a NUL). */
export function containedPath(base: string, rel: string): string | undefined {
  if (rel === "" || rel.includes("\0") || isAbsolute(rel) || /^[a-zA-Z]:|^[\\/]/.test(rel)) return undefined;
  return isInside(base, rel) ? resolve(base, rel) : undefined;
}

/** Longest name most filesystems take. */
const MAX_NAME = 255;

/**
 * Why `name` cannot be a single file or folder name, or undefined when it can: not empty, not `.`
 * or `..`, no `/`, `\`, NUL or control character, at most 255 characters.
 */
export function nameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (name === "." || name === "..") return `is "${name}"`;
  if (/[/\\]/.test(name)) return "holds a path separator";
  if (/[\u0000-\u001f\u007f]/.test(name)) return "holds a control character";
  if (name.length > MAX_NAME) return `is longer than ${MAX_NAME} characters`;
  return undefined;
}

export const isSafeName = (name: string): boolean => nameProblem(name) === undefined;

/** Folders an output folder may never be in or hold: apply removes every link and FIFO under it. */
const NOT_OUTPUT = ["node_modules", ".git"];

/**
 * Why `outDir` (relative to `root`, or absolute) cannot be the output folder, or undefined: it
 * must be a folder strictly inside the project, outside node_modules and .git, since apply
 * removes every link and special file under it (`outDir: .` would empty node_modules/.bin).
 */
export function outDirProblem(root: string, outDir: string): string | undefined {
  if (outDir.includes("\0")) return "holds a NUL character";
  const abs = resolve(root, outDir);
  if (isInside(abs, root, { orSelf: true })) return "is the project root or a folder above it";
  if (!isInside(root, abs)) return "lies outside the project";
  const hit = relative(resolve(root), abs).split(sep).find((s) => NOT_OUTPUT.includes(s));
  if (hit !== undefined) return `lies inside ${hit}/`;
  return undefined;
}
