import { describe, expect, it } from 'vitest';
import type { MarketSource } from '../../src/domain/ports.js';
import { asOfText, evaluationBar } from '../../src/query/evaluation-bar.js';

const D = 86_400_000;
const H = 3_600_000;
const NOW = Date.UTC(2025, 3, 24, 12, 30);

/** A source whose data ends at `last` (undefined: the source does not know, like an exchange). */
function endingAt(last: number | undefined): MarketSource {
  return {
    id: 'test:past',
    venue: 'test',
    fetchCandles: async () => [],
    listSymbols: async () => [],
    resolveSymbol: async (s) => s,
    ...(last === undefined ? {} : { latestBarTime: async () => last }),
  };
}

const clock = { now: () => NOW };

describe('evaluationBar', () => {
  it('a source whose data ends in the past is evaluated at its last bar, and says so', async () => {
    const last = Date.UTC(1998, 7, 14);
    expect(await evaluationBar(endingAt(last), '1d', clock)).toEqual({ endBar: last, asOfNote: "as of 1998-08-14 (the source's last 1d bar)" });
    // --at past the data: still the last bar, still said
    expect((await evaluationBar(endingAt(last), '1d', clock, Date.UTC(2000, 0, 1))).endBar).toBe(last);
    // --at inside the data: the bar asked for, nothing to say
    expect(await evaluationBar(endingAt(last), '1d', clock, Date.UTC(1997, 9, 27, 15))).toEqual({ endBar: Date.UTC(1997, 9, 27) });
  });

  it('an up-to-date source or one that does not know: the latest bar closed by the clock, no note', async () => {
    const latestClosed = Date.UTC(2025, 3, 24, 11);
    expect(await evaluationBar(endingAt(latestClosed), '1h', clock)).toEqual({ endBar: latestClosed });
    expect(await evaluationBar(endingAt(undefined), '1h', clock)).toEqual({ endBar: latestClosed });
    expect(await evaluationBar(endingAt(undefined), '1d', clock)).toEqual({ endBar: Date.UTC(2025, 3, 23) });
  });

  it('as-of text: a date for daily bars at midnight, the time otherwise', () => {
    expect(asOfText(Date.UTC(1998, 7, 14), '1d')).toBe('1998-08-14');
    expect(asOfText(Date.UTC(1998, 7, 14), '1w')).toBe('1998-08-14');
    expect(asOfText(Date.UTC(1998, 7, 14, 22), '1d')).toBe('1998-08-14T22:00:00Z');
    expect(asOfText(Date.UTC(1998, 7, 14) + 5 * H, '1h')).toBe('1998-08-14T05:00:00Z');
    expect(asOfText(Date.UTC(1998, 7, 14) - 2 * D, '4h')).toBe('1998-08-12T00:00:00Z');
  });
});
