import { randomBytes } from 'node:crypto';
import { parseAlertState } from '../src/alerts/policy.js';
import { SourceError, UserError } from '../src/domain/errors.js';
import type { Calendar } from '../src/domain/calendar.js';
import { isoTime, timeframeMs } from '../src/domain/timeframe.js';
import { calendarNote } from '../src/market/basket-calendar.js';
import { asOfText, evaluationBar } from '../src/query/evaluation-bar.js';
import type { Reply } from '../src/domain/reply.js';
import { detectorConfigFor } from '../src/config/basket-settings.js';
import type { RegimeReading } from '../src/regime/types.js';
import { BasketSession } from '../src/scheduler/basket-session.js';
import { stressedWithinDay, stressWithinLine } from '../src/forecast/regime-outlook.js';
import type { Basket } from '../src/store/types.js';
import { listBaskets, requireBasket } from './basket-lookup.js';
import { calendarArg, chartArg, jsonArg, sourceArg } from './common-args.js';
import { displayZone, fmtRho, fmtTime, table } from './format.js';
import type { CommandContext, CommandSpec } from './types.js';

const EMOJI: Record<string, string> = { calm: '🟢', converging: '🟠', stressed: '🔴', decoupling: '🔵' };

interface Replay {
  readings: RegimeReading[];
  /** P(stressed within 24h) from the regime model after the replay; null when not fitted or not distinct. */
  stressedWithinDay: number | null;
  /** The calendar used and, for a source whose data ends in the past, the bar evaluated ("as of 1998-08-14 ..."). */
  notes: string[];
  /** Set when the data ends before the clock's latest bar: the date the answer is about. */
  asOf?: string;
  /** Why the newest bar has no reading (RegimeDetector.noReadingWhy: a symbol that did not move over the window). */
  noReadingWhy?: string;
}

/**
 * Replay the basket's recent history through the detector (the same one the watcher runs), up to the latest
 * closed bar: the source's last bar when its data ends in the past (a CSV file), so an old file is evaluated at
 * its end rather than refused for want of recent bars.
 */
async function readingsOf(ctx: CommandContext, b: Basket, calendar: Calendar | undefined): Promise<Replay> {
  const { endBar, asOfNote } = await evaluationBar(ctx.market, b.timeframe, ctx.clock);
  const session = new BasketSession('regime', b.symbols, b.timeframe, detectorConfigFor(b, ctx.config), { calendar });
  const bars = await session.advance(ctx.market, asOfNote ? endBar + timeframeMs(b.timeframe) : ctx.clock.now(), { detailAfter: Infinity });
  const halted = bars.length > 0 ? session.detector.halted.map((h) => `${h.symbol} unchanged for ${h.bars} bars (halted: left out of the convergence evidence until it moves)`) : [];
  const notes = [...(asOfNote ? [asOfNote] : []), ...(session.calendar ? [calendarNote(session.calendar)] : []), ...halted];
  const readings = bars.flatMap((x) => (x.reading ? [x.reading] : []));
  const stressedWithin = stressedWithinDay(session.detector.regimeModelState(), timeframeMs(b.timeframe));
  const noReadingWhy = bars.length > 0 ? session.detector.noReadingWhy : undefined;
  return { readings, notes, stressedWithinDay: stressedWithin, ...(asOfNote ? { asOf: asOfText(endBar, b.timeframe) } : {}), ...(noReadingWhy ? { noReadingWhy } : {}) };
}

/** First bar of the current run of the same regime. */
function sinceOf(readings: RegimeReading[]): number {
  const last = readings[readings.length - 1];
  let k = readings.length - 1;
  while (k > 0 && readings[k - 1].regime === last.regime) k--;
  return readings[k].at;
}

