import { withCalendar } from '../src/alerts/policy.js';
import { historySpanFactor, longestClosureBars, type Calendar } from '../src/domain/calendar.js';
import { UserError } from '../src/domain/errors.js';
import { calendarNote, resolveBasketCalendar } from '../src/market/basket-calendar.js';
import { isoTime, timeframeMs } from '../src/domain/timeframe.js';
import { basketFromConfig } from '../src/config/baskets.js';
import { runBacktest } from '../src/backtest/run.js';
import { RegimeDetector } from '../src/regime/detector.js';
import { loadAligned } from '../src/market/load.js';
import { alignedReturns } from '../src/query/returns-window.js';
import { detectorConfigFor, policyConfigFor } from '../src/config/basket-settings.js';
import { requireBasket } from './basket-lookup.js';
import { calendarArg, jsonArg, sourceArg } from './common-args.js';
import { backtestCsv, csvArg } from './csv-export.js';
import { displayZone, fmtRho, fmtTime, table } from './format.js';
import type { CommandSpec } from './types.js';
import { ForecastEvaluation, type ForecastSkill } from '../src/forecast/evaluate.js';
import type { RegimeReading } from '../src/regime/types.js';

/** The forecast evaluation as reply fields. */
function forecastFields(s: ForecastSkill): { name: string; value: string }[] {
  const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const out = [
    { name: `forecast of avg ρ, ${s.horizonBars} bars ahead`, value: `${s.verdict}; ${s.scored} forecasts scored after ${s.trainBars} bars of training` },
    { name: 'MSE on atanh(avg ρ)', value: `model ${f(s.mse.model, 5)} (${s.model?.kind ?? 'none'}), persistence ${f(s.mse.persistence, 5)}, EWMA ${f(s.mse.ewma, 5)}; skill vs persistence ${f(s.skill.vsPersistence, 3)}, vs EWMA ${f(s.skill.vsEwma, 3)}` },
    { name: 'interval coverage', value: `${f(100 * s.coverage.observed, 1)}% of outcomes inside the ${Math.round(100 * s.coverage.nominal)}% intervals` },
  ];
  if (s.brier) out.push({ name: 'P(stressed) Brier score', value: `model ${f(s.brier.model)}, climatology ${f(s.brier.climatology)}, skill ${f(s.brier.skill, 3)} (${s.brier.scored} scored)` });
  else out.push({ name: 'P(stressed) Brier score', value: 'n/a: the regime model was never fitted in this range' });
  return out;
}
import { checkBars, checkSymbolCount } from '../src/domain/limits.js';

