import { DataError } from '../domain/errors.js';
import { fisherCI, pearson } from '../stats/index.js';

export interface RollingPair {
  times: number[];
  short: (number | null)[];
  long: (number | null)[];
  ciLow: (number | null)[];
  ciHigh: (number | null)[];
}

function corrOrNull(x: Float64Array, y: Float64Array): number | null {
  try {
    return pearson(x, y);
  } catch (e) {
    if (e instanceof DataError) return null; // flat or too short here: a gap in the chart
    throw e;
  }
}

/**
 * Rolling Pearson ρ of two return series for the last `span` bars: over a short window (with its Fisher 95% CI)
 * and a long one, each ending at the bar. Bars without a full window are null.
 */
export function rollingPair(times: Float64Array, x: Float64Array, y: Float64Array, shortW: number, longW: number, span: number): RollingPair {
  const out: RollingPair = { times: [], short: [], long: [], ciLow: [], ciHigh: [] };
  const start = Math.max(0, times.length - span);
  for (let k = start; k < times.length; k++) {
    const end = k + 1;
    const s = end >= shortW ? corrOrNull(x.subarray(end - shortW, end), y.subarray(end - shortW, end)) : null;
    const l = end >= longW ? corrOrNull(x.subarray(end - longW, end), y.subarray(end - longW, end)) : null;
    const ci = s === null ? null : fisherCI(s, shortW);
    out.times.push(times[k]);
    out.short.push(s);
    out.long.push(l);
    out.ciLow.push(ci ? ci[0] : null);
    out.ciHigh.push(ci ? ci[1] : null);
  }
  return out;
}
