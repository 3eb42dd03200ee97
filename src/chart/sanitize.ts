/** NaN, ±Infinity and undefined become null so Chart.js draws a gap instead of a wild line. */
export function gap(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Throws a message naming the chart and the input when there is nothing to draw. */
export function requireData(chart: string, name: string, length: number): void {
  if (length === 0) throw new Error(`${chart}: no data to chart (${name} is empty)`);
}

/**
 * Per-point series must line up with their timestamps; a mismatch is a caller bug, so say which input is off.
 * `against` names the time input when a chart has more than one (the forecast chart's `pathTimestamps`).
 */
export function requireSameLength(chart: string, name: string, length: number, expected: number, against = 'timestamps'): void {
  if (length !== expected) {
    throw new Error(`${chart}: ${name} has ${length} points but ${against} has ${expected}`);
  }
}

/**
 * Indices of points whose timestamp is usable, in time order. Points without a finite time cannot be placed
 * on the x axis, so they are dropped. Sorting keeps Chart.js's sorted-data fast path (`normalized`) valid.
 */
export function usableIndices(chart: string, timestamps: ArrayLike<number>): number[] {
  requireData(chart, 'timestamps', timestamps.length);
  const out: number[] = [];
  for (let i = 0; i < timestamps.length; i++) if (Number.isFinite(timestamps[i])) out.push(i);
  if (out.length === 0) throw new Error(`${chart}: no data to chart (no finite timestamp)`);
  return out.sort((a, b) => timestamps[a] - timestamps[b]);
}

/** Filename-safe form of a symbol or basket name: `ETH/BTC` -> `ETH_BTC`. */
export function fileSafe(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  return cleaned.length > 0 ? cleaned.slice(0, 60) : 'x';
}

/** Two decimals with a real minus sign, or an en dash for a missing value. */
export function fmt(v: number | null | undefined, digits = 2): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  const s = Math.abs(v).toFixed(digits);
  return v < 0 && Number(s) !== 0 ? `−${s}` : s;
}

/** Last finite value of a series, with its index. */
export function lastFinite(values: ArrayLike<number | null>): { value: number; index: number } | undefined {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) return { value: v, index: i };
  }
  return undefined;
}

/** Smallest and largest finite value, without spreading a large array onto the stack. */
export function extent(values: ArrayLike<number | null>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/**
 * A y range for correlations: room around the finite values rounded to 0.1, within [-1, 1], at least 0.4 tall so
 * small moves do not look dramatic; all of [-1, 1] when there is no value.
 */
export function correlationRange(values: ArrayLike<number | null>): [number, number] {
  const span = extent(values);
  if (!span) return [-1, 1];
  // In whole tenths, so 0.7 - 0.3 is exactly 4 and not 0.39999999999999997.
  let lo = Math.min(10, Math.max(-10, Math.floor((span[0] - 0.05) * 10)));
  let hi = Math.max(-10, Math.min(10, Math.ceil((span[1] + 0.05) * 10)));
  while (hi - lo < 4) {
    if (hi < 10) hi++;
    if (lo > -10 && hi - lo < 4) lo--;
  }
  return [lo / 10, hi / 10];
}
