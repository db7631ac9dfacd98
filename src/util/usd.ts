/**
 * Money, printed one way everywhere: totals (what a plan, a run, a manifest or a budget adds up
 * to) with 2 decimals, unit prices (what one change, task or result costs) with 4, since
 * per-second prices only show at that precision. Below plan and lockfile, so both can use it.
 */
function dollars(n: number, decimals: number): string {
  const s = Math.abs(n).toFixed(decimals);
  return n < 0 && Number(s) !== 0 ? `-$${s}` : `$${s}`;
}

/** A total: `$2.31`; a total below half a cent keeps 4 decimals (`$0.0011`, a keyframe), never a misleading `$0.00`. */
export function usd(n: number): string {
  return n !== 0 && Math.abs(n) < 0.005 ? dollars(n, 4) : dollars(n, 2);
}

/** A unit price (one change, task or result): `$0.1848`. */
export function unitUsd(n: number): string {
  return dollars(n, 4);
}
