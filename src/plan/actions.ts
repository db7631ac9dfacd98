/** Plan actions and the groups of them that several stages key on, defined once. */
export const ACTIONS = ["create", "replace", "add-variants", "reuse", "resume", "retry", "download", "delete", "no-op"] as const;
export type Action = (typeof ACTIONS)[number];

/** After these, the clip's videos differ from what the lockfile holds now (they generate or copy). */
export const GENERATING: ReadonlySet<Action> = new Set(["create", "replace", "add-variants", "reuse", "retry"]);

/** These start the clip's entry afresh; add-variants and retry append to it. */
export const FRESH_GENERATION: ReadonlySet<Action> = new Set(["create", "replace"]);
export const APPENDING_GENERATION: ReadonlySet<Action> = new Set(["add-variants", "retry"]);

/** These need the API (the rest only touch the lockfile and local files; a reuse may generate extra variants). */
export const NETWORK_ACTIONS: ReadonlySet<Action> = new Set(["create", "replace", "add-variants", "retry", "resume", "download"]);
