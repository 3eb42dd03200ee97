import type { Calendar } from '../domain/calendar.js';
import type { AlignedCloses, AlignmentReport, Candle } from '../domain/types.js';
import { isoTime, timeframeMs } from '../domain/timeframe.js';

/** Largest (sign 1) or smallest (sign -1) value. */
function extreme(values: Iterable<number>, sign: 1 | -1): number {
  let best = sign === 1 ? -Infinity : Infinity;
  for (const v of values) if (sign === 1 ? v > best : v < best) best = v;
  return best;
}

export interface SymbolCandles {
  symbol: string;
  candles: Candle[];
}

/**
 * Align several symbols' closes on exact timestamps (inner join): a timestamp is kept only when every symbol has
 * a bar there. Nothing is filled. The report says what was dropped and why:
 * - droppedPerSymbol: bars of each symbol with no partner in some other symbol;
 * - lateStarters: symbols whose first bar is after the earliest first bar (the join starts at the latest one);
 * - earlyEnders: symbols whose last bar is before the latest last bar (the join ends at the earliest one);
 * - gaps: per symbol, bars missing on the timeframe grid inside the common range [latest first bar, earliest last
 *   bar] (a bar missing from every symbol counts too: the return across it spans two bars). Only on the
 *   `continuous` calendar: a market that closes (weekends, holidays) has no grid to miss, and its closures are not
 *   missing data (src/domain/calendar.ts).
 * A bar whose close is not a positive finite number is left out (a missing bar, in the notes).
 * Candles need not be sorted; a repeated timestamp keeps the last candle given and is mentioned in the notes.
 */
export function alignCandles(series: SymbolCandles[], timeframe: string, calendar: Calendar = 'continuous'): AlignedCloses {
  const tf = timeframeMs(timeframe);
  const notes: string[] = [];
  const maps = series.map(({ symbol, candles }) => {
    const m = new Map<number, number>();
    const bad: string[] = [];
    for (const k of candles) {
      if (typeof k.c !== 'number' || !Number.isFinite(k.c) || k.c <= 0) {
        // A bar whose close is no price (NaN, 0, negative: an exchange's glitch) is left out, as if missing: the
        // basket goes on from the bars around it instead of failing on every tick while the bar is in its history.
        bad.push(`${String(k.c)} at ${Number.isFinite(k.t) ? isoTime(k.t) : String(k.t)}`);
        m.delete(k.t);
        continue;
      }
      m.set(k.t, k.c);
    }
    if (bad.length > 0) notes.push(`${symbol}: ${bad.length} bar${bad.length === 1 ? '' : 's'} left out, the close not a positive number (${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ', ...' : ''})`);
    if (m.size + bad.length < candles.length) notes.push(`${symbol}: ${candles.length - m.size - bad.length} repeated timestamps; kept the last bar of each`);
    return m;
  });

  const droppedPerSymbol: Record<string, number> = {};
  const lateStarters: AlignmentReport['lateStarters'] = [];
  const earlyEnders: AlignmentReport['earlyEnders'] = [];
  const gaps: AlignmentReport['gaps'] = [];
  const empty = series.filter((_, i) => maps[i].size === 0).map((s) => s.symbol);

  let common: number[] = [];
  if (series.length > 0 && empty.length === 0) {
    // Join starting from the smallest map.
    const order = maps.map((_, i) => i).sort((a, b) => maps[a].size - maps[b].size);
    common = [...maps[order[0]].keys()].filter((t) => order.every((i) => maps[i].has(t))).sort((a, b) => a - b);
  }
  series.forEach(({ symbol }, i) => {
    droppedPerSymbol[symbol] = maps[i].size - common.length;
  });
  for (const s of empty) notes.push(`${s} has no bars in the range`);

  if (empty.length === 0 && series.length > 1) {
    // Loops, not Math.min(...keys): tens of thousands of arguments can overflow the stack.
    const firsts = maps.map((m) => extreme(m.keys(), -1));
    const lasts = maps.map((m) => extreme(m.keys(), 1));
    const earliest = extreme(firsts, -1);
    const start = extreme(firsts, 1);
    const end = extreme(lasts, -1);
    const latest = extreme(lasts, 1);
    series.forEach(({ symbol }, i) => {
      if (firsts[i] > earliest) lateStarters.push({ symbol, firstBar: isoTime(firsts[i]) });
      if (lasts[i] < latest) earlyEnders.push({ symbol, lastBar: isoTime(lasts[i]) });
    });
    if (lateStarters.length > 0) {
      const names = lateStarters.map((l) => `${l.symbol} (${l.firstBar})`).join(', ');
      notes.push(`data starts later for ${names}: the aligned series starts at ${isoTime(start)}`);
    }
    if (start > end) {
      notes.push(`the symbols' date ranges do not overlap (latest start ${isoTime(start)}, earliest end ${isoTime(end)})`);
    } else if (calendar === 'continuous') {
      series.forEach(({ symbol }, i) => {
        let missing = 0;
        for (let t = start; t <= end; t += tf) if (!maps[i].has(t)) missing++;
        if (missing > 0) gaps.push({ symbol, missing });
      });
      for (const g of gaps) notes.push(`${g.symbol}: ${g.missing} ${timeframe} bar${g.missing === 1 ? '' : 's'} missing between ${isoTime(start)} and ${isoTime(end)}`);
    }
  }
  const dropped = Object.entries(droppedPerSymbol).filter(([, n]) => n > 0);
  if (dropped.length > 0) {
    notes.push(`dropped bars without a partner in every symbol: ${dropped.map(([s, n]) => `${s} ${n}`).join(', ')}; ${common.length} aligned bars kept`);
  }

  const timestamps = Float64Array.from(common);
  const closes = maps.map((m) => Float64Array.from(common, (t) => m.get(t) as number));
  return {
    symbols: series.map((s) => s.symbol),
    timeframe,
    timestamps,
    closes,
    report: { kept: common.length, droppedPerSymbol, lateStarters, earlyEnders, gaps, notes },
  };
}
