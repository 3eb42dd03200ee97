import { describe, expect, it } from 'vitest';
import { renderDiscordReply } from '../../src/adapters/discord/index.js';
import { renderSlackReply } from '../../src/adapters/slack/render.js';
import type { Reply } from '../../src/domain/reply.js';

// "Screenshot-like" dumps for a reviewer: the Block Kit and the Discord embed JSON of three typical messages, written
// to test/adapters/__dumps__/ (committed; `vitest -u` regenerates them). The chart is the uploaded file F0CHART01 on
// Slack and `attachment://NAME` on Discord; the PNG bytes are left out of the dump.
const chart = (filename: string, alt: string) => ({ png: Buffer.from('png'), filename, alt, width: 800, height: 400 });

const samples: Record<string, Reply> = {
  corr: {
    title: 'BTC / ETH: ρ +0.812',
    text: 'Pearson correlation of 168 × 1h log returns, 2024-01-14T20:00Z → 2024-01-21T20:00Z',
    fields: [
      { name: 'ρ', value: '+0.812 (strong)', inline: true },
      { name: '95% CI', value: '+0.75 … +0.86', inline: true },
      { name: 'p-value', value: '< 1e-9', inline: true },
      { name: 'change vs previous window', value: '+0.21', inline: true },
    ],
    footer: 'source: ccxt:binance · calendar: continuous',
    severity: 'info',
    chart: chart('corr-BTC-ETH.png', 'BTC / ETH rolling correlation, 168 × 1h'),
  },
  regime: {
    title: 'majors: converging',
    text: 'Average ρ 0.71 against a baseline of 0.48: correlations are converging.',
    fields: [
      { name: 'avg ρ', value: '+0.71 (baseline +0.48)', inline: true },
      { name: 'P(stressed within 24h)', value: '31%', inline: true },
      { name: 'since', value: '2024-01-21T15:00Z', inline: true },
    ],
    footer: 'BTC ETH SOL BNB · window 7d · baseline 90d',
    severity: 'warning',
    chart: chart('regime-majors.png', 'majors: average correlation and regime'),
  },
  alert: {
    title: 'majors: correlation stressed',
    text: 'Average ρ rose to 0.88 (baseline 0.48): diversification across BTC ETH SOL BNB is failing.',
    fields: [
      { name: 'avg ρ', value: '+0.88 (baseline +0.48)', inline: true },
      { name: 'pairs that moved most', value: 'SOL / BNB +0.52\nETH / SOL +0.41\nBTC / SOL +0.37' },
    ],
    footer: 'alert majors:1705849200000:firing',
    severity: 'critical',
    chart: chart('alert-majors.png', 'majors: average correlation, regime bands, onset'),
    actions: [
      { id: 'ack|majors:1705849200000:firing', label: 'Acknowledge', adminOnly: false, style: 'primary' },
      { id: 'snooze|majors|1h', label: 'Snooze 1h', adminOnly: true },
      { id: 'snooze|majors|4h', label: 'Snooze 4h', adminOnly: true },
      { id: 'snooze|majors|24h', label: 'Snooze 24h', adminOnly: true },
    ],
  },
};

describe('payload dumps (read them in test/adapters/__dumps__/)', () => {
  for (const [name, reply] of Object.entries(samples)) {
    it(`${name}: Slack Block Kit with the chart inside, and the Discord embed`, async () => {
      const slack = renderSlackReply(reply, { chartFileId: 'F0CHART01' });
      expect(slack.blocks.some((b) => b.type === 'image')).toBe(true);
      await expect(JSON.stringify(slack, null, 2) + '\n').toMatchFileSnapshot(`__dumps__/${name}.slack.json`);
      const discord = renderDiscordReply(reply);
      const dump = { ...discord, files: discord.files?.map((f) => ({ name: f.name, description: f.description, bytes: f.attachment.length })) };
      expect(discord.embeds[0].image?.url).toBe(`attachment://${discord.files![0].name}`);
      await expect(JSON.stringify(dump, null, 2) + '\n').toMatchFileSnapshot(`__dumps__/${name}.discord.json`);
    });
  }
});
