import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderSlackReply, SLACK_LIMITS } from '../../../src/adapters/slack/index.js';
import { splitMrkdwn, unescapeSlack } from '../../../src/adapters/slack/mrkdwn.js';
import { withStatus } from '../../../src/adapters/slack/status.js';
import type { Reply } from '../../../src/domain/reply.js';

type Block = { type: string; block_id?: string; text?: { type: string; text: string }; fields?: { text: string }[]; elements?: { type: string; text?: unknown; action_id?: string; value?: string }[] };

const isLoneSurrogate = (s: string) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

/** Every limit Slack enforces on a message, as a list of violations (empty = Slack accepts it). */
function violations(msg: { blocks: unknown[]; text: string }): string[] {
  const L = SLACK_LIMITS;
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(what);
  };
  const texts: string[] = [msg.text];
  check(msg.blocks.length >= 1 && msg.blocks.length <= L.blocksPerMessage, `blocks: ${msg.blocks.length}`);
  check(msg.text.length >= 1 && msg.text.length <= L.fallbackText, `text: ${msg.text.length}`);
  const ids = new Set<string>();
  const actionIds = new Set<string>();
  for (const b of msg.blocks as Block[]) {
    if (b.block_id !== undefined) {
      check(!ids.has(b.block_id) && b.block_id.length <= L.blockId, `block_id ${b.block_id}`);
      ids.add(b.block_id);
    }
    switch (b.type) {
      case 'header':
        check(b.text!.type === 'plain_text' && b.text!.text.trim().length > 0 && b.text!.text.length <= L.headerText, `header ${b.text!.text.length}`);
        texts.push(b.text!.text);
        break;
      case 'section':
        check(Boolean(b.text) !== Boolean(b.fields), 'section needs text or fields');
        if (b.text) {
          check(b.text.text.trim().length > 0 && b.text.text.length <= L.sectionText, `section text ${b.text.text.length}`);
          texts.push(b.text.text);
        }
        if (b.fields) {
          check(b.fields.length >= 1 && b.fields.length <= L.fieldsPerSection, `fields ${b.fields.length}`);
          for (const f of b.fields) check(f.text.trim().length > 0 && f.text.length <= L.fieldText, `field ${f.text.length}`);
          texts.push(...b.fields.map((f) => f.text));
        }
        break;
      case 'context':
        check(b.elements!.length >= 1 && b.elements!.length <= L.contextElements, `context elements ${b.elements!.length}`);
        for (const e of b.elements!) check(typeof e.text === 'string' && e.text.trim().length > 0 && e.text.length <= L.contextText, 'context text');
        texts.push(...b.elements!.map((e) => e.text as string));
        break;
      case 'actions':
        check(b.elements!.length >= 1 && b.elements!.length <= L.actionsElements, `actions ${b.elements!.length}`);
        for (const e of b.elements!) {
          const label = (e.text as { text: string }).text;
          check(label.trim().length > 0 && label.length <= L.buttonText, `button text ${label.length}`);
          check(Boolean(e.action_id) && e.action_id!.length <= L.actionId && !actionIds.has(e.action_id!), `action_id ${e.action_id}`);
          check((e.value ?? '').length <= L.buttonValue, 'button value');
          actionIds.add(e.action_id!);
          texts.push(label);
        }
        break;
      default:
        out.push(`unexpected block ${b.type}`);
    }
  }
  for (const t of texts) check(!isLoneSurrogate(t), 'a cut surrogate pair');
  return out;
}

const anyText = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: max }),
    fc.string({ unit: 'grapheme', maxLength: max }),
    fc.array(fc.constantFrom('a', ' ', '\n', '&', '<', '>', '```', '*', '**', '😀', 'ρ', '`', '|'), { maxLength: max }).map((xs) => xs.join('')),
    // Long runs of escapes and emoji: every cut point lands next to one.
    fc.array(fc.constantFrom('😀', '&', 'a'), { minLength: max / 2, maxLength: max }).map((xs) => xs.join('')),
  );

