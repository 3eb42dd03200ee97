import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userError } from '../helpers/user-error.js';
import { createCsvSource, resampleCandles } from '../../src/market/csv-source.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const HOUR = 3_600_000;
const DAY = 86_400_000;
const ALL: [number, number] = [0, Date.UTC(2100, 0, 1)];

let dir: string;
let n = 0;
/** Write `text` to a fresh `prices.csv` (its own directory, so every file is new). */
async function csv(text: string, name = 'prices.csv'): Promise<string> {
  const sub = join(dir, String(n++));
  await mkdir(sub);
  const path = join(sub, name);
  await writeFile(path, text);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corrwatch-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CSV source: formats', () => {
  it('reads the long and wide example files to the same candles', async () => {
    const long = createCsvSource(join(FIXTURES, 'example_long.csv'));
    const wide = createCsvSource(join(FIXTURES, 'example_wide.csv'));
    expect(long.id).toBe(`csv:${join(FIXTURES, 'example_long.csv')}`);
    expect(long.venue).toBe('example_long.csv');
    expect(await long.listSymbols()).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    expect(await wide.listSymbols()).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    expect(await long.nativeTimeframe!()).toBe('1d');
    expect(await wide.nativeTimeframe!()).toBe('1d');
    expect(await long.latestBarTime!('1d')).toBe(Date.UTC(2023, 9, 29));
    for (const s of ['AAA', 'DDD']) {
      const a = await long.fetchCandles(s, '1d', ...ALL);
      const b = await wide.fetchCandles(s, '1d', ...ALL);
      expect(a).toHaveLength(301);
      expect(a).toEqual(b);
    }
    const first = await wide.fetchCandles('aaa', '1d', Date.UTC(2023, 0, 3), Date.UTC(2023, 0, 4));
    expect(first).toEqual([{ t: Date.UTC(2023, 0, 3), c: 100.00246 }]);
  });

  it('accepts OHLCV columns in any order with case-insensitive headers', async () => {
    const path = await csv(
      [
        'Close,Symbol,Volume,TIMESTAMP,open,High,low',
        '101,BTC,5,2024-01-01T01:00:00Z,100,102,99',
        '100,BTC,7,2024-01-01T00:00:00Z,99,100.5,98.5',
        '11,ETH,,2024-01-01T00:00:00Z,,,',
      ].join('\n'),
    );
    const src = createCsvSource(path);
    expect(await src.fetchCandles('BTC', '1h', ...ALL)).toEqual([
      { t: Date.UTC(2024, 0, 1, 0), c: 100, o: 99, h: 100.5, l: 98.5, v: 7 },
      { t: Date.UTC(2024, 0, 1, 1), c: 101, o: 100, h: 102, l: 99, v: 5 },
    ]);
    expect(await src.fetchCandles('ETH', '1h', ...ALL)).toEqual([{ t: Date.UTC(2024, 0, 1), c: 11 }]);
    expect(await src.nativeTimeframe!()).toBe('1h');
  });

  it('reads epoch milliseconds and epoch seconds (unambiguous by magnitude) to the same times', async () => {
    const t0 = Date.UTC(2024, 0, 1);
    const ms = await csv(`timestamp,BTC\n${t0},1\n${t0 + HOUR},2\n${t0 + 2 * HOUR},3\n`);
    const s = await csv(`timestamp,BTC\n${t0 / 1000},1\n${(t0 + HOUR) / 1000},2\n${(t0 + 2 * HOUR) / 1000},3\n`);
    const a = await createCsvSource(ms).fetchCandles('BTC', '1h', ...ALL);
    expect(a.map((k) => k.t)).toEqual([t0, t0 + HOUR, t0 + 2 * HOUR]);
    expect(await createCsvSource(s).fetchCandles('BTC', '1h', ...ALL)).toEqual(a);
  });

  it('sorts unsorted rows', async () => {
    const path = await csv('timestamp,symbol,close\n2024-01-03,A,3\n2024-01-01,A,1\n2024-01-02,A,2\n');
    const c = await createCsvSource(path).fetchCandles('A', '1d', ...ALL);
    expect(c.map((k) => k.c)).toEqual([1, 2, 3]);
  });

  it('treats an empty wide cell as a missing bar of that symbol only', async () => {
    const path = await csv('timestamp,AAA,BBB\n2024-01-01,1,10\n2024-01-02,,11\n2024-01-03,3,\n2024-01-04,4,13\n');
    const src = createCsvSource(path);
    expect((await src.fetchCandles('AAA', '1d', ...ALL)).map((k) => k.t)).toEqual([1, 3, 4].map((d) => Date.UTC(2024, 0, d)));
    expect((await src.fetchCandles('BBB', '1d', ...ALL)).map((k) => k.c)).toEqual([10, 11, 13]);
    expect(await src.nativeTimeframe!()).toBe('1d');
  });

  it("treats the words tools write for a missing number (R's NA, NaN, null, None, N/A, #N/A) as an empty cell, in any case, quoted or not", async () => {
    const path = await csv(
      'timestamp,AAA,BBB,CCC\n2024-01-01,1,10,100\n2024-01-02,NA,11,nan\n2024-01-03,3,null,"N/A"\n2024-01-04, None ,13,#N/A\n2024-01-05,5,NaN,105\n2024-01-06,6,16,106\n2024-01-07,7,17,107\n2024-01-08,8,18,108\n2024-01-09,9,19,109\n',
    );
    const src = createCsvSource(path);
    const days = async (sym: string) => (await src.fetchCandles(sym, '1d', ...ALL)).map((k) => new Date(k.t).getUTCDate());
    expect(await days('AAA')).toEqual([1, 3, 5, 6, 7, 8, 9]);
    expect(await days('BBB')).toEqual([1, 2, 4, 6, 7, 8, 9]);
    expect(await days('CCC')).toEqual([1, 5, 6, 7, 8, 9]);
    // a word that is not one of them is still refused
    const bad = createCsvSource(await csv('timestamp,AAA,BBB\n2024-01-01,1,10\n2024-01-02,nul,11\n'));
    await expect(bad.fetchCandles('AAA', '1d', ...ALL)).rejects.toThrow('line 3: AAA "nul" is not a number');
  });

  it('returns only bars with open time in [since, until)', async () => {
    const src = createCsvSource(join(FIXTURES, 'example_wide.csv'));
    const c = await src.fetchCandles('BBB', '1d', Date.UTC(2023, 0, 10), Date.UTC(2023, 0, 13));
    expect(c.map((k) => k.t)).toEqual([10, 11, 12].map((d) => Date.UTC(2023, 0, d)));
  });

  it('re-reads the file when it changes', async () => {
    const path = await csv('timestamp,A\n2024-01-01,1\n2024-01-02,2\n');
    const src = createCsvSource(path);
    expect(await src.fetchCandles('A', '1d', ...ALL)).toHaveLength(2);
    await writeFile(path, 'timestamp,A\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n');
    expect(await src.fetchCandles('A', '1d', ...ALL)).toHaveLength(3);
  });
});

