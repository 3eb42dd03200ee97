/**
 * Timestamps of CSV price files (decided, not guessed per row):
 * - ISO-8601: `2024-01-02`, `2024-01-02T13:00:00Z`, `2024-01-02 13:00:00+02:00`; without a zone the time is UTC.
 * - Integers: >= 1e11 are epoch milliseconds, 1e8..1e11 epoch seconds (as milliseconds they would fall in 1970-73,
 *   as seconds in 1973-5138, so no market data is ambiguous); >= 1e14 (micro/nanoseconds) and < 1e8 are errors.
 *
 * Why a hand-written parser: `Date.parse` behind a regular expression cost about 0.5 µs a row, most of a CSV
 * query's time. `TimeParser` reads the common shapes (`YYYY-MM-DD`, then optionally `T` or a space, `HH:MM`,
 * `:SS`, `.fraction`, then `Z` or `±HH:MM`) digit by digit with `Date.UTC` arithmetic, and remembers the last
 * date prefix (rows of an intraday file share their date). Anything it does not accept, including every invalid
 * date, goes to `parseTimeSlow` (regular expression + `Date.parse` + validation), which decides and words the
 * error, so both paths give the same result and the same messages (test/market/csv-time.test.ts).
 *
 * Validation: month 1-12, a day that exists in that month (2024-02-30 is an error, whatever the zone), hour 0-23,
 * minute and second 0-59, zone offset at most ±23:59. Fractions of a second beyond milliseconds are truncated,
 * as `Date.parse` does.
 */
import { RowError } from './csv-line.js';

export type TimeUnit = 'iso' | 's' | 'ms';

const ISO_RE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  return m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS_IN_MONTH[m - 1];
}

/** The unit of a timestamp text, with its time; throws RowError saying what is wrong (the reference path). */
export function parseTimeSlow(text: string): { ms: number; unit: TimeUnit } {
  const s = text.trim();
  if (s === '') throw new RowError('timestamp is empty');
  if (/^\d+$/.test(s)) {
    const v = Number(s);
    if (v >= 1e14) throw new RowError(`timestamp ${s} is too large for epoch milliseconds (microseconds?)`);
    if (v >= 1e11) return { ms: v, unit: 'ms' };
    if (v >= 1e8) return { ms: v * 1000, unit: 's' };
    throw new RowError(`timestamp ${s} is too small to be epoch seconds or milliseconds`);
  }
  const m = ISO_RE.exec(s);
  if (!m) throw new RowError(`timestamp "${s}" is neither ISO-8601 (2024-01-02T00:00:00Z) nor epoch milliseconds`);
  const [, date, time, zone] = m;
  const ms = Date.parse(`${date}T${time ?? '00:00'}${zone ? zone.toUpperCase() : 'Z'}`);
  // Date.parse rolls impossible days over (2024-02-30 is March 1st) and accepts 24:00: check the fields themselves.
  const y = Number(date.slice(0, 4));
  const mo = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const validDate = mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
  if (!Number.isFinite(ms) || !validDate || (time !== undefined && Number(time.slice(0, 2)) > 23)) {
    throw new RowError(`timestamp "${s}" is not a valid date`);
  }
  return { ms, unit: 'iso' };
}

/**
 * Parses timestamps from a range of a larger text (no substring is made on the fast path). One instance per file:
 * it caches the last date prefix. `unit` is the unit of the last timestamp parsed.
 */
export class TimeParser {
  unit: TimeUnit = 'iso';
  private lastDateKey = -1;
  private lastDateMs = 0;

  /** Epoch milliseconds of the (untrimmed) timestamp `text[start, end)`; throws RowError like parseTimeSlow. */
  parse(text: string, start: number, end: number): number {
    let a = start;
    let b = end;
    while (a < b && isAsciiSpace(text.charCodeAt(a))) a++;
    while (b > a && isAsciiSpace(text.charCodeAt(b - 1))) b--;
    const ms = b - a >= 10 && text.charCodeAt(a + 4) === 45 ? this.iso(text, a, b) : this.epoch(text, a, b);
    if (ms === ms) return ms; // not NaN
    const slow = parseTimeSlow(text.slice(start, end));
    this.unit = slow.unit;
    return slow.ms;
  }

