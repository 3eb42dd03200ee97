import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { slackManifest } from '../../../src/adapters/slack/index.js';
import { commands } from '../../../commands/index.js';
import { offeredOn } from '../../../commands/usage.js';

interface Manifest {
  display_information: { name: string };
  features: { bot_user: { display_name: string }; slash_commands: { command: string; url?: string; description: string; usage_hint: string; should_escape: boolean }[] };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: { event_subscriptions: { request_url?: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url?: string }; socket_mode_enabled: boolean };
}

describe('slackManifest', () => {
  const m = parse(slackManifest('https://corrwatch.example.com/')) as Manifest;

  it('declares /corr with a usage hint generated from the command specs', () => {
    expect(m.features.slash_commands).toHaveLength(1);
    const [cmd] = m.features.slash_commands;
    expect(cmd.command).toBe('/corr');
    expect(cmd.url).toBe('https://corrwatch.example.com/slack/events');
    expect(cmd.should_escape).toBe(true);
    expect(cmd.usage_hint.startsWith('A B [WINDOW]')).toBe(true);
    for (const c of commands.filter((x) => offeredOn(x, 'chat') && x.name !== 'corr')) expect(cmd.usage_hint).toContain(c.name);
    for (const c of commands.filter((x) => !offeredOn(x, 'chat'))) expect(cmd.usage_hint).not.toMatch(new RegExp(`\\b${c.name}\\b`));
    expect(cmd.usage_hint).toContain('alerts subscribe|unsubscribe|snooze');
  });

  it('asks for exactly the bot scopes the adapter uses, and no user scopes', () => {
    expect([...m.oauth_config.scopes.bot].sort()).toEqual(['channels:history', 'chat:write', 'commands', 'files:write', 'groups:history', 'im:write']);
    expect(m.oauth_config.scopes.user).toBeUndefined();
  });

  it('points interactivity and events at the same endpoint under the base URL', () => {
    expect(m.settings.interactivity).toEqual({ is_enabled: true, request_url: 'https://corrwatch.example.com/slack/events' });
    expect(m.settings.event_subscriptions.request_url).toBe('https://corrwatch.example.com/slack/events');
    expect(m.settings.event_subscriptions.bot_events).toEqual(['app_uninstalled', 'tokens_revoked']);
    expect(m.settings.socket_mode_enabled).toBe(false);
    const prefixed = parse(slackManifest('https://example.com/corrwatch/')) as Manifest;
    expect(prefixed.settings.interactivity.request_url).toBe('https://example.com/corrwatch/slack/events');
  });

  it('needs no URL in Socket Mode', () => {
    const s = parse(slackManifest('', { socketMode: true })) as Manifest;
    expect(s.settings.socket_mode_enabled).toBe(true);
    expect(s.features.slash_commands[0].url).toBeUndefined();
    expect(s.settings.interactivity.request_url).toBeUndefined();
  });

  it('refuses a base URL Slack would not call', () => {
    expect(() => slackManifest('corrwatch.example.com')).toThrow(/base URL/);
    expect(() => slackManifest('http://corrwatch.example.com')).toThrow(/https/);
  });
});
