import { REST, Routes } from 'discord.js';
import type { CommandSpec } from '../../../commands/types.js';
import { discordCommandJson } from './command-json.js';
import { readDiscordEnv } from './env.js';
import { classifyDiscordError } from './errors.js';
import { discordRest } from './rest.js';

/**
 * `corrwatch discord-register`: replace the bot's slash commands with the ones generated from the specs, in one
 * bulk overwrite: to DISCORD_GUILD_ID when set (visible at once, for iterating), else globally.
 */
export async function registerDiscordCommands(
  env: Record<string, string | undefined>,
  commands: CommandSpec[],
): Promise<{ scope: 'global' | 'guild'; count: number }> {
  const cfg = readDiscordEnv(env);
  const body = discordCommandJson(commands);
  const http = discordRest({ apiUrl: cfg.apiUrl });
  const rest = new REST(http.options).setToken(cfg.token);
  const route = cfg.guildId ? Routes.applicationGuildCommands(cfg.applicationId, cfg.guildId) : Routes.applicationCommands(cfg.applicationId);
  try {
    const saved = (await rest.put(route, { body })) as unknown[];
    return { scope: cfg.guildId ? 'guild' : 'global', count: Array.isArray(saved) ? saved.length : body.length };
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 401) throw new Error('Discord rejected DISCORD_TOKEN (401): check the bot token');
    if (status === 403 && cfg.guildId) throw new Error(`Discord refused (403): is the bot in server DISCORD_GUILD_ID=${cfg.guildId}, invited with the applications.commands scope?`);
    if (status === 403 || status === 404) throw new Error(`Discord refused (${status}): does DISCORD_APPLICATION_ID=${cfg.applicationId} belong to the bot token?`);
    throw new Error(`could not register the Discord commands: ${classifyDiscordError(e).message}`);
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
    await http.close();
  }
}
