/** Shortest signing secret taken (Slack's are 32 characters; log redaction needs at least 6). */
export const MIN_SIGNING_SECRET = 16;

/** Slack settings from the environment. Secrets come only from here; error messages name the variable, never its value. */
export interface SlackEnv {
  botToken: string;
  /** Required in HTTP mode (verifies that requests come from Slack); unused in Socket Mode. */
  signingSecret?: string;
  /** Set: Socket Mode (no public URL needed). */
  appToken?: string;
  /** Web API base URL ending in `/`, e.g. `https://slack.com/api/`; undefined: Slack's own. */
  apiUrl?: string;
  port: number;
}

export class SlackEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlackEnvError';
  }
}

/**
 * `SLACK_API_URL` as the WebClient wants it: `https://slack-gov.com`, `https://slack-gov.com/api` and
 * `https://slack-gov.com/api/` all mean `https://slack-gov.com/api/`; any other path (a proxy prefix) is kept.
 */
export function normalizeApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SlackEnvError(`SLACK_API_URL must be a URL like https://slack.com/api/, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SlackEnvError(`SLACK_API_URL must be an http(s) URL, got ${url.protocol}`);
  let path = url.pathname.replace(/\/+$/, '');
  if (path === '') path = '/api';
  return `${url.origin}${path}/`;
}

function present(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** Read and check the Slack variables. Throws SlackEnvError naming the variable to set or fix. */
export function readSlackEnv(env: Record<string, string | undefined>): SlackEnv {
  const botToken = present(env.SLACK_BOT_TOKEN);
  if (!botToken) throw new SlackEnvError('SLACK_BOT_TOKEN is not set: use the Bot User OAuth Token (xoxb-...) from your Slack app\'s "OAuth & Permissions" page');
  if (botToken.startsWith('xapp-')) {
    throw new SlackEnvError('SLACK_BOT_TOKEN holds an app-level token (xapp-...): set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-...) and SLACK_APP_TOKEN to the xapp- token');
  }
  const appToken = present(env.SLACK_APP_TOKEN);
  if (appToken && !appToken.startsWith('xapp-')) {
    throw new SlackEnvError('SLACK_APP_TOKEN must be an app-level token (xapp-...) with the connections:write scope ("Basic Information" > "App-Level Tokens"); unset it to use HTTP mode');
  }
  const signingSecret = present(env.SLACK_SIGNING_SECRET);
  if (!appToken && !signingSecret) {
    throw new SlackEnvError('SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your Slack app\'s "Basic Information" page (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  // Slack's signing secrets are 32 hex characters. A much shorter value is a wrong copy, weak, and too short to be
  // redacted from logs safely (issue 11 §8): refuse it rather than run with it.
  if (signingSecret && signingSecret.length < MIN_SIGNING_SECRET) {
    throw new SlackEnvError(
      `SLACK_SIGNING_SECRET is ${signingSecret.length} characters long; Slack's signing secrets are 32: copy it again from your Slack app's "Basic Information" page`,
    );
  }
  const apiUrl = present(env.SLACK_API_URL);
  const portText = present(env.PORT) ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new SlackEnvError(`PORT must be a port number from 0 to 65535, got "${portText}"`);
  return { botToken, signingSecret, appToken, apiUrl: apiUrl ? normalizeApiUrl(apiUrl) : undefined, port };
}
