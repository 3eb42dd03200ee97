import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/domain/random.js';
import { parseTimeSlow, TimeParser, type TimeUnit } from '../../src/market/csv-time.js';
import { baselineParseCsvTime } from '../../bench/csv-baseline.js';

/** One timestamp through the fast parser, as the CSV reader parses each row's. */
function parseCsvTime(text: string): { ms: number; unit: TimeUnit } {
  const p = new TimeParser();
  const ms = p.parse(text, 0, text.length);
  return { ms, unit: p.unit };
}

const rand = mulberry32(20240101);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const pad = (v: number, n = 2) => String(v).padStart(n, '0');

function daysInMonth(y: number, m: number): number {
  const day0 = new Date(0);
  day0.setUTCFullYear(y, m, 0); // day 0 of the next month: the last of month m (setUTCFullYear keeps years < 100)
  return day0.getUTCDate();
}

interface Generated {
  text: string;
  /** The fields are a real instant (independently of any parser). */
  valid: boolean;
  /** The same instant in the one shape Date.parse is specified for. */
  canonical: string;
}

/** A timestamp in one of the accepted shapes with fields sometimes out of range. */
function generate(): Generated {
  const y = rand() < 0.05 ? int(1, 99) : rand() < 0.05 ? pick([1600, 1900, 2000, 2100, 9999]) : int(1950, 2060);
  const mo = rand() < 0.1 ? pick([0, 13, 19]) : int(1, 12);
  const d = rand() < 0.2 ? pick([0, 29, 30, 31, 32]) : int(1, 28);
  const hh = rand() < 0.1 ? pick([24, 25, 99]) : int(0, 23);
  const mm = rand() < 0.05 ? pick([60, 99]) : int(0, 59);
  const ss = rand() < 0.05 ? pick([60, 99]) : int(0, 59);
  const fracDigits = pick([0, 0, 1, 2, 3, 6, 9]);
  const frac = Array.from({ length: fracDigits }, () => int(0, 9)).join('');
  const oh = rand() < 0.05 ? pick([24, 30]) : int(0, 14);
  const om = rand() < 0.05 ? 60 : pick([0, 0, 30, 45]);
  const sign = pick(['+', '-']);
  const shape = int(0, 3); // date, +HH:MM, +:SS, +.frac
  const zone = pick(['', 'Z', 'z', 'offset', 'offset', 'compact', ' Z']);
  const date = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
  let time = '';
  if (shape >= 1) time += `${pad(hh)}:${pad(mm)}`;
  if (shape >= 2) time += `:${pad(ss)}`;
  if (shape >= 3 && fracDigits > 0) time += `.${frac}`;
  const offset = `${sign}${pad(oh)}:${pad(om)}`;
  const zoneText = zone === 'offset' ? offset : zone === 'compact' ? offset.replace(':', '') : zone;
  const sep = pick(['T', 'T', ' ', 't']);
  const text = time ? `${date}${sep}${time}${zoneText}` : `${date}${zoneText}`;
  const canonical = `${date}T${time || '00:00'}${zone === 'offset' || zone === 'compact' ? offset : 'Z'}`;
  const valid =
    mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) &&
    (shape < 1 || (hh <= 23 && mm <= 59)) && (shape < 2 || ss <= 59) &&
    (zone !== 'offset' && zone !== 'compact' ? true : oh <= 23 && om <= 59);
  return { text, valid, canonical };
}

/** Small damage: drop, duplicate or replace one character, or pad with spaces. */
function mutate(s: string): string {
  const i = int(0, s.length - 1);
  switch (int(0, 4)) {
    case 0:
      return s.slice(0, i) + s.slice(i + 1);
    case 1:
      return s.slice(0, i) + s[i] + s.slice(i);
    case 2:
      return s.slice(0, i) + pick(['x', '-', ':', '.', ' ', '0', '9', '+', 'Z']) + s.slice(i + 1);
    case 3:
      return ` ${s}\t`;
    default:
      return s + pick(['Z', ':00', '.5', ' ', 'x']);
  }
}

