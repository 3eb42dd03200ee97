import { UserError } from '../src/domain/errors.js';
import type { Calendar } from '../src/domain/calendar.js';
import type { Reply } from '../src/domain/reply.js';
import { durationMs, isoTime, timeframeMs } from '../src/domain/timeframe.js';
import { SYMBOL_HINT, SYMBOL_PATTERN } from '../src/domain/patterns.js';
import { checkSymbolCount } from '../src/domain/limits.js';
import { basketFromConfig } from '../src/config/baskets.js';
import { detectorConfigFor } from '../src/config/basket-settings.js';
import { calendarNote } from '../src/market/basket-calendar.js';
import { asOfText, evaluationBar } from '../src/query/evaluation-bar.js';
import { BasketSession } from '../src/scheduler/basket-session.js';
import { withSymbols } from '../src/query/name-errors.js';
import { forecastBasket, minForecastReturns, type BasketForecast } from '../src/forecast/basket-forecast.js';
import type { CorrelationModel } from '../src/forecast/dcc.js';
import { regimeOutlook, stressWithinLine } from '../src/forecast/regime-outlook.js';
import type { Basket } from '../src/store/types.js';
import { findBasket, requireBasket } from './basket-lookup.js';
import { calendarArg, chartArg, jsonArg, sourceArg, timeframeArg } from './common-args.js';
import { csvArg, forecastCsv } from './csv-export.js';
import { displayZone, fmtRho } from './format.js';
import type { CommandContext, CommandSpec } from './types.js';

/** Longest horizon: a week of days, and at most this many bars ahead. */
const MAX_HORIZON_MS = 30 * 86_400_000;
const MAX_HORIZON_BARS = 1000;
const HORIZON_PATTERN = /^\d+(\.\d+)?(m|h|d|w)$/i;

/** The model and its parameters, as the JSON shows them. */
function modelData(m: CorrelationModel): Record<string, unknown> {
  return m.kind === 'dcc' ? { kind: 'dcc', a: m.a, b: m.b, persistence: m.a + m.b, garch: m.garch } : { kind: 'ewma', lambda: m.lambda, reason: m.reason };
}

function modelText(m: CorrelationModel): string {
  return m.kind === 'dcc' ? `DCC(1,1), a ${m.a.toFixed(3)}, b ${m.b.toFixed(3)} (half-life ${halfLife(m.a + m.b)})` : `EWMA λ ${m.lambda} (${m.reason})`;
}

function halfLife(persistence: number): string {
  if (!(persistence > 0 && persistence < 1)) return 'none';
  return `${(Math.log(0.5) / Math.log(persistence)).toFixed(0)} bars`;
}

/** A rough duration: "3 hours", "12 days", "never" for an absorbing state. */
function aboutDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'never (the model sees no way out of this regime)';
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.max(1, Math.round(ms / 60_000))} minutes`;
  if (h < 48) return `${Math.round(h)} hours`;
  return `${Math.round(h / 24)} days`;
}

const pct = (p: number) => `${Math.round(p * 100)}%`;

function forecastReply(f: BasketForecast, b: Basket, horizon: string, venue: string, notes: string[], asOf?: string): Reply {
  const a = f.avgCorrelation;
  const end = a.path[a.path.length - 1];
  const fields = [
    { name: 'avg ρ now', value: `${fmtRho(a.now)} (smoothed ${fmtRho(a.smoothed)}, ${pct(f.coverage)} band ${fmtRho(a.band[0])} to ${fmtRho(a.band[1])})`, inline: false },
    { name: `avg ρ in ${horizon}`, value: `${fmtRho(end.mean)} (${pct(f.coverage)} interval ${fmtRho(end.lo)} to ${fmtRho(end.hi)})`, inline: false },
  ];
  if (f.regime) {
    const probs = f.regime.states.map((s) => `${s} ${f.regime!.probabilities[s].toFixed(2)}`).join(', ');
    fields.push({ name: `regime odds in ${horizon}`, value: probs, inline: false });
    fields.push({ name: 'stress', value: stressWithinLine(f.regime.stressedWithin, horizon), inline: true });
    fields.push({ name: 'next regime switch', value: `in about ${aboutDuration(f.regime.expectedBarsToSwitch * timeframeMs(b.timeframe))} (expected)`, inline: true });
  } else {
    fields.push({ name: 'regime odds', value: 'the regime model is not fitted yet (too little history)', inline: false });
  }
  const movers = [...f.pairs].sort((x, y) => Math.abs(y.forecast - y.now) - Math.abs(x.forecast - x.now)).slice(0, 3);
  fields.push({ name: 'pairs moving most', value: movers.map((p) => `${p.a}/${p.b} ${fmtRho(p.now)} → ${fmtRho(p.forecast)}`).join('\n'), inline: false });
  fields.push({ name: 'model', value: modelText(f.model), inline: false });
  return {
    title: `${b.name}: avg ρ ${fmtRho(a.now)} → ${fmtRho(end.mean)} in ${horizon}${asOf ? ` (as of ${asOf})` : ''}`,
    text: `Forecast of the window average correlation (${b.window} of ${b.timeframe} bars) ${horizon} ahead, with a ${pct(f.coverage)} interval. Its skill against persistence is measured by \`backtest --forecast-eval\`.`,
    fields,
    footer: [b.symbols.join(' '), `source ${venue}`, ...notes, ...f.notes].join(' · '),
    severity: 'info',
  };
}

