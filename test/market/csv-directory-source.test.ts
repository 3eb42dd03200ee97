import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userError } from '../helpers/user-error.js';
import { typeableSymbol } from '../../src/market/csv-header.js';
import { createCsvDirectorySource } from '../../src/market/csv-directory-source.js';
import { createCsvSource } from '../../src/market/csv-source.js';
import { createMarketSource } from '../../src/market/source-factory.js';

const DAY = 86_400_000;
const ALL: [number, number] = [0, Date.UTC(2100, 0, 1)];

let root: string;
let n = 0;
/** A fresh folder holding these files. */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = join(root, String(n++));
  await mkdir(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** A Yahoo Finance download of one symbol: business days from Monday 2024-01-01, Close and a different Adj Close. */
function yahoo(days: number, seed: number): { text: string; adj: number[]; close: number[] } {
  const lines = ['Date,Open,High,Low,Close,Adj Close,Volume'];
  const adj: number[] = [];
  const close: number[] = [];
  let p = 100 + seed;
  for (let d = 0, t = Date.UTC(2024, 0, 1); d < days; t += DAY) {
    const wd = new Date(t).getUTCDay();
    if (wd === 0 || wd === 6) continue;
    p *= 1 + 0.01 * Math.sin(d * 1.7 + seed);
    const c = Math.round(p * 100) / 100;
    const a = Math.round(c * 0.97 * 10_000) / 10_000;
    close.push(c);
    adj.push(a);
    lines.push(`${new Date(t).toISOString().slice(0, 10)},${c},${c + 1},${c - 1},${c},${a},${1000 + d}`);
    d++;
  }
  return { text: lines.join('\n') + '\n', adj, close };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'corrwatch-csvdir-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('one-symbol CSV files (Yahoo Finance, Stooq)', () => {
  it('a file of one symbol is named by the file and priced by its Adj Close', async () => {
    const spy = yahoo(30, 1);
    const dir = await folder({ 'SPY.csv': spy.text });
    const src = createCsvSource(join(dir, 'SPY.csv'));
    expect(await src.listSymbols()).toEqual(['SPY']);
    const candles = await src.fetchCandles('spy', '1d', ...ALL);
    expect(candles.map((c) => c.c)).toEqual(spy.adj);
    expect(candles[0].t).toBe(Date.UTC(2024, 0, 1));
    expect(await src.nativeTimeframe!()).toBe('1d');
    expect(await src.describeCalendar('SPY')).toMatch(/weekdays/);
  });

  it('without an adjusted close, its Close; other columns (yfinance Dividends, Stock Splits) are ignored', async () => {
    const dir = await folder({
      'qqq.csv': 'Date,Open,High,Low,Close,Volume,Dividends,Stock Splits\n2024-01-01,1,1,1,10,5,0,0\n2024-01-02,1,1,1,11,5,0.2,0\n2024-01-03,1,1,1,NA,5,0,0\n2024-01-04,1,1,1,12,5,0,2\n',
    });
    const src = createCsvSource(join(dir, 'qqq.csv'));
    expect(await src.listSymbols()).toEqual(['qqq']);
    // NA is a missing bar, as in any layout.
    expect((await src.fetchCandles('QQQ', '1d', ...ALL)).map((c) => c.c)).toEqual([10, 11, 12]);
  });

  it('a name with punctuation is served as the symbol without it (BTC-USD.csv is BTCUSD, ^GSPC.csv is GSPC)', async () => {
    expect(['BTC-USD', '^GSPC', 'BRK.B', 'ETH/BTC', 'BTC', 'a b'].map(typeableSymbol)).toEqual(['BTCUSD', 'GSPC', 'BRKB', 'ETH/BTC', 'BTC', 'ab']);
    // Nothing typeable left: kept as written (listed, though no command can name it).
    expect(typeableSymbol('---')).toBe('---');
    const dir = await folder({ 'BTC-USD.csv': 'Date,Close\n2024-01-01,1\n2024-01-02,2\n', 'prices.csv': 'timestamp,^GSPC,ETH-USD\n2024-01-01,1,2\n2024-01-02,2,3\n' });
    expect(await createCsvSource(join(dir, 'BTC-USD.csv')).listSymbols()).toEqual(['BTCUSD']);
    expect(await createCsvSource(join(dir, 'prices.csv')).listSymbols()).toEqual(['GSPC', 'ETHUSD']);
  });
});

