/**
 * Names users choose (clips, images, sequences, manifests) index data. A plain object answers
 * `constructor` or `toString` with what it inherits, so every lookup by a name reads own
 * properties only: `own(lock.clips, "constructor")` is undefined until a clip of that name exists.
 */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Whether `record` has its own `key` (the `key in record` that inherited names do not fool). */
export const hasOwn = (record: object | undefined, key: string): boolean => record !== undefined && Object.hasOwn(record, key);