export const forecastCommand: CommandSpec = {
  name: 'forecast',
  heavy: true,
  summary: "where a basket's avg correlation is heading: a forecast with an interval, and the regime odds",
  adminOnly: false,
  args: [
    { name: 'targets', type: 'word', positional: true, variadic: true, description: 'a basket, or two or more symbols; then a horizon such as 24h', autocomplete: 'basket' },
    { name: 'basket', type: 'basket', description: 'a basket name (instead of symbols)', autocomplete: 'basket' },
    // No `default` here: a horizon may also follow the basket (`forecast majors 7d`); absent both, 24h.
    { name: 'horizon', type: 'duration', description: 'how far ahead (default 24h)' },
    timeframeArg,
    calendarArg,
    sourceArg,
    jsonArg,
    chartArg,
    csvArg,
  ],
  csv: forecastCsv,
  examples: ['forecast majors', 'forecast majors 7d', 'forecast BTC ETH SOL --horizon 12h', 'forecast --basket majors --json'],
  async handler(ctx, args) {
    const targets = [...((args.targets as string[] | undefined) ?? [])];
    let horizonText = '24h';
    let horizonMs = args.horizon as number | undefined;
    if (horizonMs === undefined && targets.length > 1 && HORIZON_PATTERN.test(targets[targets.length - 1])) {
      horizonText = targets.pop()!.toLowerCase();
      horizonMs = durationMs(horizonText);
    } else if (horizonMs !== undefined) horizonText = rawHorizon(args.horizon as number);
    horizonMs ??= 86_400_000;
    const b = await basketOf(ctx, targets, args.basket as string | undefined, args.timeframe as string | undefined);
    const tf = timeframeMs(b.timeframe);
    const H = Math.round(horizonMs / tf);
    if (H < 1) throw new UserError('bad_horizon', `a horizon of ${horizonText} is less than one ${b.timeframe} bar`);
    if (horizonMs > MAX_HORIZON_MS || H > MAX_HORIZON_BARS) {
      throw new UserError('bad_horizon', `a horizon of ${horizonText} is ${H} ${b.timeframe} bars; forecasts reach at most ${MAX_HORIZON_BARS} bars and 30 days`);
    }
    const { endBar, asOfNote } = await evaluationBar(ctx.market, b.timeframe, ctx.clock);
    const dcfg = detectorConfigFor(b, ctx.config);
    const session = new BasketSession('forecast', b.symbols, b.timeframe, dcfg, { calendar: args.calendar as Calendar | undefined });
    const bars = await session.advance(ctx.market, asOfNote ? endBar + tf : ctx.clock.now(), { detailAfter: Infinity, keepReturns: true });
    const withReturns = bars.filter((x) => x.returns);
    if (withReturns.length < minForecastReturns(dcfg.window)) {
      throw new UserError('too_few_returns', `a forecast over a window of ${dcfg.window} ${b.timeframe} returns needs ${minForecastReturns(dcfg.window)} returns of history; ${ctx.market.venue} has ${withReturns.length} up to ${isoTime(endBar)}`);
    }
    const times = Float64Array.from(withReturns.map((x) => x.at));
    const returns = b.symbols.map((_, i) => Float64Array.from(withReturns.map((x) => x.returns![i])));
    const f = withSymbols(b.symbols, () => forecastBasket({ symbols: b.symbols, times, returns, window: dcfg.window, horizon: H, barMs: tf, regime: session.detector.regimeModelState() }));
    const notes = [...(asOfNote ? [asOfNote] : []), ...(session.calendar ? [calendarNote(session.calendar)] : [])];
    // The regime odds at the standard horizons too: the next bar, 24 hours, 7 days.
    const modelState = session.detector.regimeModelState();
    const outlook = modelState
      ? Object.fromEntries(
          ([['1bar', 1], ['24h', 86_400_000 / tf], ['7d', 604_800_000 / tf]] as const).map(([k, bars]) => {
            const o = regimeOutlook(modelState, Math.max(1, Math.round(bars)));
            return [k, { bars: o.horizonBars, probabilities: o.probabilities, stressedWithin: o.stressedWithin }];
          }),
        )
      : null;
    const asOf = asOfNote ? asOfText(endBar, b.timeframe) : undefined;
    const reply = forecastReply(f, b, horizonText, ctx.market.venue, notes, asOf);
    const a = f.avgCorrelation;
    reply.data = {
      basket: b.name === 'ad-hoc' ? null : b.name,
      symbols: b.symbols,
      timeframe: b.timeframe,
      window: dcfg.window,
      horizon: horizonText,
      horizonBars: H,
      coverage: f.coverage,
      model: modelData(f.model),
      avgCorrelation: { now: a.now, smoothed: a.smoothed, band: a.band, path: a.path.map((p) => ({ at: isoTime(p.at), mean: p.mean, lo: p.lo, hi: p.hi })) },
      pairs: f.pairs,
      regimeProbabilities: f.regime ? f.regime.probabilities : null,
      stressedWithin: f.regime ? f.regime.stressedWithin : null,
      expectedBarsToSwitch: f.regime ? f.regime.expectedBarsToSwitch : null,
      regimeOutlook: outlook,
      kalman: f.kalman,
      ...(asOf ? { asOf } : {}),
      notes: [...notes, ...f.notes],
    };
    if (ctx.renderCharts && ctx.services.charts) {
      const h = a.history;
      reply.chart = await ctx.services.charts.forecast({
        timestamps: h.map((p) => p.at),
        avgCorrelation: h.map((p) => p.value),
        smoothed: h.map((p) => p.smoothed),
        bandLow: h.map((p) => p.lo),
        bandHigh: h.map((p) => p.hi),
        pathTimestamps: a.path.map((p) => p.at),
        pathMean: a.path.map((p) => p.mean),
        pathLow: a.path.map((p) => p.lo),
        pathHigh: a.path.map((p) => p.hi),
        coverage: f.coverage,
        timeframe: b.timeframe,
        horizon: horizonText,
        basket: b.name,
        title: `${b.name}: avg ρ and its forecast ${horizonText} ahead (${b.timeframe} bars)`,
      }, { timeZone: displayZone(ctx, b) });
    }
    return reply;
  },
};