describe('CSV source: errors name the file, the line and what is wrong', () => {
  const cases: [string, string, string][] = [
    ['column count', 'timestamp,symbol,close\n2024-01-01,A,1\n2024-01-02,A\n', 'prices.csv line 3: expected 3 columns, found 2'],
    ['bad timestamp', 'timestamp,A\n2024-01-01,1\nyesterday,2\n', 'prices.csv line 3: timestamp "yesterday" is neither ISO-8601'],
    ['impossible date', 'timestamp,A\n2024-02-30,1\n', 'prices.csv line 2: timestamp "2024-02-30" is not a valid date'],
    ['duplicate timestamp', 'timestamp,symbol,close\n2024-01-01,A,1\n2024-01-02,A,2\n2024-01-01,A,3\n', 'prices.csv line 4: duplicate timestamp 2024-01-01T00:00:00Z for A (also on line 2)'],
    ['mixed epoch units', 'timestamp,A\n1704067200,1\n1704070800000,2\n', 'prices.csv line 3: timestamp 1704070800000 is epoch milliseconds but line 2 is epoch seconds'],
    ['microseconds', 'timestamp,A\n1704067200000000,1\n', 'prices.csv line 2: timestamp 1704067200000000 is too large'],
    ['unknown long column', 'timestamp,symbol,close,exchange\n', 'prices.csv line 1: unknown column "exchange"'],
    ['one symbol with no close', 'Date,Open,High,Volume\n2024-01-01,1,1,5\n', 'prices.csv line 1: has Open but no close: a file of one symbol needs a close (or adj close) column'],
    ['two columns that are one symbol', 'timestamp,BTC-USD,BTCUSD\n2024-01-01,1,1\n', 'prices.csv line 1: columns "BTC-USD" and "BTCUSD" are both the symbol BTCUSD; rename one'],
    ['semicolons', 'timestamp;symbol;close\n', 'prices.csv line 1: columns must be separated by commas, not ";"'],
    ['no timestamp column', 'when,A\n2024-01-01,1\n', 'prices.csv line 1: no timestamp column'],
    ['empty file', '\n\n', 'prices.csv: the file is empty'],
    ['header only', 'timestamp,A,B\n', 'prices.csv: no data rows under the header'],
    ['off-grid bar', 'timestamp,A\n2024-01-01T00:00Z,1\n2024-01-01T01:00Z,2\n2024-01-01T02:00Z,3\n2024-01-01T02:30Z,4\n', 'prices.csv line 5: A bar at 2024-01-01T02:30:00Z comes 30m after the previous one (line 4), not a whole number of 1h bars'],
    ['single timestamp', 'timestamp,A,B\n2024-01-01,1,2\n', 'prices.csv: cannot infer the bar interval'],
  ];
  for (const [what, text, message] of cases) {
    it(what, async () => {
      const e = await userError(createCsvSource(await csv(text)).listSymbols());
      expect(e.code).toBe('bad_csv');
      expect(e.message.startsWith(message)).toBe(true);
      expect(e.message).not.toContain('\n');
    });
  }

  // Prices are parsed when their symbol is used (src/market/csv-index.ts): the file loads, other symbols work.
  const priceCases: [string, string, string, string][] = [
    ['non-numeric close', 'timestamp,symbol,close\n2024-01-01,A,1\n2024-01-01,B,1\n2024-01-02,A,2\n2024-01-02,B,2\n2024-01-03,A,abc\n', 'A', 'prices.csv line 6: close "abc" is not a number'],
    ['zero close', 'timestamp,symbol,close\n2024-01-01,A,1\n2024-01-02,A,0\n2024-01-02,B,1\n2024-01-03,B,1\n', 'A', 'prices.csv line 3: close 0 is not positive'],
    ['negative wide cell', 'timestamp,B,A\n2024-01-01,2,1\n2024-01-02,-2,1\n', 'B', 'prices.csv line 3: B -2 is not positive'],
    ['the first bad row of the symbol in the file', 'timestamp,symbol,close\n2024-01-03,A,x\n2024-01-01,A,1\n2024-01-02,A,-1\n2024-01-02,B,1\n2024-01-03,B,1\n', 'A', 'prices.csv line 2: close "x" is not a number'],
    ['bad optional column', 'timestamp,symbol,close,open,volume\n2024-01-01,A,1,2,-1\n2024-01-02,A,1,,\n2024-01-01,B,1,1,1\n2024-01-02,B,1,1,1\n', 'A', 'prices.csv line 2: volume -1 is not non-negative'],
  ];
  for (const [what, text, symbol, message] of priceCases) {
    it(`${what} (when ${symbol} is used)`, async () => {
      const src = createCsvSource(await csv(text));
      expect(await src.listSymbols()).toEqual(expect.arrayContaining(['A', 'B']));
      const other = symbol === 'A' ? 'B' : 'A';
      expect((await src.fetchCandles(other, '1d', ...ALL)).length).toBeGreaterThan(0);
      expect((await src.calendar(symbol)).length).toBeGreaterThan(0);
      const e = await userError(src.fetchCandles(symbol, '1d', ...ALL));
      expect(e.code).toBe('bad_csv');
      expect(e.message).toBe(message);
      // Still reported on the next query: a bad symbol is not cached as good.
      expect((await userError(src.fetchCandles(symbol.toLowerCase(), '1d', ...ALL))).message).toBe(message);
    });
  }

  it('says when the file does not exist', async () => {
    const e = await userError(createCsvSource(join(dir, 'nope.csv')).listSymbols());
    expect(e.code).toBe('csv_not_found');
    expect(e.message).toContain('nope.csv');
  });

  it('suggests the nearest symbol for an unknown one, and resolves case-insensitively', async () => {
    const src = createCsvSource(join(FIXTURES, 'example_long.csv'));
    expect(await src.resolveSymbol('bbb')).toBe('BBB');
    const e = await userError(src.fetchCandles('AAB', '1d', ...ALL));
    expect(e.code).toBe('unknown_symbol');
    expect(e.message).toBe('AAB is not in example_long.csv; did you mean AAA?');
    const far = await userError(src.resolveSymbol('ZZZZZZZZ'));
    expect(far.message).toBe('ZZZZZZZZ is not in example_long.csv (it has AAA, BBB, CCC, DDD)');
  });
});

