import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clampMarkdown } from '../../../src/adapters/discord/clamp.js';
import { clampText } from '../../../src/render/clamp.js';
import { DISCORD_LIMITS as L, renderDiscordReply } from '../../../src/adapters/discord/index.js';
import { attachmentName, disableButton, withField, type DiscordMessage } from '../../../src/adapters/discord/render.js';
import type { Reply } from '../../../src/domain/reply.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every limit Discord enforces on a message we send. */
function checkLimits(m: DiscordMessage): void {
  expect(m.content?.length ?? 0).toBeLessThanOrEqual(L.content);
  expect(m.embeds.length).toBeLessThanOrEqual(L.embedsPerMessage);
  for (const e of m.embeds) {
    const fields = e.fields ?? [];
    expect(e.title!.trim().length).toBeGreaterThan(0);
    expect(e.title!.length).toBeLessThanOrEqual(L.title);
    expect(e.description?.length ?? 0).toBeLessThanOrEqual(L.description);
    expect(e.footer?.text.length ?? 0).toBeLessThanOrEqual(L.footer);
    expect(fields.length).toBeLessThanOrEqual(L.fields);
    for (const f of fields) {
      expect(f.name.trim().length).toBeGreaterThan(0);
      expect(f.name.length).toBeLessThanOrEqual(L.fieldName);
      expect(f.value.trim().length).toBeGreaterThan(0);
      expect(f.value.length).toBeLessThanOrEqual(L.fieldValue);
    }
    const total = (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(L.embedTotal);
    for (const s of [e.title ?? '', e.description ?? '', e.footer?.text ?? '', ...fields.flatMap((f) => [f.name, f.value])]) expect(LONE_SURROGATE.test(s)).toBe(false);
  }
  const rows = m.components ?? [];
  expect(rows.length).toBeLessThanOrEqual(L.actionRows);
  for (const r of rows) {
    expect(r.components.length).toBeGreaterThan(0);
    expect(r.components.length).toBeLessThanOrEqual(L.buttonsPerRow);
    for (const b of r.components) {
      expect(b.label!.length).toBeGreaterThan(0);
      expect(b.label!.length).toBeLessThanOrEqual(L.buttonLabel);
      expect(b.custom_id.length).toBeLessThanOrEqual(L.customId);
    }
  }
  expect(m.files?.length ?? 0).toBeLessThanOrEqual(L.filesPerMessage);
  for (const f of m.files ?? []) {
    expect(f.name).toMatch(/^[A-Za-z0-9_.-]+\.png$/);
    expect(f.description?.length ?? 0).toBeLessThanOrEqual(L.attachmentDescription);
    expect(m.embeds[0].image?.url).toBe(`attachment://${f.name}`);
  }
}

const chart = (filename = 'corr-BTC-ETH.png') => ({ png: Buffer.from([0x89, 0x50, 0x4e, 0x47]), filename, alt: 'rolling correlation', width: 800, height: 400 });

describe('renderDiscordReply', () => {
  it('renders a reply as one embed, the chart as an attachment shown in it, and the actions as buttons', () => {
    const reply: Reply = {
      title: 'BTC / ETH: ρ +0.812',
      text: 'Pearson correlation of 1h log returns',
      fields: [
        { name: 'ρ', value: '+0.812 (strong)', inline: true },
        { name: 'window', value: 'a → b' },
      ],
      footer: 'source: simulator',
      severity: 'warning',
      chart: chart('corr BTC/ETH.png'),
      actions: [
        { id: 'ack|x', label: 'Acknowledge', adminOnly: false, style: 'primary' },
        { id: 'snooze|majors|1h', label: 'Snooze 1h', adminOnly: true },
      ],
    };
    const m = renderDiscordReply(reply);
    expect(m.embeds).toEqual([
      {
        title: '🟠 Warning · BTC / ETH: ρ +0.812',
        description: 'Pearson correlation of 1h log returns',
        color: 0xf59e0b,
        fields: [
          { name: 'ρ', value: '+0.812 (strong)', inline: true },
          { name: 'window', value: 'a → b', inline: false },
        ],
        footer: { text: 'source: simulator' },
        image: { url: 'attachment://corr-BTC-ETH.png' },
      },
    ]);
    expect(m.files).toEqual([{ attachment: reply.chart!.png, name: 'corr-BTC-ETH.png', description: 'rolling correlation' }]);
    expect(m.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, custom_id: 'ack|x', label: 'Acknowledge', style: 1 },
          { type: 2, custom_id: 'snooze|majors|1h', label: 'Snooze 1h', style: 2 },
        ],
      },
    ]);
    expect(m.content).toBeUndefined();
  });

  it('keeps at most 25 fields; the last one says how many were left out', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, value: 'v' }));
    const e = renderDiscordReply({ title: 't', fields }).embeds[0];
    expect(e.fields).toHaveLength(25);
    expect(e.fields![23].name).toBe('f23');
    expect(e.fields![24]).toEqual({ name: '…', value: '6 more fields not shown', inline: false });
  });

  it('closes a code block cut by the description limit', () => {
    const table = '```\n' + Array.from({ length: 400 }, (_, i) => `row ${i} | value ${i}`).join('\n') + '\n```\nafter';
    const d = renderDiscordReply({ title: 't', text: table }).embeds[0].description!;
    expect(d.length).toBeLessThanOrEqual(L.description);
    expect(d.endsWith('…\n```')).toBe(true);
    expect(d.split('```').length - 1).toBe(2);
  });

  it('fits the 6000-character total by shortening the footer, then dropping fields from the end', () => {
    const fields = Array.from({ length: 10 }, (_, i) => ({ name: `field ${i}`, value: 'x'.repeat(1000) }));
    const e = renderDiscordReply({ title: 'T', text: 'd'.repeat(1000), fields, footer: 'f'.repeat(2000) }).embeds[0];
    expect(e.footer!.text.length).toBeLessThanOrEqual(256);
    expect(e.description).toBe('d'.repeat(1000));
    expect(e.fields!.at(-1)!.name).toBe('…');
    expect(e.fields!.slice(0, -1).map((f) => f.name)).toEqual(fields.slice(0, e.fields!.length - 1).map((f) => f.name));
    checkLimits({ embeds: [e] });
  });

  it('never cuts a surrogate pair, and leaves short texts alone', () => {
    expect(clampText('ab😀cd', 4)).toBe('ab…');
    expect(clampText('abc', 3)).toBe('abc');
    expect(clampMarkdown('```\nab\n```', 20)).toBe('```\nab\n```');
  });

  it('names attachments the way attachment:// needs', () => {
    expect(attachmentName('corr BTC/ETH.png')).toBe('corr-BTC-ETH.png');
    expect(attachmentName('régime')).toBe('r-gime.png');
    expect(attachmentName('..')).toBe('chart.png');
  });

  it('withField replaces a field of the same name; disableButton disables one button', () => {
    const e = withField({ title: 't', fields: [{ name: 'a', value: '1' }, { name: 'Acknowledged', value: 'old' }] }, { name: 'Acknowledged', value: 'new' });
    expect(e.fields).toEqual([{ name: 'a', value: '1' }, { name: 'Acknowledged', value: 'new' }]);
    const full = withField({ title: 't', fields: Array.from({ length: 25 }, (_, i) => ({ name: `f${i}`, value: 'v'.repeat(230) })) }, { name: 'Acknowledged', value: 'by me' });
    expect(full.fields!.some((f) => f.name === 'Acknowledged')).toBe(true);
    checkLimits({ embeds: [full] });
    const rows = renderDiscordReply({ title: 't', actions: [{ id: 'ack|1', label: 'Acknowledge', adminOnly: false }, { id: 'snooze|b|1h', label: 'Snooze 1h', adminOnly: true }] }).components!;
    const out = disableButton(rows, 'ack|1', 'Acknowledged');
    expect(out[0].components).toEqual([
      { type: 2, custom_id: 'ack|1', label: 'Acknowledged', style: 2, disabled: true },
      { type: 2, custom_id: 'snooze|b|1h', label: 'Snooze 1h', style: 2 },
    ]);
  });
});

