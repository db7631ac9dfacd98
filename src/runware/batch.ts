/** Small helpers for batched requests. */

/** numberResults as sent: 1 when absent; anything odd counts as 1 so a task is never waited on forever. */
export function countOf(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : 1;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}
