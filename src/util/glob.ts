/**
 * Address globs for --target and --replace: `*` matches any run of characters (including '/'),
 * `?` one character; everything else is literal. `harbor/*` selects every fan-out of harbor.
 */
const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    re = new RegExp(`^${body}$`);
    cache.set(glob, re);
  }
  return re;
}

export function matchesAny(address: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(address));
}
