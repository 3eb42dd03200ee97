import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/domain/random.js';
import { indexCsv } from '../../src/market/csv-index.js';
import { candlesOf, parseSeries } from '../../src/market/csv-series.js';
import { createCsvSource } from '../../src/market/csv-source.js';
import { baselineParseCsv } from '../../bench/csv-baseline.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const ALL: [number, number] = [0, Date.UTC(2100, 0, 1)];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corrwatch-csv-index-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A random price file in one of the accepted dialects, sometimes with one defect. */
function randomFile(rand: () => number): string {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const long = rand() < 0.5;
  const tf = pick([HOUR, DAY]);
  const nsym = int(1, 4);
  const names = ['BTC', 'ETH', 'SOL', 'XRP'].slice(0, nsym);
  const timeStyle = pick(tf === DAY ? ['iso', 'date', 'offset', 's', 'ms', 'space'] : ['iso', 'offset', 's', 'ms', 'space']);
  const fmt = (t: number): string => {
    const iso = new Date(t).toISOString();
    switch (timeStyle) {
      case 'date':
        return iso.slice(0, 10);
      case 'offset':
        return `${new Date(t + 2 * HOUR).toISOString().slice(0, 19)}+02:00`;
      case 's':
        return String(t / 1000);
      case 'ms':
        return String(t);
      case 'space':
        return iso.slice(0, 16).replace('T', ' ');
      default:
        return iso.replace('.000Z', 'Z');
    }
  };
  const t0 = Date.UTC(2024, 0, 1) + int(0, 5) * tf;
  const bars = int(2, 30);
  const times = Array.from({ length: bars }, (_, i) => t0 + i * tf);
  const price = () => (rand() < 0.5 ? (1 + rand() * 100).toFixed(int(0, 4)) : String(int(1, 500)));
  const quote = (s: string) => (rand() < 0.1 ? `"${s}"` : rand() < 0.05 ? ` ${s} ` : s);
  const rows: string[][] = [];
  let header: string[];
  if (long) {
    const extra = ['open', 'high', 'low', 'volume'].filter(() => rand() < 0.4);
    header = ['timestamp', 'symbol', 'close', ...extra];
    for (const [k, sym] of names.entries()) {
      for (let i = 0; i < bars; i++) {
        if (rand() < 0.1) continue; // a gap of this symbol
        const written = k === 0 && rand() < 0.2 ? sym.toLowerCase() : sym;
        rows.push([fmt(times[i]), written, price(), ...extra.map(() => (rand() < 0.2 ? '' : price()))]);
      }
    }
  } else {
    header = ['timestamp', ...names];
    if (rand() < 0.3) header = [...names.slice(0, 1), 'Date', ...names.slice(1)];
    for (let i = 0; i < bars; i++) {
      rows.push(header.map((h) => (h === 'timestamp' || h === 'Date' ? fmt(times[i]) : rand() < 0.1 ? pick(['', '', 'NA', 'null', ' NaN ', '#N/A']) : price())));
    }
  }
  if (rand() < 0.4) rows.sort(() => rand() - 0.5);
  const defect = int(0, 9);
  if (rows.length > 2 && defect < 6) {
    const r = int(0, rows.length - 1);
    const timeCol = header.findIndex((h) => h === 'timestamp' || h === 'Date');
    const priceCol = header.findIndex((_, i) => i !== timeCol && header[i] !== 'symbol');
    switch (defect) {
      case 0:
        rows[r][priceCol] = pick(['abc', '0', '-3', '1e999', '', 'NA', 'nul']);
        break;
      case 1:
        rows[r][timeCol] = pick(['yesterday', '2024-02-30', '2024-01-01T25:00Z', '1e5', '']);
        break;
      case 2:
        rows[r].pop();
        break;
      case 3:
        rows.push([...rows[r]]);
        break;
      case 4:
        rows[r][timeCol] = fmt(Number(new Date(Date.UTC(2024, 0, 1) + tf * 40.5)));
        break;
      default:
        rows[r][1] = long ? '' : '"1';
    }
  }
  const eol = rand() < 0.3 ? '\r\n' : '\n';
  const lines = [header.join(','), ...rows.map((row) => row.map(quote).join(','))];
  if (rand() < 0.2) lines.splice(int(1, lines.length), 0, rand() < 0.5 ? '' : '   ');
  return (rand() < 0.2 ? '\uFEFF' : '') + lines.join(eol) + (rand() < 0.7 ? eol : '');
}

