import { describe, expect, it } from 'vitest';
import { clampText, surrogateSafeCut } from '../../src/render/clamp.js';
import { clampMrkdwn } from '../../src/adapters/slack/mrkdwn.js';

describe('clampText (shared by the Slack and Discord adapters)', () => {
  it('leaves a text that fits alone', () => {
    expect(clampText('abc', 3)).toBe('abc');
    expect(clampText('', 0)).toBe('');
  });

  it('cuts to at most max units, ending with …', () => {
    expect(clampText('abcdef', 4)).toBe('abc…');
    expect(clampText('abcdef', 1)).toBe('…');
    expect(clampText('abcdef', 0)).toBe('');
  });

  it('never separates a surrogate pair', () => {
    expect(clampText('ab😀cd', 4)).toBe('ab…');
    expect(surrogateSafeCut('ab😀cd', 3)).toBe(2);
    expect(surrogateSafeCut('ab😀cd', 4)).toBe(4);
  });

  it('takes a platform cut rule: Slack never cuts an escape in two', () => {
    expect(clampText('a &amp; b', 5)).toBe('a &a…');
    expect(clampMrkdwn('a &amp; b', 5)).toBe('a …');
    expect(clampMrkdwn('a &amp; b', 8)).toBe('a &amp;…');
  });
});
