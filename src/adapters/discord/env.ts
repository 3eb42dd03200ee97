/** What the Discord adapter reads from the environment (secrets come only from here, never from config files). */
export interface DiscordEnv {
  token: string;
  applicationId: string;
  /** Register commands to this server only (they appear at once; global ones can take a while). */
  guildId?: string;
  /** REST base URL instead of https://discord.com/api (a proxy or a test server); the gateway URL comes from it. */
  apiUrl?: string;
}

const SNOWFLAKE = /^\d{15,21}$/;

function need(env: Record<string, string | undefined>, key: string, what: string): string {
  const v = env[key]?.trim();
  if (!v) throw new Error(`${key} is not set: ${what}`);
  return v;
}

/** Read and check the Discord variables; every error names the variable and says what to put there. */
export function readDiscordEnv(env: Record<string, string | undefined>): DiscordEnv {
  // discord.js accepts a pasted "Bot <token>"; so do we. The token itself is never part of a message.
  const token = need(env, 'DISCORD_TOKEN', 'set it to the bot token (Discord Developer Portal > your app > Bot > Reset Token)').replace(/^(Bot|Bearer)\s+/i, '');
  if (/\s/.test(token)) throw new Error('DISCORD_TOKEN contains whitespace: paste the bot token alone');
  const applicationId = need(env, 'DISCORD_APPLICATION_ID', 'set it to the application id (Developer Portal > your app > General Information)');
  if (!SNOWFLAKE.test(applicationId)) throw new Error(`DISCORD_APPLICATION_ID must be a numeric id like 123456789012345678, got "${applicationId}"`);
  const out: DiscordEnv = { token, applicationId };
  const guildId = env.DISCORD_GUILD_ID?.trim();
  if (guildId) {
    if (!SNOWFLAKE.test(guildId)) throw new Error(`DISCORD_GUILD_ID must be a numeric server id, got "${guildId}"`);
    out.guildId = guildId;
  }
  const apiUrl = env.DISCORD_API_URL?.trim();
  if (apiUrl) {
    let url: URL;
    try {
      url = new URL(apiUrl);
    } catch {
      throw new Error(`DISCORD_API_URL must be an http(s) URL like https://discord.com/api, got "${apiUrl}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`DISCORD_API_URL must be an http(s) URL, got "${apiUrl}"`);
    // discord.js appends /v10 itself.
    out.apiUrl = apiUrl.replace(/\/+$/, '').replace(/\/v\d+$/, '');
  }
  return out;
}
