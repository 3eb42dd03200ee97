import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssues, formatPath, issueLines } from '../../src/domain/issues.js';

function errorOf(schema: z.ZodType, value: unknown): z.ZodError {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected a failure');
  return r.error;
}

describe('zod issues as text', () => {
  it('writes paths with dots for names and brackets for indexes and odd keys', () => {
    expect(formatPath('', ['baskets', 'l1-coins', 'symbols', 0])).toBe('baskets.l1-coins.symbols[0]');
    expect(formatPath('alert', ['a b'])).toBe('alert["a b"]');
    expect(formatPath('', [])).toBe('(top level)');
  });

  it('one line per issue, unknown keys by name', () => {
    const schema = z.strictObject({ market: z.strictObject({ source: z.string() }), n: z.number() });
    const lines = issueLines(errorOf(schema, { market: { source: 1, timout: 5 }, n: 'x', extra: 1 }).issues);
    expect(lines).toContain('market: unknown key "timout"');
    expect(lines).toContain('unknown key "extra"');
    expect(lines.some((l) => l.startsWith('market.source: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('n: '))).toBe(true);
    expect(issueLines(errorOf(z.number(), 'x').issues)[0]).toMatch(/^\(top level\): /);
  });

  it('summarises the first few on one line after a base name', () => {
    const error = errorOf(z.array(z.number()), ['a', 'b', 'c']);
    expect(formatIssues(error, 'points', 2)).toMatch(/^points\[0\]: .*; points\[1\]: .*; and 1 more problem$/);
    expect(formatIssues(error, 'points')).not.toMatch(/more problem/);
  });
});
