import { UserError } from '../src/domain/errors.js';
import type { Reply } from '../src/domain/reply.js';
import { compareOf, corrOf, type CorrResult, type Method } from '../src/query/queries.js';
import { takeWindow } from '../src/query/returns-window.js';
import { rollingPair } from '../src/query/rolling-pair.js';
import { barsOf } from '../src/config/basket-settings.js';
import { defaultWindowFor } from '../src/domain/default-window.js';
import { chartArg, methodArg, pairArgs, queryOptions, windowArg } from './common-args.js';
import { displayZone, fmtCI, fmtP, fmtRho, fmtTime, strength } from './format.js';
import { loadQueryInputs } from './query-inputs.js';
import type { CommandSpec } from './types.js';

export interface CorrChange {
  rho: number;
  rhoBefore: number;
  z: number;
  pValue: number;
}

function corrReply(r: CorrResult, timeframe: string, venue: string, change: CorrChange | null, timeZone?: string): Reply {
  const [a, b] = r.symbols;
  const fields = [
    { name: 'ρ', value: `${fmtRho(r.rho)} (${strength(r.rho)})`, inline: true },
    { name: 'p-value', value: fmtP(r.pValue), inline: true },
    { name: '95% CI', value: fmtCI(r.ci95), inline: true },
    { name: 'returns', value: `${r.n} × ${timeframe}`, inline: true },
    { name: 'window', value: `${fmtTime(r.from, timeZone)} → ${fmtTime(r.to, timeZone)}`, inline: false },
  ];
  if (change) {
    const sig = change.pValue < 0.05 ? 'significant' : 'not significant';
    fields.push({ name: 'vs previous window', value: `${fmtRho(change.rhoBefore)} → ${fmtRho(change.rho)} (Pearson, Fisher z ${change.z.toFixed(2)}, p ${fmtP(change.pValue)}, ${sig})`, inline: false });
  }
  return {
    title: `${a} / ${b}: ρ ${fmtRho(r.rho)}`,
    text: `${r.method === 'spearman' ? 'Spearman' : 'Pearson'} correlation of ${timeframe} log returns`,
    fields,
    footer: [`source: ${venue}`, ...r.notes].join(' · '),
    severity: 'info',
    data: { ...r, change },
  };
}

export const corrCommand: CommandSpec = {
  name: 'corr',
  heavy: true,
  summary: 'correlation of two assets with p-value, 95% CI and the change against the previous window',
  adminOnly: false,
  args: [
    ...pairArgs,
    windowArg(true),
    methodArg(true),
    ...queryOptions,
    chartArg,
  ],
  examples: ['corr BTC ETH', 'corr BTC ETH 30d', 'corr SOL ETH 168 spearman', 'corr BTC ETH --window 60 --at 2024-03-01T00:00:00Z'],
  async handler(ctx, args) {
    const a = args.a as string;
    const b = args.b as string;
    if (a === b) throw new UserError('same_symbol', `corr needs two different symbols, got ${a} twice`);
    const method = (args.method as Method | undefined) ?? ctx.config.defaults.method;
    const charts = ctx.renderCharts ? ctx.services.charts : undefined;
    const q = await loadQueryInputs(ctx, args, [a, b], { windows: charts ? 7 : 2 });
    const r = corrOf(takeWindow(q.returns, q.window, q.at), method, q.windowLabel);
    let change: CorrChange | null = null;
    if (q.window.kind === 'count') {
      try {
        const c = compareOf(takeWindow(q.returns, { kind: 'count', returns: 2 * q.window.returns }, q.at), q.window.returns);
        change = { rho: c.rho, rhoBefore: c.rhoBefore, z: c.z, pValue: c.pValue };
      } catch (e) {
        if (!(e instanceof UserError)) throw e; // not enough history for the previous window: leave it out
      }
    }
    const reply = corrReply(r, q.timeframe, ctx.market.venue, change, displayZone(ctx));
    if (charts) {
      // The rolling lines use the query's window, or the timeframe's default one for `all`.
      const W = q.window.kind === 'count' ? q.window.returns : barsOf(defaultWindowFor(q.timeframe), q.timeframe, 'window');
      const upTo = takeWindow(q.returns, { kind: 'all' }, q.at);
      const roll = rollingPair(upTo.times, upTo.returns[0], upTo.returns[1], W, 3 * W, 4 * W);
      reply.chart = await charts.pair({
        symbols: [a, b],
        timestamps: roll.times,
        rhoShort: roll.short,
        rhoLong: roll.long,
        ciLow: roll.ciLow,
        ciHigh: roll.ciHigh,
        shortWindow: `${W} bars`,
        longWindow: `${3 * W} bars`,
        timeframe: q.timeframe,
        title: `${a} / ${b} rolling correlation (${q.timeframe} bars)`,
      }, { timeZone: displayZone(ctx) });
    }
    return reply;
  },
};
