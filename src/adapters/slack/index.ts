/**
 * The Slack adapter (the only code that imports @slack/*): /corr slash command, alert buttons, alerts as a
 * Notifier, /healthz and /metrics on its HTTP server, the app manifest, and the pure Block Kit renderer.
 */
export { startSlackAdapter, type SlackAdapter, type SlackAdapterOptions } from './adapter.js';
export { slackManifest, BOT_SCOPES, SLASH_COMMAND, EVENTS_PATH } from './manifest.js';
export { renderSlackReply, SLACK_LIMITS } from './render.js';
export type { SlackBlock, SlackMessage } from './blocks.js';
export { SlackEnvError } from './env.js';
