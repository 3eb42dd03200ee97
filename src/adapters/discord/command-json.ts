import {
  ApplicationCommandOptionType as OptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandSubcommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { ArgSpec, CommandSpec } from '../../../commands/types.js';
import { offeredOn } from '../../../commands/usage.js';
import { clampText } from '../../render/clamp.js';
import { DISCORD_LIMITS as L } from './limits.js';

export type DiscordCommandJson = RESTPostAPIChatInputApplicationCommandsJSONBody;

const NAME_RE = /^[-_\p{Ll}\p{N}]{1,32}$/u;

function checkName(name: string, where: string): string {
  if (!NAME_RE.test(name)) throw new Error(`${where}: "${name}" is not a valid Discord command or option name (1-32 lowercase letters, digits, - or _)`);
  return name;
}

/** Help wording is written for every surface; `--at` reads `at` in a Discord option list. */
function describe(text: string): string {
  return clampText(text.replace(/--([a-z][\w-]*)/g, "'$1'"), L.commandDescription) || '-';
}

function describeArg(a: ArgSpec): string {
  let d = a.description + (a.variadic ? ' (separate with spaces or commas)' : '');
  if (a.default !== undefined && !a.required && !a.flag) {
    const withDefault = `${d}; default ${a.default}`;
    if (withDefault.length <= L.commandDescription) d = withDefault;
  }
  return describe(d);
}

function option(a: ArgSpec, where: string): APIApplicationCommandBasicOption {
  const name = checkName(a.name, where);
  const description = describeArg(a);
  const required = a.required ? { required: true } : {};
  if (a.flag) return { type: OptionType.Boolean, name, description, ...required };
  if (a.type === 'int') return { type: OptionType.Integer, name, description, ...required };
  if (a.choices?.length) {
    if (a.choices.length > L.optionChoices) throw new Error(`${where} ${a.name}: more than ${L.optionChoices} choices`);
    return { type: OptionType.String, name, description, ...required, choices: a.choices.map((c) => ({ name: c, value: c })) };
  }
  // Variadic args are one string option; the parser splits it on spaces and commas.
  return { type: OptionType.String, name, description, ...required, ...(a.autocomplete ? { autocomplete: true } : {}) };
}

/** The chat options of a leaf command: CLI-only args left out, required ones first (Discord insists). */
function leafOptions(spec: CommandSpec, where: string): APIApplicationCommandBasicOption[] {
  const args = spec.args.filter((a) => !a.cliOnly);
  const ordered = [...args.filter((a) => a.required), ...args.filter((a) => !a.required)];
  if (ordered.length > L.options) throw new Error(`${where}: more than ${L.options} options`);
  return ordered.map((a) => option(a, where));
}

function isAdminOnly(spec: CommandSpec): boolean {
  const subs = spec.subcommands?.filter((s) => offeredOn(s, 'chat'));
  return spec.adminOnly || (subs !== undefined && subs.length > 0 && subs.every((s) => s.adminOnly));
}

/**
 * Discord application-command JSON generated from the command specs: every command offered in chat, its
 * subcommands as Discord subcommands, CLI-only args and commands left out. Discord permissions are per command,
 * not per subcommand: `default_member_permissions` (Manage Server) goes on commands that are admin-only as a
 * whole; admin-only subcommands say "(admins)" and are checked on the server side like everything else.
 */
export function discordCommandJson(commands: CommandSpec[]): DiscordCommandJson[] {
  return commands
    .filter((c) => offeredOn(c, 'chat'))
    .map((spec) => {
      const name = checkName(spec.name, 'command');
      const json: DiscordCommandJson = {
        type: ApplicationCommandType.ChatInput,
        name,
        description: describe(spec.summary),
        contexts: [InteractionContextType.Guild],
        integration_types: [ApplicationIntegrationType.GuildInstall],
      };
      const subs = spec.subcommands?.filter((s) => offeredOn(s, 'chat'));
      if (subs?.length) {
        if (subs.length > L.options) throw new Error(`command ${name}: more than ${L.options} subcommands`);
        json.options = subs.map(
          (s): APIApplicationCommandSubcommandOption => ({
            type: OptionType.Subcommand,
            name: checkName(s.name, `command ${name}`),
            description: describe(s.summary + (s.adminOnly && !spec.adminOnly ? ' (admins)' : '')),
            options: leafOptions(s, `${name} ${s.name}`),
          }),
        );
      } else {
        json.options = leafOptions(spec, `command ${name}`);
      }
      if (isAdminOnly(spec)) json.default_member_permissions = String(PermissionFlagsBits.ManageGuild);
      return json;
    });
}
