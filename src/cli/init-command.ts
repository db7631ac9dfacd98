/** `clipform init [DIR] [--workflow]`: scaffold a project (config, starter manifest, git settings). */
import { relative, resolve } from "node:path";
import { initProject } from "../project/init.js";
import type { Command } from "./commands.js";

export const initCommand: Command = {
  usage: "[DIR] [--workflow]",
  options: { workflow: { type: "boolean", help: "also add the GitHub workflow (.github/workflows/clipform.yml): plan on pull requests, apply on main" } },
  async run(ctx, values, positionals) {
    const r = initProject(resolve(ctx.cwd, positionals[0] ?? "."), { workflow: Boolean(values.workflow) });
    const c = ctx.color;
    const where = relative(ctx.cwd, r.root) || ".";
    ctx.out(`${c.green("Initialized")} a clipform project in ${where}:`);
    for (const f of r.created) ctx.out(`  created   ${f}`);
    for (const f of r.appended) ctx.out(`  appended  ${f}`);
    for (const f of r.kept) ctx.out(`  kept      ${f} ${c.dim("(already there; not changed)")}`);
    ctx.out(
      r.schema.resolves
        ? `\nThe starter manifest's $schema line (editor completion and docs) points at ${r.schema.ref}.`
        : `\nThe starter manifest's $schema line points at ${r.schema.ref}: run \`npm install --save-dev clipform\` here so it resolves (and CI runs the same clipform).`,
    );
    ctx.out(`\nOnce per clone, so git merges the lockfile clip by clip (git reads merge drivers only from its config):`);
    for (const step of r.gitConfig) ctx.out(`  ${step}`);
    ctx.out(`\nNext: clipform validate · clipform plan · clipform apply --sim (the simulator: no key, no cost) · clipform apply`);
    return 0;
  },
};