describe('CSV source: bar interval', () => {
  it('infers the interval from the median spacing despite gaps', async () => {
    const rows = [0, 1, 2, 5, 6, 7, 8].map((h) => `${new Date(Date.UTC(2024, 0, 1, h)).toISOString()},${h + 1}`);
    const src = createCsvSource(await csv(`timestamp,A\n${rows.join('\n')}\n`));
    expect(await src.nativeTimeframe!()).toBe('1h');
  });

  it('takes a given timeframe instead of inferring, and checks the data against it', async () => {
    const text = 'timestamp,A\n2024-01-01T00:00Z,1\n2024-01-01T04:00Z,2\n2024-01-01T08:00Z,3\n';
    expect(await createCsvSource(await csv(text), { timeframe: '1h' }).nativeTimeframe!()).toBe('1h');
    const e = await userError(createCsvSource(await csv(text), { timeframe: '3h' }).listSymbols());
    expect(e.message).toContain('not a whole number of 3h bars');
  });

  it('resamples to a whole multiple: last close of each epoch-aligned bucket, complete buckets only', async () => {
    // 1h bars from 01:00 to 10:00: 4h buckets 00:00 (01..03), 04:00 (04..07), 08:00 (08..10, incomplete).
    const rows = [];
    for (let h = 1; h <= 10; h++) rows.push(`${Date.UTC(2024, 0, 1, h)},A,${100 + h},${200 + h}`);
    const src = createCsvSource(await csv(`timestamp,symbol,close,volume\n${rows.join('\n')}\n`));
    expect(await src.fetchCandles('A', '4h', ...ALL)).toEqual([
      { t: Date.UTC(2024, 0, 1, 0), c: 103, v: 201 + 202 + 203 },
      { t: Date.UTC(2024, 0, 1, 4), c: 107, v: 204 + 205 + 206 + 207 },
    ]);
    expect(await src.latestBarTime!('4h')).toBe(Date.UTC(2024, 0, 1, 4));
    expect(await src.latestBarTime!('1h')).toBe(Date.UTC(2024, 0, 1, 10));
    expect((await src.fetchCandles('A', '2h', ...ALL)).map((k) => k.c)).toEqual([101, 103, 105, 107, 109]);
  });

  it('resamples daily bars to weekly ones aligned to epoch multiples', () => {
    const candles = Array.from({ length: 14 }, (_, i) => ({ t: Date.UTC(2024, 0, 1) + i * DAY, c: i + 1, o: i + 0.5, h: i + 2, l: i }));
    const weekly = resampleCandles(candles, 7 * DAY);
    // Epoch weeks start on Thursdays: 2024-01-01 (Monday) falls in the week of 2023-12-28.
    expect(weekly.map((k) => k.t)).toEqual([Date.UTC(2023, 11, 28), Date.UTC(2024, 0, 4), Date.UTC(2024, 0, 11)]);
    expect(weekly.map((k) => k.c)).toEqual([3, 10, 14]);
    expect(weekly[1]).toEqual({ t: Date.UTC(2024, 0, 4), o: 3.5, h: 11, l: 3, c: 10 });
  });

  it('refuses a timeframe that is not a whole multiple of the file\'s, naming the file\'s interval', async () => {
    const src = createCsvSource(join(FIXTURES, 'example_wide.csv'));
    for (const tf of ['1h', '36h']) {
      const e = await userError(src.fetchCandles('AAA', tf, ...ALL));
      expect(e.code).toBe('unsupported_timeframe');
      expect(e.message).toBe(`example_wide.csv has 1d bars: use 1d or a whole multiple of it (2d, 3d, 1w...), not ${tf}`);
    }
    expect(await src.fetchCandles('AAA', '1w', ...ALL)).toHaveLength(43);
  });
});

