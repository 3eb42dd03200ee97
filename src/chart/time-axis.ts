import type { Scale } from 'chart.js';
import { DEFAULT_TIME_ZONE, formatDateTime, formatShortDateTime, monthName, wallToInstant, zonedParts, zoneName } from '../domain/timezone.js';
import type { Theme } from './theme.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Fixed steps first; month steps are calendar-aware below. */
const FIXED_STEPS = [MIN, 5 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY];
const MONTH_STEPS = [1, 2, 3, 6, 12, 24, 60];

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Tick label in the display zone: `HH:mm` when the axis spans under two days (local midnight shows the date instead,
 * so the day change is visible), `MMM dd` otherwise, `MMM yyyy` past a year, where the day is noise and the year
 * matters. The zone itself is named once, in the axis title (timeAxisTitle).
 */
export function formatTick(ms: number, spanMs: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const d = zonedParts(ms, timeZone);
  if (spanMs < 2 * DAY) {
    if (d.hour === 0 && d.minute === 0) return `${monthName(d.month)} ${pad(d.day)}`;
    return `${pad(d.hour)}:${pad(d.minute)}`;
  }
  if (spanMs >= 365 * DAY) return `${monthName(d.month)} ${d.year}`;
  return `${monthName(d.month)} ${pad(d.day)}`;
}

/** UTC tick label (formatTick in UTC). */
export function formatUtcTick(ms: number, spanMs: number): string {
  return formatTick(ms, spanMs, 'UTC');
}

/** Wall-clock time of an instant in the zone, as if it were UTC (for stepping on local boundaries). */
function wallOf(ms: number, timeZone: string): number {
  if (timeZone === 'UTC') return ms;
  const p = zonedParts(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/**
 * Tick positions on round boundaries of the display zone's wall clock (whole hours, local midnights, month starts),
 * at most `maxTicks`, so labels read as dates rather than the arbitrary millisecond values a linear scale picks.
 * Across a daylight-saving change the ticks stay on the local grid (a skipped local hour gives no tick).
 */
export function ticksIn(min: number, max: number, maxTicks: number, timeZone: string = DEFAULT_TIME_ZONE): number[] {
  const span = Math.max(max - min, 1);
  const limit = Math.max(2, maxTicks);
  const lo = wallOf(min, timeZone);
  const hi = wallOf(max, timeZone);
  const onGrid = (walls: number[]): number[] => {
    const out: number[] = [];
    for (const w of walls) {
      const t = timeZone === 'UTC' ? w : wallToInstant(w, timeZone);
      // A wall time the zone skips maps past the gap, onto a time another tick may hold already.
      if (t >= min && t <= max && (out.length === 0 || t > out[out.length - 1]) && wallOf(t, timeZone) === w) out.push(t);
    }
    return out;
  };
  for (const step of FIXED_STEPS) {
    // From two days on, labels show only the date (formatTick): a sub-day step would repeat each date.
    if (span >= 2 * DAY && step < DAY) continue;
    if (span / step <= limit) {
      const walls: number[] = [];
      for (let w = Math.ceil((lo - step) / step) * step; w <= hi + step; w += step) walls.push(w);
      return onGrid(walls);
    }
  }
  for (const months of MONTH_STEPS) {
    if (span / (months * 30.4 * DAY) <= limit) return onGrid(monthWalls(lo - DAY, hi + DAY, months));
  }
  return [min, max];
}

/** UTC ticks (ticksIn in UTC). */
export function utcTicks(min: number, max: number, maxTicks: number): number[] {
  return ticksIn(min, max, maxTicks, 'UTC');
}

function monthWalls(min: number, max: number, months: number): number[] {
  const start = new Date(min);
  let y = start.getUTCFullYear();
  let m = Math.ceil(start.getUTCMonth() / months) * months;
  const out: number[] = [];
  for (;;) {
    const t = Date.UTC(y, m, 1);
    if (t > max) break;
    if (t >= min) out.push(t);
    m += months;
    while (m >= 12) {
      m -= 12;
      y += 1;
    }
  }
  return out;
}

/** The x axis title naming the zone: `time (UTC)`, `time (America/New_York, EST/EDT)`. */
export function timeAxisTitle(min: number, max: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const names = [...new Set([zoneName(min, timeZone), zoneName(max, timeZone)])].join('/');
  return timeZone === 'UTC' || names === timeZone ? `time (${names})` : `time (${timeZone}, ${names})`;
}

/** The zone as a subtitle names it: its IANA name (`UTC`, `America/New_York`). */
export function timeAxisZone(timeZone: string = DEFAULT_TIME_ZONE): string {
  return timeZone;
}

/**
 * Options for a linear x axis holding epoch-ms values (no date adapter is installed), labelled in `timeZone`.
 * `pixels` is the canvas width, used to keep about one label per 100 px.
 */
export function timeAxis(min: number, max: number, pixels: number, theme: Theme, timeZone: string = DEFAULT_TIME_ZONE) {
  const span = max - min;
  const maxTicks = Math.max(3, Math.floor(pixels / 100));
  return {
    type: 'linear' as const,
    min,
    max: max > min ? max : min + HOUR,
    grid: { color: theme.grid },
    border: { color: theme.axis },
    afterBuildTicks(scale: Scale) {
      scale.ticks = ticksIn(scale.min, scale.max, maxTicks, timeZone).map((value) => ({ value }));
    },
    ticks: {
      color: theme.mutedText,
      font: { size: 13 },
      maxRotation: 0,
      autoSkip: true,
      autoSkipPadding: 12,
      callback: (value: number | string) => formatTick(Number(value), span, timeZone),
    },
    title: { display: true, text: timeAxisTitle(min, max, timeZone), color: theme.mutedText, font: { size: 12 }, padding: { top: 2, bottom: 0 } },
  };
}

/** A UTC time axis (timeAxis in UTC). */
export function utcTimeAxis(min: number, max: number, pixels: number, theme: Theme) {
  return timeAxis(min, max, pixels, theme, 'UTC');
}

/** `2024-01-31 14:00 UTC`, `2027-01-13 15:00 GMT+8`: for alt text. */
export function formatUtc(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return formatDateTime(ms, timeZone);
}

/** `Jan 30 14:00 UTC`, `Jan 13 15:00 EST`: short enough for a subtitle. */
export function formatUtcShort(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return formatShortDateTime(ms, timeZone);
}
