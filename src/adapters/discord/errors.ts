import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';

export interface ClassifiedError {
  retryable: boolean;
  message: string;
}

/** Discord JSON error codes we explain (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
const HINTS: Record<number, string> = {
  10003: 'the channel does not exist or the bot cannot see it',
  50001: 'the bot has no access to the channel: give it View Channel',
  50013: 'the bot lacks permissions in the channel: give it Send Messages, Embed Links, Attach Files and Read Message History',
  10062: 'the interaction expired before the bot answered',
};

/**
 * Whether a failed Discord call is worth retrying later: server errors, rate limits, timeouts and network errors
 * are; a rejected token, a missing channel or missing permissions are not (retrying cannot fix them).
 */
export function classifyDiscordError(e: unknown): ClassifiedError {
  if (e instanceof DiscordAPIError) {
    const hint = typeof e.code === 'number' ? HINTS[e.code] : undefined;
    if (e.status === 401) return { retryable: false, message: 'Discord rejected DISCORD_TOKEN (401): check the bot token' };
    if (e.status === 429 || e.status >= 500) return { retryable: true, message: `Discord answered ${e.status}: ${e.message}` };
    return { retryable: false, message: `Discord answered ${e.status} (code ${e.code}): ${hint ?? e.message}` };
  }
  if (e instanceof HTTPError) return { retryable: true, message: `Discord answered ${e.status} ${e.message}` };
  if (e instanceof RateLimitError) return { retryable: true, message: `rate limited for ${e.retryAfter} ms` };
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'AbortError') return { retryable: true, message: 'Discord did not answer in time' };
  const cause = err?.cause?.code ?? err?.cause?.message;
  return { retryable: true, message: `${err?.message ?? String(e)}${cause ? ` (${cause})` : ''}` };
}
