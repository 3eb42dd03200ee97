import type { CommandSpec } from '../../../commands/types.js';
import { offeredOn } from '../../../commands/usage.js';

/** An interaction option as Discord sends it (discord.js `interaction.options.data` has this shape). */
export interface RawOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: readonly RawOption[];
  focused?: boolean;
}

/** Discord option types that hold options rather than a value. */
const SUBCOMMAND = 1;
const SUBCOMMAND_GROUP = 2;

export interface Leaf {
  spec: CommandSpec;
  /** `basket add` */
  fullName: string;
}

/** The spec a Discord command (and subcommand) names, as offered in chat. */
export function resolveLeaf(commands: CommandSpec[], name: string, sub?: string | null): Leaf | undefined {
  const top = commands.find((c) => c.name === name && offeredOn(c, 'chat'));
  if (!top) return undefined;
  if (!top.subcommands) return { spec: top, fullName: top.name };
  const leaf = sub ? top.subcommands.find((s) => s.name === sub && offeredOn(s, 'chat')) : undefined;
  return leaf ? { spec: leaf, fullName: `${top.name} ${leaf.name}` } : { spec: top, fullName: top.name };
}

/**
 * The token list `runtime.run` takes for an interaction: the command, its subcommand, then every option as
 * `--name value` (the parser accepts that form for every arg, positional or not). A value is one token however
 * many spaces it holds; a variadic option's value is split by the parser on spaces and commas. A false boolean
 * is left out (a flag's default).
 */
export function optionsToTokens(command: string, options: readonly RawOption[]): string[] {
  const tokens = [command];
  const walk = (opts: readonly RawOption[]) => {
    for (const o of opts) {
      if (o.type === SUBCOMMAND || o.type === SUBCOMMAND_GROUP) {
        tokens.push(o.name);
        walk(o.options ?? []);
      } else if (typeof o.value === 'boolean') {
        if (o.value) tokens.push(`--${o.name}`);
      } else if (o.value !== undefined && String(o.value).trim() !== '') {
        tokens.push(`--${o.name}`, String(o.value).trim());
      }
    }
  };
  walk(options);
  return tokens;
}
