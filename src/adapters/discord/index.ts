/**
 * The Discord adapter (discord.js 14 over the gateway). The only place that imports discord.js.
 *
 * - startDiscordAdapter: the bot: slash commands, autocomplete, alert buttons, and the alert Notifier.
 * - discordRestNotifier: the alert Notifier alone, over REST (a replica that does not hold the gateway).
 * - registerDiscordCommands / discordCommandJson: the slash commands, generated from commands/.
 * - renderDiscordReply / DISCORD_LIMITS: a neutral Reply as an embed, a file and buttons, within Discord's limits.
 */
export { startDiscordAdapter, type DiscordAdapter, type DiscordAdapterOptions } from './adapter.js';
export { discordRestNotifier, type DiscordRestNotifier } from './rest-notifier.js';
export { registerDiscordCommands } from './register.js';
export { discordCommandJson, type DiscordCommandJson } from './command-json.js';
export { renderDiscordReply, type DiscordMessage, type DiscordFile } from './render.js';
export { DISCORD_LIMITS } from './limits.js';
export { readDiscordEnv, type DiscordEnv } from './env.js';
