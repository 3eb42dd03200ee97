import { DEFAULT_TIME_ZONE, formatDateTime } from '../src/domain/timezone.js';

/** Number formats shared by every reply, so the same value reads the same everywhere. */
export function fmtRho(x: number): string {
  return (x >= 0 ? '+' : '') + x.toFixed(3);
}

export function fmtP(p: number): string {
  if (p === 0) return '< 1e-300';
  if (p < 1e-4) return p.toExponential(1);
  return p.toFixed(4);
}

export function fmtCI([lo, hi]: [number, number]): string {
  return `[${fmtRho(lo)}, ${fmtRho(hi)}]`;
}

export function fmtNum(x: number, digits = 3): string {
  return x.toFixed(digits);
}

/**
 * A date-time for replies in the display zone, the zone named: `2024-03-01 14:00 UTC`, `2027-01-13 15:00 GMT+8`.
 * Takes an ISO time (as reply data holds them) or epoch ms.
 */
export function fmtTime(time: string | number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return formatDateTime(typeof time === 'number' ? time : Date.parse(time), timeZone);
}

/** The zone a reply shows its times in: the basket's own, else the config's display.timezone (UTC by default). */
export function displayZone(ctx: { config: { display?: { timezone?: string } } }, basket?: { timezone?: string }): string {
  return basket?.timezone ?? ctx.config.display?.timezone ?? DEFAULT_TIME_ZONE;
}

/** A plain monospace table: first row is the header. Columns are right-aligned except the first. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

/** How strong a correlation is, in words (for chat readers). */
export function strength(rho: number): string {
  const a = Math.abs(rho);
  const dir = rho < 0 ? 'negative' : 'positive';
  if (a >= 0.8) return `very strong ${dir}`;
  if (a >= 0.6) return `strong ${dir}`;
  if (a >= 0.4) return `moderate ${dir}`;
  if (a >= 0.2) return `weak ${dir}`;
  return 'negligible';
}