/** The result of a parse as a comparable value: the time and unit, or the error message. */
function outcome(f: () => { ms: number; unit: string }): string {
  try {
    const r = f();
    return `${r.unit}:${r.ms}`;
  } catch (e) {
    return `error:${(e as Error).message}`;
  }
}

describe('CSV timestamps: the hand-written parser', () => {
  const generated = Array.from({ length: 12_000 }, generate);

  it('reads a date, a time with a zone and a time without one (UTC) as the CSV reader writes them', () => {
    const t0 = Date.UTC(2024, 0, 1);
    expect(parseCsvTime('2024-01-01')).toEqual({ ms: t0, unit: 'iso' });
    expect(parseCsvTime('2024-01-01 02:00:00+02:00')).toEqual({ ms: t0, unit: 'iso' });
    expect(parseCsvTime('2024-01-01T00:00:00')).toEqual({ ms: t0, unit: 'iso' });
  });

  it('equals Date.parse on every valid generated timestamp, with zones and fractions', () => {
    let checked = 0;
    for (const g of generated.filter((x) => x.valid)) {
      expect(parseCsvTime(g.text), g.text).toEqual({ ms: Date.parse(g.canonical), unit: 'iso' });
      checked++;
    }
    expect(checked).toBeGreaterThan(6_000);
  });

  it('calls every generated impossible date or time invalid, whatever the zone', () => {
    const invalid = generated.filter((x) => !x.valid);
    expect(invalid.length).toBeGreaterThan(2_000);
    for (const g of invalid) expect(() => parseCsvTime(g.text), g.text).toThrow(`timestamp "${g.text.trim()}" is not a valid date`);
  });

  it('gives the same result or the same error as the slow reference path, on damaged and epoch timestamps too', () => {
    const texts = [
      ...generated.map((g) => g.text),
      ...generated.slice(0, 6_000).map((g) => mutate(g.text)),
      ...Array.from({ length: 3_000 }, () => '0'.repeat(int(0, 2)) + String(Math.floor(10 ** (rand() * 17)))),
      '', '   ', 'yesterday', '2024-01-01T', '2024-01-01 ', '2024-1-01', '99999999', '100000000', '99999999999999', '100000000000000',
    ];
    for (const s of texts) expect(outcome(() => parseCsvTime(s)), JSON.stringify(s)).toBe(outcome(() => parseTimeSlow(s)));
  });

  it('agrees with the previous parser (Date.parse behind a regular expression) except where that one rolled dates over', () => {
    let differing = 0;
    for (const g of generated) {
      const before = outcome(() => baselineParseCsvTime(g.text));
      const now = outcome(() => parseCsvTime(g.text));
      if (before === now) continue;
      // The previous parser checked the date only without a zone: 2024-02-30T00:00+02:00 became March 1st.
      expect(g.valid, g.text).toBe(false);
      expect(before.startsWith('iso:'), g.text).toBe(true);
      differing++;
    }
    expect(differing).toBeGreaterThan(0);
  });

  it('keeps no state between timestamps but the date cache, which invalid dates do not poison', () => {
    const p = new TimeParser();
    const sequence = [
      ...generated.slice(0, 3_000).map((g) => g.text),
      '2024-02-29T01:00Z', '2023-02-29T01:00Z', '2024-02-29T02:00Z', '2024-02-30', '2024-02-29', '1704067200', '2024-02-29 03:00',
    ];
    for (const s of sequence) {
      const shared = outcome(() => ({ ms: p.parse(s, 0, s.length), unit: p.unit }));
      expect(shared, s).toBe(outcome(() => parseCsvTime(s)));
    }
  });

  it('reads a timestamp inside a longer text without copying it', () => {
    const line = '  2024-01-01T02:00:00+02:00 ,BTC,1';
    const p = new TimeParser();
    expect(p.parse(line, 0, line.indexOf(','))).toBe(Date.UTC(2024, 0, 1));
    expect(p.parse('x,1704067200000,y', 2, 15)).toBe(1704067200000);
    expect(p.unit).toBe('ms');
  });
});