describe('a folder of CSV files (csv:<folder>)', () => {
  it('serves each symbol from the file that holds it: one-symbol downloads and a wide file side by side', async () => {
    const spy = yahoo(40, 1);
    const qqq = yahoo(40, 2);
    const dir = await folder({
      'SPY.csv': spy.text,
      'QQQ.csv': qqq.text,
      'rates.csv': 'date,TLT,IEF\n2024-01-01,90,95\n2024-01-02,91,95.5\n',
      'notes.txt': 'not a price file',
      '.hidden.csv': 'garbage',
    });
    const src = createCsvDirectorySource(dir);
    expect(await src.listSymbols()).toEqual(['IEF', 'QQQ', 'SPY', 'TLT']);
    expect((await src.fetchCandles('QQQ', '1d', ...ALL)).map((c) => c.c)).toEqual(qqq.adj);
    expect((await src.fetchCandles('tlt', '1d', ...ALL)).map((c) => c.c)).toEqual([90, 91]);
    expect(await src.resolveSymbol('spy')).toBe('SPY');
    expect(await src.calendar!('SPY')).toBe('weekdays');
    expect(await src.nativeTimeframe!()).toBe('1d');
    // The newest bar of any file: SPY's and QQQ's last business day.
    const last = (await src.fetchCandles('SPY', '1d', ...ALL)).at(-1)!.t;
    expect(await src.latestBarTime!('1d')).toBe(last);
    // A timeframe no file has is refused for the folder.
    expect((await userError(src.latestBarTime!('1h'))).message).toBe(`${dir.split('/').at(-1)}/ has 1d bars: use 1d or a whole multiple of it (2d, 3d, 1w...), not 1h`);
    // Weekly bars are served by resampling each file, as for one file.
    expect((await src.fetchCandles('SPY', '1w', ...ALL)).length).toBeGreaterThan(5);
  });

  it('a folder of many files (more than it reads at once) lists every symbol', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`S${i}.csv`] = `Date,Close\n2024-01-01,${i + 1}\n2024-01-02,${i + 2}\n`;
    const src = createCsvDirectorySource(await folder(files));
    expect(await src.listSymbols()).toEqual(Array.from({ length: 40 }, (_, i) => `S${i}`).sort());
    expect((await src.fetchCandles('S39', '1d', ...ALL)).map((c) => c.c)).toEqual([40, 41]);
  });

  it('an unknown symbol is refused with a suggestion, or the list when it is short', async () => {
    const dir = await folder({ 'SPY.csv': yahoo(10, 1).text, 'QQQ.csv': yahoo(10, 2).text });
    const src = createCsvDirectorySource(dir);
    const base = dir.split('/').at(-1);
    expect((await userError(src.fetchCandles('SPYY', '1d', ...ALL))).message).toBe(`SPYY is not in ${base}/; did you mean SPY?`);
    const e = await userError(src.fetchCandles('ZZZZZZ', '1d', ...ALL));
    expect([e.code, e.message]).toEqual(['unknown_symbol', `ZZZZZZ is not in ${base}/ (it has QQQ, SPY)`]);
  });

  it('a symbol in two files is refused, naming both', async () => {
    const dir = await folder({ 'SPY.csv': yahoo(10, 1).text, 'etfs.csv': 'date,SPY,QQQ\n2024-01-01,1,2\n2024-01-02,1,2\n2024-01-03,1,2\n' });
    const e = await userError(createCsvDirectorySource(dir).fetchCandles('QQQ', '1d', ...ALL));
    expect(e.message).toMatch(/SPY is in both SPY\.csv and etfs\.csv; keep it in one of them/);
  });

  it('a file that cannot be read does not stop the others; a symbol found nowhere names its error', async () => {
    const dir = await folder({ 'SPY.csv': yahoo(10, 1).text, 'broken.csv': 'date,AAA\n2024-01-01,abc\nnot a row\n' });
    const src = createCsvDirectorySource(dir);
    expect((await src.fetchCandles('SPY', '1d', ...ALL)).length).toBe(10);
    const e = await userError(src.fetchCandles('AAA', '1d', ...ALL));
    expect(e.code).toBe('unknown_symbol');
    expect(e.message).toMatch(/^AAA is not in .*; one file could not be read: broken\.csv line 3: /);
  });

  it('sees a file added after it was first used, and forgets one removed', async () => {
    const dir = await folder({ 'SPY.csv': yahoo(10, 1).text });
    const src = createCsvDirectorySource(dir);
    expect(await src.listSymbols()).toEqual(['SPY']);
    await writeFile(join(dir, 'QQQ.csv'), yahoo(10, 2).text);
    expect(await src.listSymbols()).toEqual(['QQQ', 'SPY']);
    await rm(join(dir, 'SPY.csv'));
    expect(await src.listSymbols()).toEqual(['QQQ']);
  });

  it('an empty folder, a missing one and a file where a folder was expected each get their own message', async () => {
    const empty = await folder({ 'readme.txt': 'x' });
    expect((await userError(createCsvDirectorySource(empty).listSymbols())).message).toMatch(/: no \.csv files in /);
    expect((await userError(createCsvDirectorySource(join(root, 'nope/')).listSymbols())).message).toMatch(/^nope\/: no such folder/);
    const withFile = await folder({ 'a.csv': 'date,A\n2024-01-01,1\n' });
    expect((await userError(createCsvDirectorySource(join(withFile, 'a.csv')).listSymbols())).message).toMatch(/is not a folder/);
  });

  it('csv:<folder> in a config builds the folder source (an existing folder, or a path ending in a slash)', async () => {
    const dir = await folder({ 'SPY.csv': yahoo(10, 1).text });
    const a = createMarketSource(`csv:${dir}`);
    expect([a.id, a.venue]).toEqual([`csv:${dir}`, `${dir.split('/').at(-1)}/`]);
    expect(await a.listSymbols()).toEqual(['SPY']);
    const b = createMarketSource(`csv:${join(root, 'later')}/`);
    expect((await userError(b.listSymbols())).message).toMatch(/^later\/: no such folder/);
    // A file stays a file source.
    const f = createMarketSource(`csv:${join(dir, 'SPY.csv')}`);
    expect(f.venue).toBe('SPY.csv');
  });
});
