import type { Scale } from 'chart.js';
import type { Theme } from './theme.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Fixed steps first; month steps are calendar-aware below. */
const FIXED_STEPS = [MIN, 5 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY];
const MONTH_STEPS = [1, 2, 3, 6, 12, 24, 60];

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * UTC tick label: `HH:mm` when the axis spans under two days (midnight shows the date instead, so the
 * day change is visible), `MMM dd` otherwise, `MMM yyyy` past a year, where the day is noise and the year matters.
 */
export function formatUtcTick(ms: number, spanMs: number): string {
  const d = new Date(ms);
  if (spanMs < 2 * DAY) {
    const h = d.getUTCHours();
    const m = d.getUTCMinutes();
    if (h === 0 && m === 0) return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())}`;
    return `${pad(h)}:${pad(m)}`;
  }
  if (spanMs >= 365 * DAY) return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())}`;
}

/**
 * Tick positions on round UTC boundaries (whole hours, midnights, month starts),
 * at most `maxTicks`, so labels read as dates rather than the arbitrary millisecond values a linear scale picks.
 */
export function utcTicks(min: number, max: number, maxTicks: number): number[] {
  const span = Math.max(max - min, 1);
  const limit = Math.max(2, maxTicks);
  for (const step of FIXED_STEPS) {
    // From two days on, labels show only the date (formatUtcTick): a sub-day step would repeat each date.
    if (span >= 2 * DAY && step < DAY) continue;
    if (span / step <= limit) {
      const out: number[] = [];
      for (let t = Math.ceil(min / step) * step; t <= max; t += step) out.push(t);
      return out;
    }
  }
  for (const months of MONTH_STEPS) {
    if (span / (months * 30.4 * DAY) <= limit) return monthTicks(min, max, months);
  }
  return [min, max];
}

function monthTicks(min: number, max: number, months: number): number[] {
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

/**
 * Options for a linear x axis holding epoch-ms values (no date adapter is installed).
 * `pixels` is the canvas width, used to keep about one label per 100 px.
 */
export function utcTimeAxis(min: number, max: number, pixels: number, theme: Theme) {
  const span = max - min;
  const maxTicks = Math.max(3, Math.floor(pixels / 100));
  return {
    type: 'linear' as const,
    min,
    max: max > min ? max : min + HOUR,
    grid: { color: theme.grid },
    border: { color: theme.axis },
    afterBuildTicks(scale: Scale) {
      scale.ticks = utcTicks(scale.min, scale.max, maxTicks).map((value) => ({ value }));
    },
    ticks: {
      color: theme.mutedText,
      font: { size: 13 },
      maxRotation: 0,
      autoSkip: true,
      autoSkipPadding: 12,
      callback: (value: number | string) => formatUtcTick(Number(value), span),
    },
  };
}

/** `2024-01-31 14:00 UTC`, for alt text and subtitles. */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `Jan 30 14:00 UTC`: short enough for a subtitle. */
export function formatUtcShort(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}