describe('CSV source: calendars inferred per symbol from its timestamps', () => {
  it('a wide daily file of BTC (every day) and SPX (business days, a holiday): continuous and weekdays', async () => {
    const rows = ['timestamp,BTC,SPX'];
    for (let d = 0; d < 120; d++) {
      const t = Date.UTC(2024, 0, 1) + d * DAY;
      const dow = new Date(t).getUTCDay();
      const open = dow !== 0 && dow !== 6 && d !== 14; // 2024-01-15: Martin Luther King Day
      rows.push(`${new Date(t).toISOString().slice(0, 10)},${40000 + d},${open ? 4700 + d : ''}`);
    }
    const src = createCsvSource(await csv(rows.join('\n')));
    expect(await src.calendar('btc')).toBe('continuous');
    expect(await src.calendar('SPX')).toBe('weekdays');
    expect(await src.describeCalendar('spx')).toBe('SPX: weekdays calendar (closed on Saturdays and Sundays (UTC): 0 weekend bars, 1 of 86 weekdays closed (holidays))');
    expect((await userError(src.calendar('SPY'))).code).toBe('unknown_symbol');
  });

  it('the example files: 301 consecutive days, continuous', async () => {
    const src = createCsvSource(join(FIXTURES, 'example_long.csv'));
    for (const s of await src.listSymbols()) expect(await src.calendar(s)).toBe('continuous');
  });
});

describe('CSV source: concurrent queries', () => {
  it('are answered from one load, and a file that failed to load is read again once it changes', async () => {
    const path = await csv('timestamp,A,B\n2024-01-01,1,2\n2024-01-02,3,4\n');
    const src = createCsvSource(path);
    const [a, b, cal] = await Promise.all([src.fetchCandles('A', '1d', ...ALL), src.fetchCandles('B', '1d', ...ALL), src.calendar('A')]);
    expect(a.map((k) => k.c)).toEqual([1, 3]);
    expect(b.map((k) => k.c)).toEqual([2, 4]);
    expect(cal).toBe('continuous');

    const broken = await csv('timestamp,A\n2024-01-01,1\n');
    const src2 = createCsvSource(broken);
    const errors = await Promise.allSettled([src2.listSymbols(), src2.listSymbols()]);
    expect(errors.map((e) => e.status)).toEqual(['rejected', 'rejected']);
    await writeFile(broken, 'timestamp,A\n2024-01-01,1\n2024-01-02,2\n');
    expect(await src2.fetchCandles('A', '1d', ...ALL)).toHaveLength(2);
  });
});