describe('renderDiscordReply (property)', () => {
  // size 'max': lengths spread up to the maximum, so replies over Discord's limits are common, not rare.
  const text = (max: number) =>
    fc.oneof(
      fc.string({ maxLength: max, size: 'max' }),
      fc.string({ unit: 'binary', maxLength: Math.min(max, 1500), size: 'max' }),
      fc.string({ maxLength: 30 }),
      fc.constantFrom('', ' ', '```', '```\na\n', '😀'.repeat(2100), 'x'.repeat(max)),
    );
  const reply: fc.Arbitrary<Reply> = fc.record(
    {
      title: text(400),
      text: fc.option(text(9000), { nil: undefined }),
      fields: fc.option(fc.array(fc.record({ name: text(400), value: text(2000), inline: fc.option(fc.boolean(), { nil: undefined }) }), { maxLength: 40, size: 'max' }), { nil: undefined }),
      footer: fc.option(text(3000), { nil: undefined }),
      severity: fc.option(fc.constantFrom('info', 'success', 'warning', 'critical', 'error' as const), { nil: undefined }),
      chart: fc.option(fc.record({ png: fc.constant(Buffer.from([1, 2, 3])), filename: fc.string({ maxLength: 120 }), alt: text(1500), width: fc.constant(800), height: fc.constant(400) }), { nil: undefined }),
      actions: fc.option(
        fc.array(fc.record({ id: fc.string({ maxLength: 120 }), label: text(120), adminOnly: fc.boolean(), style: fc.option(fc.constantFrom('primary', 'danger', 'default' as const), { nil: undefined }) }), { maxLength: 30, size: 'max' }),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['title'] },
  );

  it('never exceeds a Discord limit, whatever the reply holds', () => {
    fc.assert(fc.property(reply, (r) => checkLimits(renderDiscordReply(r))), { numRuns: 150, endOnFailure: true });
  });

  it('leaves a reply that is within the limits as it is', () => {
    const small = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0);
    const fitting = fc.record({ title: small, text: fc.string({ maxLength: 2000 }), fields: fc.array(fc.record({ name: small, value: small }), { maxLength: 25 }), footer: small });
    fc.assert(
      fc.property(fitting, (r) => {
        const e = renderDiscordReply(r).embeds[0];
        expect(e.title).toBe(r.title);
        expect(e.description ?? '').toBe(r.text);
        expect((e.fields ?? []).map((f) => [f.name, f.value])).toEqual(r.fields.map((f) => [f.name, f.value]));
        expect(e.footer?.text).toBe(r.footer);
      }),
      { numRuns: 200 },
    );
  });
});