function message(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('CSV index: the same data and the same errors as the parser it replaces', () => {
  it('on 3,000 random files (long and wide, every timestamp style, quotes, CRLF, BOM, unsorted, one defect or none)', () => {
    const rand = mulberry32(7);
    let good = 0;
    let lazyErrors = 0;
    for (let k = 0; k < 3000; k++) {
      const text = randomFile(rand);
      const before = message(() => baselineParseCsv(text, 'prices.csv'));
      let index: ReturnType<typeof indexCsv>;
      try {
        index = indexCsv(text, 'prices.csv');
      } catch (e) {
        expect((e as Error).message, text).toBe(before);
        continue;
      }
      const errors = index.symbols.map((_, id) => message(() => parseSeries(index, id))).filter((m) => m !== undefined);
      if (before === undefined) {
        expect(errors, text).toEqual([]);
        const ref = baselineParseCsv(text, 'prices.csv');
        expect(index.symbols).toEqual(ref.symbols);
        expect(index.intervalMs).toBe(ref.intervalMs);
        expect(index.lastTime).toBe(ref.lastTime);
        index.symbols.forEach((s, id) => expect(candlesOf(parseSeries(index, id)), text).toEqual(ref.series.get(s)));
        good++;
      } else {
        // Loaded, so the defect is a price: reported when its symbol is used, with the same words.
        expect(errors, text).toContain(before);
        lazyErrors++;
      }
    }
    expect(good).toBeGreaterThan(1000);
    expect(lazyErrors).toBeGreaterThan(100);
  });
});

describe('CSV index: a query pays for the symbols it asks for', () => {
  it('reads 2 columns of a 50-column wide file whose 48 others hold no valid price at all', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `S${i}`);
    const rows = Array.from({ length: 200 }, (_, r) => {
      const t = new Date(Date.UTC(2024, 0, 1) + r * HOUR).toISOString();
      return [t, ...names.map((_, i) => (i === 3 || i === 41 ? String(100 + r) : 'not a price'))].join(',');
    });
    const path = join(dir, 'wide50.csv');
    await writeFile(path, `timestamp,${names.join(',')}\n${rows.join('\n')}\n`);
    const src = createCsvSource(path);
    expect(await src.fetchCandles('S3', '1h', ...ALL)).toHaveLength(200);
    expect((await src.fetchCandles('s41', '1h', Date.UTC(2024, 0, 1, 5), Date.UTC(2024, 0, 1, 7))).map((k) => k.c)).toEqual([105, 106]);
    expect(await src.calendar('S17')).toBe('continuous'); // timestamps only: no price of S17 is read
    await expect(src.fetchCandles('S17', '1h', ...ALL)).rejects.toThrow('wide50.csv line 2: S17 "not a price" is not a number');
  });

  it('builds candles of a long file only for the symbols asked for', async () => {
    const lines = ['timestamp,symbol,close'];
    for (let h = 0; h < 100; h++) {
      const t = new Date(Date.UTC(2024, 0, 1, h)).toISOString();
      lines.push(`${t},GOOD,${h + 1}`, `${t},BAD,x${h}`);
    }
    const path = join(dir, 'long.csv');
    await writeFile(path, lines.join('\n'));
    const src = createCsvSource(path);
    expect((await src.fetchCandles('GOOD', '2h', ...ALL)).map((k) => k.c).slice(0, 3)).toEqual([2, 4, 6]);
    await expect(src.fetchCandles('BAD', '1h', ...ALL)).rejects.toThrow('long.csv line 3: close "x0" is not a number');
  });

  it('finds fields past the kept offsets of a very wide file, quoted rows included', () => {
    const names = Array.from({ length: 30 }, (_, i) => `C${i}`);
    const header = ['C0', 'C1', 'timestamp', ...names.slice(2)].join(',');
    const rows = [0, 1, 2].map((r) => {
      const cells = names.map((_, i) => String(1000 * r + i + 1));
      cells.splice(2, 0, `2024-01-0${r + 1}`);
      return r === 1 ? cells.map((c) => `"${c}"`).join(',') : cells.join(',');
    });
    const index = indexCsv(`${header}\r\n${rows.join('\r\n')}`, 'x.csv');
    for (const [id, s] of index.symbols.entries()) {
      const col = Number(s.slice(1));
      expect(Array.from(parseSeries(index, id).c)).toEqual([col + 1, 1000 + col + 1, 2000 + col + 1]);
    }
  });
});