/** A horizon in ms written back as the shortest exact unit (86_400_000 → 1d). */
function rawHorizon(ms: number): string {
  for (const [unit, size] of [['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms / 60_000}m`;
}

/** The basket named (in targets or --basket), or an ad-hoc one of the symbols given. */
async function basketOf(ctx: CommandContext, targets: string[], basketOpt: string | undefined, timeframe: string | undefined): Promise<Basket> {
  let name = basketOpt;
  if (!name && targets.length === 1 && (await findBasket(ctx, targets[0].toLowerCase()))) name = targets[0].toLowerCase();
  if (name) {
    if (targets.length > (basketOpt ? 0 : 1)) throw new UserError('bad_usage', 'give either a basket or symbols, not both');
    const b = { ...(await requireBasket(ctx, name)) };
    if (timeframe) b.timeframe = timeframe;
    return b;
  }
  if (targets.length === 0) throw new UserError('bad_usage', 'forecast needs a basket name or at least two symbols, e.g. forecast majors 24h');
  for (const t of targets) {
    if (await findBasket(ctx, t.toLowerCase())) throw new UserError('bad_usage', `"${t}" is a basket: give either a basket or symbols, not both`);
  }
  const symbols = targets.map((t) => t.toUpperCase());
  if (symbols.length === 1) throw new UserError('unknown_basket', `"${targets[0]}" is not a basket; give a basket name or at least two symbols`);
  checkSymbolCount(symbols.length);
  const bad = symbols.find((s) => !SYMBOL_PATTERN.test(s));
  if (bad) throw new UserError('bad_argument', `"${bad}" is not ${SYMBOL_HINT}`);
  const dup = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (dup) throw new UserError('bad_argument', `${dup} is listed twice`);
  const tf = timeframe ?? (await ctx.market.nativeTimeframe?.()) ?? ctx.config.defaults.timeframe;
  return basketFromConfig('ad-hoc', { symbols, timeframe: tf }, ctx.config, 0);
}