const fieldArb = fc.record({ name: anyText(80), value: fc.oneof(anyText(100), fc.nat(5000).map((n) => 'v'.repeat(n)), anyText(2100)), inline: fc.boolean() });

const replyArb: fc.Arbitrary<Reply> = fc.record(
  {
    title: anyText(400),
    text: fc.oneof(anyText(3500), fc.integer({ min: 0, max: 3000 }).map((n) => '```\n' + 'row of a long table &<>\n'.repeat(n) + '```\n' + 'tail '.repeat(n))),
    // A few varied fields, or hundreds (more sections than a message holds).
    fields: fc.oneof(
      fc.array(fieldArb, { maxLength: 30 }),
      fc.tuple(fc.nat(600), fc.boolean()).map(([n, inline]) => Array.from({ length: n }, (_, i) => ({ name: `f${i}`, value: '&😀'.repeat(i % 7), inline: inline || i % 3 > 0 }))),
    ),
    footer: anyText(4000),
    actions: fc.array(fc.record({ id: fc.oneof(fc.string({ minLength: 0, maxLength: 40 }), fc.nat(400).map((n) => 'x'.repeat(n))), label: anyText(120), adminOnly: fc.boolean(), style: fc.constantFrom('primary', 'danger', 'default', undefined) }), { maxLength: 40 }),
  },
  { requiredKeys: ['title'] },
) as fc.Arbitrary<Reply>;

describe('renderSlackReply', () => {
  it('a button whose label and id are blank still has text (found by the property below)', () => {
    expect(violations(renderSlackReply({ title: '', actions: [{ id: ' ', label: '', adminOnly: false, style: 'primary' }] }))).toEqual([]);
  });

  it('never exceeds a Slack limit, whatever the reply (property)', () => {
    fc.assert(
      fc.property(replyArb, (reply) => {
        expect(violations(renderSlackReply(reply))).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps all the content of a reply that fits (property)', () => {
    const small = fc.record({
      title: fc.string({ minLength: 1, maxLength: 100 }).filter((s) => s.trim().length > 0 && !/\s{2}|^\s|\s$/.test(s)),
      text: fc.string({ maxLength: 500 }).filter((s) => s.trim().length > 0 && !s.includes('*') && !s.includes('`')),
    });
    fc.assert(
      fc.property(small, ({ title, text }) => {
        const { blocks } = renderSlackReply({ title, text }) as { blocks: Block[] };
        expect(blocks[0].text!.text).toBe(title);
        expect(unescapeSlack(blocks.slice(1).map((b) => b.text!.text).join('\n'))).toBe(text.trimEnd());
      }),
    );
  });

  it('renders title, text, inline fields side by side, footer and buttons', () => {
    const { blocks, text } = renderSlackReply({
      title: 'BTC / ETH: ρ +0.812',
      text: 'Pearson **correlation** of 1h log returns & more <here>',
      fields: [
        { name: 'ρ', value: '+0.812', inline: true },
        { name: 'p-value', value: '1e-9', inline: true },
        { name: 'window', value: 'a → b', inline: false },
      ],
      footer: 'source: binance',
      actions: [
        { id: 'ack|majors:1:firing', label: 'Acknowledge', adminOnly: false, style: 'primary' },
        { id: 'snooze|majors|1h', label: 'Snooze 1h', adminOnly: true, style: 'default' },
      ],
    });
    expect(blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'BTC / ETH: ρ +0.812', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: 'Pearson *correlation* of 1h log returns &amp; more &lt;here&gt;' } },
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*ρ*\n+0.812' }, { type: 'mrkdwn', text: '*p-value*\n1e-9' }] },
      { type: 'section', text: { type: 'mrkdwn', text: '*window*\na → b' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'source: binance' }] },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Acknowledge', emoji: true }, action_id: 'ack|majors:1:firing', value: 'ack|majors:1:firing', style: 'primary' },
          { type: 'button', text: { type: 'plain_text', text: 'Snooze 1h', emoji: true }, action_id: 'snooze|majors|1h', value: 'snooze|majors|1h' },
        ],
      },
    ]);
    expect(text).toBe('BTC / ETH: ρ +0.812\nPearson **correlation** of 1h log returns &amp; more &lt;here&gt;');
  });

  it('splits a long table into sections, each with its code fence closed, and notes what did not fit', () => {
    const table = '```\n' + Array.from({ length: 8000 }, (_, i) => `row ${String(i).padStart(4)} | +0.123 | +0.456`).join('\n') + '\n```';
    const { blocks } = renderSlackReply({ title: 'matrix', text: table, footer: 'f' }) as { blocks: Block[] };
    expect(blocks).toHaveLength(SLACK_LIMITS.blocksPerMessage);
    const sections = blocks.filter((b) => b.type === 'section');
    for (const s of sections) {
      expect(s.text!.text.startsWith('```')).toBe(true);
      expect(s.text!.text.endsWith('```')).toBe(true);
    }
    const note = blocks[blocks.length - 2];
    expect(note.type).toBe('context');
    expect((note.elements![0].text as string)).toMatch(/more parts not shown/);
    expect(blocks[blocks.length - 1]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'f' }] });
  });

  it('keeps buttons when the body is cut, and leaves out ids Slack would reject', () => {
    const { blocks } = renderSlackReply({
      title: 't',
      fields: Array.from({ length: 600 }, (_, i) => ({ name: `f${i}`, value: 'v', inline: true })),
      actions: [
        { id: 'ok', label: 'OK', adminOnly: false },
        { id: 'ok', label: 'again', adminOnly: false },
        { id: 'x'.repeat(256), label: 'too long', adminOnly: false },
      ],
    }) as { blocks: Block[] };
    expect(blocks).toHaveLength(SLACK_LIMITS.blocksPerMessage);
    expect(blocks[blocks.length - 1].elements!.map((e) => e.action_id)).toEqual(['ok']);
  });
});

