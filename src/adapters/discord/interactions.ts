import {
  MessageFlags,
  PermissionFlagsBits,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import type { CommandSpec } from '../../../commands/types.js';
import { parseActionId } from '../../alerts/alert-reply.js';
import type { ChatRuntime } from '../../domain/chat-runtime.js';
import type { Invocation } from '../../domain/invocation.js';
import { isDiscordAdmin, type DiscordMemberInfo } from './admin.js';
import type { AutocompleteCache } from './autocomplete.js';
import { classifyDiscordError } from './errors.js';
import { optionsToTokens, resolveLeaf } from './options.js';
import { disableButton, renderDiscordReply, withField, type ButtonRow } from './render.js';

export interface InteractionDeps {
  runtime: ChatRuntime;
  commands: CommandSpec[];
  cache: AutocompleteCache;
}

type AnyInteraction = ChatInputCommandInteraction | AutocompleteInteraction | ButtonInteraction;

function memberInfo(i: AnyInteraction): DiscordMemberInfo {
  const m = i.member;
  let roleIds: string[] = [];
  if (m && Array.isArray(m.roles)) roleIds = m.roles;
  else if (m && !Array.isArray(m.roles)) roleIds = [...m.roles.cache.keys()];
  const roleNames = roleIds.map((id) => i.guild?.roles.cache.get(id)?.name).filter((n): n is string => n !== undefined);
  return { userId: i.user.id, roleIds, roleNames, canManageGuild: i.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false };
}

function invocationOf(i: AnyInteraction, runtime: ChatRuntime): Invocation {
  const m = i.member;
  const display = m && 'displayName' in m ? m.displayName : undefined;
  return {
    platform: 'discord',
    userId: i.user.id,
    userName: display ?? i.user.globalName ?? i.user.username,
    channelId: i.channelId ?? 'dm',
    isAdmin: isDiscordAdmin(memberInfo(i), runtime.config.admins.discord),
  };
}

/**
 * A slash command: deferred at once (privately for admin-only commands, decided from the spec before anything
 * runs), run through the same dispatch as the CLI, then answered with editReply. A private answer (an error, a
 * refusal) to a public deferral replaces it: the public "thinking" message is deleted and the answer follows
 * privately, so errors never show in the channel.
 */
async function onCommand(i: ChatInputCommandInteraction, deps: InteractionDeps): Promise<void> {
  const { runtime } = deps;
  const leaf = resolveLeaf(deps.commands, i.commandName, i.options.getSubcommand(false));
  const deferredPrivate = leaf?.spec.adminOnly ?? false;
  await i.deferReply(deferredPrivate ? { flags: MessageFlags.Ephemeral } : {});
  const inv = invocationOf(i, runtime);
  const result = await runtime.run(inv, optionsToTokens(i.commandName, i.options.data));
  runtime.log.info('discord command', { command: result.command ?? i.commandName, outcome: result.outcome, user: inv.userId, channel: inv.channelId });
  const message = { ...renderDiscordReply(result.reply), allowedMentions: { parse: [] } };
  if (result.reply.ephemeral && !deferredPrivate) {
    await i.deleteReply().catch((e: unknown) => runtime.log.warn('could not delete the public placeholder', { error: classifyDiscordError(e).message }));
    await i.followUp({ ...message, flags: MessageFlags.Ephemeral });
  } else {
    await i.editReply(message);
  }
  // Fire-and-forget: the reply is sent; the refresh logs its own failure and keeps the last list (it never rejects).
  if (i.commandName === 'basket') void deps.cache.refreshBaskets();
}

/** Autocomplete answers from the cache only (3 s, no deferral possible). */
async function onAutocomplete(i: AutocompleteInteraction, deps: InteractionDeps): Promise<void> {
  const focused = i.options.getFocused(true);
  const leaf = resolveLeaf(deps.commands, i.commandName, i.options.getSubcommand(false));
  const arg = leaf?.spec.args.find((a) => a.name === focused.name && !a.cliOnly);
  const choices = arg?.autocomplete ? deps.cache.choices(arg.autocomplete, String(focused.value ?? ''), Boolean(arg.variadic)) : [];
  await i.respond(choices);
}

function buttonRowsOf(i: ButtonInteraction): ButtonRow[] {
  return i.message.components
    .map((c) => c.toJSON() as { type: number; components?: { type: number; custom_id?: string }[] })
    .filter((r): r is ButtonRow => r.type === 1 && (r.components ?? []).every((b) => b.type === 2 && typeof b.custom_id === 'string'));
}

/**
 * An alert button: the same handler and permission checks as everywhere (runtime.handleAction). On success the
 * alert message shows who acknowledged (or snoozed) and when; the clicker gets a private answer either way.
 */
async function onButton(i: ButtonInteraction, deps: InteractionDeps): Promise<void> {
  const { runtime } = deps;
  await i.deferUpdate();
  const inv = invocationOf(i, runtime);
  const result = await runtime.handleAction(inv, i.customId);
  runtime.log.info('discord button', { action: i.customId, outcome: result.outcome, user: inv.userId, channel: inv.channelId });
  const action = parseActionId(i.customId);
  const embed = i.message.embeds[0]?.toJSON();
  if (result.outcome === 'ok' && action && embed) {
    const at = Math.floor(((action.kind === 'ack' ? result.acknowledged?.at : undefined) ?? runtime.clock.now()) / 1000);
    const who = `<@${inv.userId}> (${inv.userName ?? inv.userId})`;
    let rows = buttonRowsOf(i);
    let field;
    if (action.kind === 'ack') {
      field = { name: 'Acknowledged', value: `by ${who} at <t:${at}:f>`, inline: false };
      rows = disableButton(rows, i.customId, 'Acknowledged');
    } else {
      field = { name: 'Snoozed', value: `${action.duration} by ${who} at <t:${at}:f>. ${result.reply.text ?? ''}`.trim(), inline: false };
    }
    await i.editReply({ embeds: [withField(embed, field)], components: rows, allowedMentions: { parse: [] } });
  }
  await i.followUp({ ...renderDiscordReply(result.reply), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

/** Route one interaction; failures are logged, never thrown into discord.js's event loop. */
export async function handleInteraction(i: Interaction, deps: InteractionDeps): Promise<void> {
  try {
    if (i.isChatInputCommand()) await onCommand(i, deps);
    else if (i.isAutocomplete()) await onAutocomplete(i, deps);
    else if (i.isButton()) await onButton(i, deps);
  } catch (e) {
    deps.runtime.log.error('discord interaction failed', { id: i.id, type: i.type, error: e instanceof Error && e.name === 'TypeError' ? e : classifyDiscordError(e).message });
  }
}