  /** Epoch seconds or milliseconds written as 9 to 14 digits; NaN for anything else (the slow path decides). */
  private epoch(s: string, a: number, b: number): number {
    if (b - a < 9 || b - a > 14) return NaN;
    let v = 0;
    for (let i = a; i < b; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return NaN;
      v = v * 10 + c;
    }
    if (v >= 1e14 || v < 1e8) return NaN;
    if (v >= 1e11) {
      this.unit = 'ms';
      return v;
    }
    this.unit = 's';
    return v * 1000;
  }

  /** The common ISO-8601 shapes, validated; NaN for anything else (the slow path decides and words the error). */
  private iso(s: string, a: number, b: number): number {
    const y = digits4(s, a);
    const mo = digits2(s, a + 5);
    const d = digits2(s, a + 8);
    if (y < 100 || mo < 1 || d < 1 || s.charCodeAt(a + 7) !== 45) return NaN; // y < 100: Date.UTC maps it to 19yy
    const key = y * 10000 + mo * 100 + d;
    let dayMs: number;
    if (key === this.lastDateKey) dayMs = this.lastDateMs;
    else {
      if (mo > 12 || d > daysInMonth(y, mo)) return NaN;
      dayMs = Date.UTC(y, mo - 1, d);
      this.lastDateKey = key;
      this.lastDateMs = dayMs;
    }
    let p = a + 10;
    let ms = dayMs;
    if (p < b) {
      const sep = s.charCodeAt(p);
      if (sep !== 84 && sep !== 32) return NaN; // 'T' or ' '
      const hh = digits2(s, p + 1);
      const mm = digits2(s, p + 4);
      if (p + 6 > b || s.charCodeAt(p + 3) !== 58 || !(hh >= 0 && hh <= 23 && mm >= 0 && mm <= 59)) return NaN;
      ms += (hh * 60 + mm) * 60_000;
      p += 6;
      if (p < b && s.charCodeAt(p) === 58) {
        const ss = digits2(s, p + 1);
        if (p + 3 > b || !(ss >= 0 && ss <= 59)) return NaN;
        ms += ss * 1000;
        p += 3;
        if (p < b && s.charCodeAt(p) === 46) {
          p++;
          let frac = 0;
          let n = 0;
          for (; p < b; p++, n++) {
            const c = s.charCodeAt(p) - 48;
            if (c < 0 || c > 9) break;
            if (n < 3) frac = frac * 10 + c;
          }
          if (n === 0) return NaN;
          for (let k = n; k < 3; k++) frac *= 10;
          ms += frac;
        }
      }
    }
    if (p < b) {
      const z = s.charCodeAt(p);
      if (z === 90 && p + 1 === b) p++; // 'Z'
      else if ((z === 43 || z === 45) && p + 6 === b && s.charCodeAt(p + 3) === 58) {
        const oh = digits2(s, p + 1);
        const om = digits2(s, p + 4);
        if (!(oh >= 0 && oh <= 23 && om >= 0 && om <= 59)) return NaN;
        ms += (z === 43 ? -1 : 1) * (oh * 60 + om) * 60_000;
        p = b;
      } else return NaN;
    }
    this.unit = 'iso';
    return ms;
  }
}

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Two decimal digits at i as a number, or -1. */
function digits2(s: string, i: number): number {
  const h = s.charCodeAt(i) - 48;
  const l = s.charCodeAt(i + 1) - 48;
  return h >= 0 && h <= 9 && l >= 0 && l <= 9 ? h * 10 + l : -1;
}

function digits4(s: string, i: number): number {
  const h = digits2(s, i);
  const l = digits2(s, i + 2);
  return h < 0 || l < 0 ? -1 : h * 100 + l;
}