async function oneBasket(ctx: CommandContext, b: Basket, calendar: Calendar | undefined): Promise<Reply> {
  const { readings, notes, asOf, stressedWithinDay: outlook, noReadingWhy } = await readingsOf(ctx, b, calendar);
  const asOfData = asOf ? { asOf } : {};
  if (noReadingWhy) {
    const last = readings.at(-1);
    const before = last ? ` The last reading, for the bar of ${fmtTime(last.at, displayZone(ctx, b))}, was ${last.regime} (avg ρ ${fmtRho(last.avgCorrelation)}).` : '';
    return {
      title: `${b.name}: no regime reading${asOf ? ` (as of ${asOf})` : ''}`,
      text: `${noReadingWhy.charAt(0).toUpperCase()}${noReadingWhy.slice(1)}.${before}`,
      footer: [`${b.symbols.join(' ')}`, `source ${ctx.market.venue}`, ...notes].join(' · '),
      severity: 'warning',
      data: { basket: b.name, regime: null, noReading: noReadingWhy, lastReadingAt: last ? isoTime(last.at) : null, ...asOfData, notes },
    };
  }
  if (!readings.length) {
    return { title: `${b.name}: not enough history yet`, text: `The detector needs a volatility warm-up, one window (${b.window}) and a minimal baseline of ${b.timeframe} bars before it can classify.`, footer: notes.join(' · '), severity: 'info', data: { basket: b.name, regime: null, ...asOfData } };
  }
  const r = readings[readings.length - 1];
  const since = sinceOf(readings);
  const tz = displayZone(ctx, b);
  const rt = await ctx.services.store?.getRuntime(b.name);
  const phase = rt ? parseAlertState(rt.alertState).phase : undefined;
  const fields = [
    { name: 'avg ρ', value: `${fmtRho(r.avgCorrelation)} (baseline ${fmtRho(r.baselineRho)}, z ${r.z.toFixed(1)})`, inline: true },
    {
      name: 'convergence evidence',
      value: r.regime === 'converging' || r.regime === 'stressed' ? `${r.score.toFixed(1)} (in an episode; it ends below ${b.thresholds.exitZ})` : `${r.score.toFixed(1)} (alert at ${b.thresholds.enterZ})`,
      inline: true,
    },
    { name: 'since', value: fmtTime(since, tz), inline: true },
    { name: 'dispersion', value: r.dispersion.toFixed(3), inline: true },
    { name: 'absorption ratio', value: `${r.absorptionRatio.toFixed(3)} (shift ${r.absorptionShift >= 0 ? '+' : ''}${r.absorptionShift.toFixed(1)}σ)`, inline: true },
    { name: 'stress probability', value: r.stressProbability === null ? 'model not fitted yet' : `${Math.round(r.stressProbability * 100)}%`, inline: true },
  ];
  fields.push({ name: 'outlook', value: outlook === null ? 'P(stressed within 24h): n/a (no distinct stress state fitted yet)' : stressWithinLine(outlook), inline: true });
  if (phase) fields.push({ name: 'alert', value: phase, inline: true });
  if (r.drivers.length) fields.push({ name: 'pairs that moved most', value: r.drivers.map((d) => `${d.a}/${d.b} ${fmtRho(d.baselineRho)} → ${fmtRho(d.rho)}`).join('\n'), inline: false });
  let chart;
  if (ctx.renderCharts && ctx.services.charts) {
    const recent = readings.slice(-Math.min(readings.length, 4 * detectorConfigFor(b, ctx.config).window));
    chart = await ctx.services.charts.regime({
      timestamps: recent.map((x) => x.at),
      avgCorrelation: recent.map((x) => x.avgCorrelation),
      regimes: recent.map((x) => x.regime),
      basket: b.name,
      title: `${b.name}: average correlation and regime (${b.timeframe} bars, window ${b.window})`,
      barMs: timeframeMs(b.timeframe),
    }, { timeZone: tz });
  }
  return {
    title: `${EMOJI[r.regime]} ${b.name}: ${r.regime}${asOf ? ` (as of ${asOf})` : ''}`,
    text: r.why.charAt(0).toUpperCase() + r.why.slice(1) + '.',
    fields,
    chart,
    footer: [`${b.symbols.join(' ')}`, `source ${ctx.market.venue}`, `bar ${fmtTime(r.at, tz)}`, ...notes].join(' · '),
    data: { basket: b.name, regime: r.regime, since: isoTime(since), alert: phase ?? null, stressedWithinDay: outlook, ...asOfData, notes, reading: { ...r, at: isoTime(r.at) } },
  };
}

export const regimeCommand: CommandSpec = {
  name: 'regime',
  heavy: true,
  summary: 'current correlation regime of a basket (or all): since when, why, the pairs that moved most',
  adminOnly: false,
  args: [{ name: 'basket', type: 'basket', positional: true, description: 'basket name', default: 'every basket', autocomplete: 'basket' }, calendarArg, sourceArg, jsonArg, chartArg],
  examples: ['regime majors', 'regime'],
  async handler(ctx, args) {
    const name = args.basket as string | undefined;
    const calendar = args.calendar as Calendar | undefined;
    if (name) return oneBasket(ctx, await requireBasket(ctx, name), calendar);
    const baskets = await listBaskets(ctx);
    if (!baskets.length) return { title: 'No baskets yet', text: 'An admin can create one: basket create NAME SYM SYM ...', data: [] };
    const rows = [['basket', 'regime', 'avg ρ', 'z', 'since']];
    const data = [];
    const errors: string[] = [];
    for (const b of baskets) {
      try {
        const { readings, asOf, noReadingWhy } = await readingsOf(ctx, b, calendar);
        const asOfData = asOf ? { asOf } : {};
        if (noReadingWhy) {
          rows.push([b.name, `no reading: ${noReadingWhy.split(':')[0]}`, '-', '-', '-']);
          data.push({ basket: b.name, regime: null, noReading: noReadingWhy, ...asOfData });
          continue;
        }
        const r = readings[readings.length - 1];
        if (!r) {
          rows.push([b.name, 'warming up', '-', '-', '-']);
          data.push({ basket: b.name, regime: null, ...asOfData });
          continue;
        }
        const sinceText = fmtTime(sinceOf(readings), displayZone(ctx, b)) + (asOf ? ` (as of ${asOf})` : '');
        rows.push([b.name, `${EMOJI[r.regime]} ${r.regime}`, fmtRho(r.avgCorrelation), r.z.toFixed(1), sinceText]);
        data.push({ basket: b.name, regime: r.regime, avgCorrelation: r.avgCorrelation, z: r.z, since: isoTime(sinceOf(readings)), ...asOfData });
      } catch (e) {
        let message: string;
        if (e instanceof UserError || e instanceof SourceError) message = e.message;
        else {
          const errorId = randomBytes(4).toString('hex');
          ctx.log.error('regime failed', { errorId, basket: b.name, error: e });
          message = `internal error (error id ${errorId})`;
        }
        // The row stays one line; the whole message follows the table.
        rows.push([b.name, 'error (below)', '-', '-', '-']);
        errors.push(`${b.name}: ${message}`);
        data.push({ basket: b.name, regime: null, error: message });
      }
    }
    return { title: 'Regimes', text: '```\n' + table(rows) + '\n```' + errors.map((e) => `\n${e}`).join(''), data };
  },
};