describe('splitMrkdwn', () => {
  it('never cuts an escape or a surrogate pair', () => {
    const text = ('&amp;😀'.repeat(700) + '\n').repeat(3);
    for (const chunk of splitMrkdwn(text, 3000)) {
      expect(chunk.length).toBeLessThanOrEqual(3000);
      expect(isLoneSurrogate(chunk)).toBe(false);
      expect(chunk.replace(/&amp;|😀|\n/g, '')).toBe('');
    }
  });
});

describe('withStatus (the alert message after a click)', () => {
  const alert = renderSlackReply({
    title: 'majors: correlations converging',
    text: 'why',
    actions: [
      { id: 'ack|majors:1:firing', label: 'Acknowledge', adminOnly: false },
      { id: 'snooze|majors|1h', label: 'Snooze 1h', adminOnly: true },
    ],
  }).blocks;

  it('adds the line above the buttons and removes the used button', () => {
    const out = withStatus(alert, '✅ Acknowledged by <@U1>', { removeActionId: 'ack|majors:1:firing', stamp: 's' }) as Block[];
    expect(out.map((b) => b.type)).toEqual(['header', 'section', 'context', 'actions']);
    expect(out[2].elements![0].text).toBe('✅ Acknowledged by <@U1>');
    expect(out[3].elements!.map((e) => e.action_id)).toEqual(['snooze|majors|1h']);
    expect(alert).toHaveLength(3); // the input is not changed
  });

  it('keeps at most five status lines and 50 blocks', () => {
    let blocks: unknown[] = renderSlackReply({ title: 't', text: 'x\n'.repeat(1), fields: Array.from({ length: 600 }, (_, i) => ({ name: `f${i}`, value: 'v', inline: true })), actions: [{ id: 'a', label: 'A', adminOnly: false }] }).blocks;
    for (let i = 0; i < 8; i++) blocks = withStatus(blocks, `line ${i}`, { stamp: String(i) });
    const lines = (blocks as Block[]).filter((b) => b.block_id?.startsWith('cw-status-')).map((b) => b.elements![0].text);
    expect(lines).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(violations({ blocks, text: 't' })).toEqual([]);
  });
});
