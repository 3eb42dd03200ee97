/**
 * What a failed Slack call means for corrwatch: retry later or not, an operator problem (token, scope, channel)
 * and what to fix. Works on the WebClient's error shapes (`code`, `data.error`, `statusCode`, `retryAfter`).
 */
export interface SlackFailure {
  /** Slack's error (`invalid_auth`, `not_in_channel`), `http_500`, `ratelimited`, or a network error message. */
  error: string;
  /** A later attempt may succeed (the alert stays pending). */
  retryable: boolean;
  /** The bot token is rejected: the operator must fix SLACK_BOT_TOKEN. */
  auth: boolean;
  /** Set for HTTP 429: how long Slack asked us to wait. */
  retryAfterMs?: number;
  /** Slack may have done the call all the same: no answer came back (a reset, a timeout) or a 5xx. */
  unconfirmed?: boolean;
  /** What an operator (or the user) should do, when we know. */
  hint?: string;
}

const AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'not_allowed_token_type']);
/** Slack platform errors that a retry can fix (Slack-side trouble). */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'team_added_to_org']);

export const TOKEN_HINT = 'check SLACK_BOT_TOKEN: it must be the Bot User OAuth Token (xoxb-...) of the app installed in this workspace';

function hintFor(error: string, needed?: string): string | undefined {
  if (AUTH_ERRORS.has(error) || error === 'http_401' || error === 'http_403') return TOKEN_HINT;
  if (error === 'missing_scope') return `the Slack app lacks the ${needed ?? 'needed'} scope: add it (corrwatch slack-manifest lists the scopes) and reinstall the app`;
  if (error === 'not_in_channel' || error === 'channel_not_found') return 'invite the bot to the channel (/invite @corrwatch)';
  if (error === 'is_archived') return 'the channel is archived: unarchive it or unsubscribe it';
  return undefined;
}

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  statusCode?: unknown;
  retryAfter?: unknown;
  data?: { error?: unknown; needed?: unknown };
  original?: { message?: unknown };
}

export function classifySlackError(e: unknown): SlackFailure {
  const x = (typeof e === 'object' && e !== null ? e : {}) as ErrorShape;
  const make = (error: string, retryable: boolean, extra: Partial<SlackFailure> = {}): SlackFailure => {
    const auth = AUTH_ERRORS.has(error) || error === 'http_401' || error === 'http_403';
    const needed = typeof x.data?.needed === 'string' ? x.data.needed : undefined;
    return { error, retryable, auth, hint: hintFor(error, needed), ...extra };
  };
  switch (x.code) {
    case 'slack_webapi_rate_limited_error': {
      const sec = typeof x.retryAfter === 'number' && Number.isFinite(x.retryAfter) ? x.retryAfter : 1;
      return make('ratelimited', true, { retryAfterMs: Math.max(0, sec) * 1000 });
    }
    case 'slack_webapi_platform_error': {
      const error = typeof x.data?.error === 'string' ? x.data.error : 'unknown_error';
      // An operator can fix a token or scope and the next tick delivers: nothing is lost meanwhile.
      return make(error, TRANSIENT.has(error) || AUTH_ERRORS.has(error) || error === 'missing_scope');
    }
    case 'slack_webapi_http_error': {
      const status = typeof x.statusCode === 'number' ? x.statusCode : 0;
      return make(`http_${status}`, status >= 500 || status === 408 || status === 401 || status === 403 || status === 0, status >= 500 || status === 0 ? { unconfirmed: true } : {});
    }
    case 'slack_webapi_request_error': {
      const m = typeof x.original?.message === 'string' ? x.original.message : typeof x.message === 'string' ? x.message : 'request failed';
      return make(`network: ${m}`, true, { unconfirmed: true });
    }
  }
  if (typeof x.statusCode === 'number') {
    // Bolt's RespondError (response_url) carries the HTTP status.
    return make(`http_${x.statusCode}`, x.statusCode >= 500 || x.statusCode === 429);
  }
  return make(e instanceof Error ? e.message : String(e), true);
}

/** `invalid_auth (check SLACK_BOT_TOKEN: ...)`: the error with its hint, for logs and messages. */
export function describeFailure(f: SlackFailure): string {
  return f.hint ? `${f.error} (${f.hint})` : f.error;
}