export const backtestCommand: CommandSpec = {
  name: 'backtest',
  heavy: true,
  summary: 'replay history through the detector and alert policy and list every alert it would have sent',
  adminOnly: false,
  surfaces: ['cli'],
  args: [
    { name: 'symbols', type: 'symbol', positional: true, variadic: true, description: 'symbols of an ad-hoc basket (or use --basket)' },
    { name: 'basket', type: 'basket', description: 'a configured basket', autocomplete: 'basket' },
    { name: 'from', type: 'time', description: 'first bar replayed', default: 'as far back as the source allows (market.maxBars for exchanges)' },
    { name: 'to', type: 'time', description: 'last bar replayed', default: 'the latest closed bar' },
    { name: 'timeframe', type: 'timeframe', description: 'bar size for an ad-hoc basket', default: "the basket's, or 1h / a CSV file's own interval" },
    { name: 'window', type: 'window', description: 'correlation window for an ad-hoc basket', default: 'sized to the timeframe' },
    { name: 'forecast-eval', type: 'word', flag: true, description: 'also score forecasts of avg ρ at --horizon against persistence and EWMA, out of sample' },
    { name: 'horizon', type: 'duration', description: 'forecast horizon for --forecast-eval', default: '24h' },
    calendarArg,
    sourceArg,
    jsonArg,
    csvArg,
  ],
  csv: backtestCsv,
  examples: ['backtest --basket majors --from 2024-01-01', 'backtest BTC ETH SOL --source csv:prices.csv --json', 'backtest --basket majors --forecast-eval --horizon 24h'],
  async handler(ctx, args) {
    const symbols = args.symbols as string[] | undefined;
    const basketName = args.basket as string | undefined;
    if (!!symbols?.length === !!basketName) throw new UserError('bad_usage', 'give either --basket NAME or two or more symbols');
    let name: string;
    let settings;
    if (basketName) {
      settings = { ...(await requireBasket(ctx, basketName)) };
      name = settings.name;
    } else {
      if (symbols!.length < 2) throw new UserError('bad_usage', 'a backtest needs at least two symbols');
      const timeframe = (args.timeframe as string | undefined) ?? (await ctx.market.nativeTimeframe?.()) ?? ctx.config.defaults.timeframe;
      settings = basketFromConfig('ad-hoc', { symbols: symbols!, timeframe, window: args.window as string | undefined }, ctx.config, 0);
      name = 'ad-hoc';
    }
    if (args.timeframe && basketName) settings.timeframe = args.timeframe as string;
    checkSymbolCount(settings.symbols.length);
    await Promise.all(settings.symbols.map((s) => ctx.market.resolveSymbol(s)));
    const tf = timeframeMs(settings.timeframe);
    const latest = (await ctx.market.latestBarTime?.(settings.timeframe)) ?? Math.floor(ctx.clock.now() / tf) * tf - tf;
    const to = Math.min((args.to as number | undefined) ?? latest, latest);
    const from = (args.from as number | undefined) ?? (ctx.market.id.startsWith('csv:') ? 0 : to - ctx.config.market.maxBars * tf);
    if (from >= to) throw new UserError('bad_range', `--from ${isoTime(from)} is not before --to ${isoTime(to)}`);
    if (!ctx.market.id.startsWith('csv:')) {
      checkBars(Math.round((to - from) / tf), ctx.config.market.maxBars, `a backtest from ${isoTime(from)} to ${isoTime(to)} of ${settings.timeframe} bars`, 'use a later --from or a larger timeframe (market.maxBars sets the bound)');
    }
    const cal = await resolveBasketCalendar(ctx.market, settings.symbols, args.calendar as Calendar | undefined);
    const dcfg = detectorConfigFor(settings, ctx.config);
    const detector = new RegimeDetector(dcfg);
    // With --from, the history before it warms the detector up (as the watcher replays it), so alerts are decided
    // from --from on; without it, the warm-up comes out of the range.
    const warmFrom = args.from === undefined ? from : from - Math.ceil(detector.historyReturns * historySpanFactor(cal.calendar)) * tf;
    const aligned = await loadAligned(ctx.market, settings.symbols, settings.timeframe, warmFrom, to + tf, { calendar: cal.calendar });
    const rw = alignedReturns(aligned, cal.calendar);
    rw.notes = [calendarNote(cal), ...rw.notes];
    const need = detector.warmupReturns;
    if (rw.times.length < need) {
      throw new UserError('too_few_returns', `the detector needs at least ${need} returns (volatility warm-up, a window of ${dcfg.window} and a minimal baseline) before it can decide; only ${rw.times.length} in the range. Use an earlier --from or a shorter window`);
    }
    // Staleness on the basket's calendar; a `data` calendar allows for the longest closure in the replayed data.
    const policy = withCalendar(policyConfigFor(settings, ctx.config), cal.calendar, longestClosureBars(aligned.timestamps, tf));
    let evaluation: ForecastEvaluation | undefined;
    if (args['forecast-eval']) {
      const H = Math.round(((args.horizon as number | undefined) ?? 86_400_000) / tf);
      if (H < 1) throw new UserError('bad_horizon', `--horizon is less than one ${settings.timeframe} bar`);
      evaluation = new ForecastEvaluation({ assets: settings.symbols.length, window: dcfg.window, horizon: H });
    }
    const onBar = evaluation ? (row: Float64Array, reading: RegimeReading | undefined, d: RegimeDetector) => evaluation.push(row, reading?.regime, d.regimeModelState()) : undefined;
    const res = runBacktest(rw, dcfg, policy, { onProgress: ctx.progress, keepReadings: false, reportFrom: from, onBar });
    const skill = evaluation?.report();
    const first = rw.times.findIndex((t) => t >= from);
    const reported = first === -1 ? 0 : rw.times.length - first;
    if (warmFrom < from && rw.times.length > 0 && rw.times[0] >= from) rw.notes.push('no history before --from: the warm-up comes out of the range');
    const data = {
      basket: name,
      symbols: settings.symbols,
      timeframe: settings.timeframe,
      window: dcfg.window,
      baseline: dcfg.baseline,
      bars: aligned.timestamps.filter((t) => t >= from).length,
      from: reported ? isoTime(rw.times[first]) : null,
      to: rw.times.length ? isoTime(rw.times[rw.times.length - 1]) : null,
      alerts: res.alerts,
      summary: { ...res.summary, notes: rw.notes },
      ...(skill ? { forecastEval: skill } : {}),
    };
    const tz = displayZone(ctx, settings);
    const rows = [['at', 'state', 'regime', 'avg ρ', 'evidence', 'reason'], ...res.alerts.map((a) => [fmtTime(a.at, tz), a.state, a.regime, fmtRho(a.avgCorrelation), a.z.toFixed(1), a.reason.slice(0, 70)])];
    const s = res.summary;
    return {
      title: `Backtest ${name}: ${s.notifications.firing} alert episode${s.notifications.firing === 1 ? '' : 's'} over ${reported} returns`,
      text:
        (res.alerts.length ? table(rows) : 'No alerts would have been sent.') +
        `\n\nThe detector could decide from ${s.firstDecisionAt ? fmtTime(s.firstDecisionAt, tz) : 'never'} (after ${s.warmupReturns} returns of warm-up).` +
        (s.noReading ? `\n${s.noReading.bars} bar${s.noReading.bars === 1 ? '' : 's'} between ${fmtTime(s.noReading.from, tz)} and ${fmtTime(s.noReading.to, tz)} had no reading: ${s.noReading.why}.` : ''),
      fields: [
        { name: 'bars in regime', value: Object.entries(s.regimeBars).map(([k, v]) => `${k} ${v}`).join(', ') },
        { name: 'notifications', value: Object.entries(s.notifications).map(([k, v]) => `${k} ${v}`).join(', ') },
        ...(skill ? forecastFields(skill) : []),
      ],
      footer: [`source: ${ctx.market.venue}`, `window ${dcfg.window} × ${settings.timeframe}`, `baseline ${dcfg.baseline}`, ...rw.notes].join(' · '),
      data,
    };
  },
};
