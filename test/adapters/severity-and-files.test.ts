import { describe, expect, it } from 'vitest';
import { renderDiscordReply } from '../../src/adapters/discord/index.js';
import { CHART_BLOCK_ID, renderSlackReply } from '../../src/adapters/slack/render.js';
import { attachmentTooLarge, MAX_ATTACHMENT_BYTES as MAX_EXPORT_BYTES } from '../../src/domain/attachment.js';
import type { Reply, Severity } from '../../src/domain/reply.js';
import { SEVERITY_STYLE } from '../../src/domain/severity.js';

const chart = { png: Buffer.from([0x89, 0x50, 0x4e, 0x47]), filename: 'regime-majors.png', alt: 'majors: average correlation and regime', width: 800, height: 400 };
const csv = (bytes: number) => ({ filename: 'matrix-majors.csv', content: Buffer.alloc(bytes, 'a'), mime: 'text/csv' as const, title: 'majors correlation matrix' });

describe('severity at a glance, the same marker on Slack and Discord', () => {
  const expected: Record<Severity, string> = {
    critical: '🔴 Critical · majors: stressed',
    warning: '🟠 Warning · majors: stressed',
    success: '🟢 OK · majors: stressed',
    info: 'ℹ️ majors: stressed',
    error: '⚠️ Error · majors: stressed',
  };
  for (const severity of Object.keys(expected) as Severity[]) {
    it(`${severity}: a leading marker that reads without colour, and a colour`, () => {
      const reply: Reply = { title: 'majors: stressed', severity };
      const slack = renderSlackReply(reply);
      expect(slack.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: expected[severity], emoji: true } });
      expect(slack.text.startsWith(expected[severity])).toBe(true); // the notification reads the same
      const embed = renderDiscordReply(reply).embeds[0];
      expect(embed.title).toBe(expected[severity]);
      expect(embed.color).toBe(SEVERITY_STYLE[severity].color);
    });
  }

  it('markers differ by more than colour: 🔴 and 🟠 carry a word each, and every marker is distinct', () => {
    const markers = Object.values(SEVERITY_STYLE).map((s) => s.marker);
    expect(new Set(markers).size).toBe(markers.length);
    const words = markers.map((m) => m.replace(/^\S+\s*/, ''));
    expect(new Set(words).size).toBe(words.length);
  });

  it("the marker takes the place of the emoji an alert's title starts with: one symbol, never two", async () => {
    const { alertReply } = await import('../../src/alerts/alert-reply.js');
    const payload = { basket: 'majors', symbols: ['BTC', 'ETH'], timeframe: '1h', regime: 'stressed', avgCorrelation: 0.9, z: 5 };
    const titles = (['firing', 'escalated', 'resolved', 'stale', 'recovered'] as const).map((kind) => {
      const reply = alertReply({ id: `majors:1:${kind}`, basket: 'majors', episode: 1, kind, at: Date.UTC(2024, 0, 1), createdAt: 0, payload, deliveries: {} });
      expect(renderSlackReply(reply).blocks[0]).toMatchObject({ type: 'header', text: { text: renderDiscordReply(reply).embeds[0].title } });
      return renderDiscordReply(reply).embeds[0].title;
    });
    expect(titles).toEqual(['🔴 Critical · majors: correlation stress', '🔴 Critical · majors: escalated to stress', '🟢 OK · majors: resolved', '🟠 Warning · majors: market data is missing', 'ℹ️ majors: market data is back']);
    // a title that starts with a word keeps it
    expect(renderDiscordReply({ title: 'BTC / ETH: ρ +0.812', severity: 'warning' }).embeds[0].title).toBe('🟠 Warning · BTC / ETH: ρ +0.812');
  });

  it('leaves a reply without severity unmarked', () => {
    expect(renderSlackReply({ title: 'plain' }).blocks[0]).toMatchObject({ text: { text: 'plain' } });
    expect(renderDiscordReply({ title: 'plain' }).embeds[0].title).toBe('plain');
  });
});

describe('the chart inside the message', () => {
  it('Slack: an image block referencing the uploaded file id, after the body and before footer and buttons', () => {
    const reply: Reply = { title: 'majors: stressed', text: 'avg ρ 0.81', footer: 'source: sim', chart, actions: [{ id: 'ack|1', label: 'Acknowledge', adminOnly: false }] };
    const { blocks } = renderSlackReply(reply, { chartFileId: 'F0CHART1' });
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'image', 'context', 'actions']);
    expect(blocks[2]).toEqual({
      type: 'image',
      block_id: CHART_BLOCK_ID,
      slack_file: { id: 'F0CHART1' },
      alt_text: chart.alt,
      title: { type: 'plain_text', text: chart.alt, emoji: true },
    });
    // Without an uploaded file there is no image block (never a dangling reference).
    expect(renderSlackReply(reply).blocks.some((b) => b.type === 'image')).toBe(false);
  });

  it('Discord: the embed image is attachment://NAME of a file in the same message', () => {
    const m = renderDiscordReply({ title: 't', chart });
    expect(m.embeds[0].image).toEqual({ url: 'attachment://regime-majors.png' });
    expect(m.files?.map((f) => f.name)).toEqual(['regime-majors.png']);
  });
});

describe('exports (reply.attachment)', () => {
  it('Discord: the CSV is a file of the same message, next to the chart', () => {
    const m = renderDiscordReply({ title: 'matrix majors', chart, attachment: csv(100) });
    expect(m.files?.map((f) => [f.name, f.attachment.length, f.description])).toEqual([
      ['regime-majors.png', 4, chart.alt],
      ['matrix-majors.csv', 100, 'majors correlation matrix'],
    ]);
    expect(m.embeds[0].fields).toBeUndefined();
  });

  it('Discord: a CSV over the corrwatch limit is not attached, and a field says why', () => {
    const m = renderDiscordReply({ title: 'matrix majors', attachment: csv(MAX_EXPORT_BYTES + 1) });
    expect(m.files).toBeUndefined();
    expect(m.embeds[0].fields).toEqual([{ name: 'Export not attached', value: expect.stringMatching(/matrix-majors\.csv is 513 kB, more than a chat export takes \(512 kB\).*--csv FILE/), inline: false }]);
  });

  it('the limit is inclusive', () => {
    expect(attachmentTooLarge('x.csv', MAX_EXPORT_BYTES)).toBeUndefined();
    expect(attachmentTooLarge('x.csv', MAX_EXPORT_BYTES + 1)).toMatch(/x\.csv/);
  });
});
