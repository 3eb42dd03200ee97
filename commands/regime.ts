import { randomBytes } from 'node:crypto';
import { parseAlertState } from '../src/alerts/policy.js';
import { SourceError, UserError } from '../src/domain/errors.js';
import { isoTime } from '../src/domain/timeframe.js';
import type { Reply } from '../src/domain/reply.js';
import { detectorConfigFor } from '../src/regime/config.js';
import type { RegimeReading } from '../src/regime/types.js';
import { BasketSession } from '../src/scheduler/basket-session.js';
import type { Basket } from '../src/store/types.js';
import { listBaskets, requireBasket } from './basket-lookup.js';
import { chartArg, jsonArg, sourceArg } from './common-args.js';
import { fmtRho, fmtTime, table } from './format.js';
import type { CommandContext, CommandSpec } from './types.js';

const EMOJI: Record<string, string> = { calm: '🟢', converging: '🟠', stressed: '🔴', decoupling: '🔵' };

/** Replay the basket's recent history through the detector (the same one the watcher runs). */
async function readingsOf(ctx: CommandContext, b: Basket): Promise<RegimeReading[]> {
  const session = new BasketSession('regime', b.symbols, b.timeframe, detectorConfigFor(b, ctx.config));
  const bars = await session.advance(ctx.market, ctx.clock.now());
  return bars.flatMap((x) => (x.reading ? [x.reading] : []));
}

/** First bar of the current run of the same regime. */
function sinceOf(readings: RegimeReading[]): number {
  const last = readings[readings.length - 1];
  let k = readings.length - 1;
  while (k > 0 && readings[k - 1].regime === last.regime) k--;
  return readings[k].at;
}

async function oneBasket(ctx: CommandContext, b: Basket): Promise<Reply> {
  const readings = await readingsOf(ctx, b);
  if (!readings.length) {
    return { title: `${b.name}: not enough history yet`, text: `The detector needs two windows (${b.window} each) of ${b.timeframe} bars before it can classify.`, severity: 'info', data: { basket: b.name, regime: null } };
  }
  const r = readings[readings.length - 1];
  const since = sinceOf(readings);
  const rt = await ctx.services.store?.getRuntime(b.name);
  const phase = rt ? parseAlertState(rt.alertState).phase : undefined;
  const fields = [
    { name: 'avg ρ', value: `${fmtRho(r.avgCorrelation)} (baseline ${fmtRho(r.baselineRho)}, z ${r.z.toFixed(1)})`, inline: true },
    { name: 'since', value: fmtTime(isoTime(since)), inline: true },
    { name: 'dispersion', value: r.dispersion.toFixed(3), inline: true },
    { name: 'absorption ratio', value: `${r.absorptionRatio.toFixed(3)} (shift ${r.absorptionShift >= 0 ? '+' : ''}${r.absorptionShift.toFixed(1)}σ)`, inline: true },
    { name: 'stress probability', value: r.stressProbability === null ? 'model not fitted yet' : `${Math.round(r.stressProbability * 100)}%`, inline: true },
  ];
  if (phase) fields.push({ name: 'alert', value: phase, inline: true });
  if (r.drivers.length) fields.push({ name: 'pairs that moved most', value: r.drivers.map((d) => `${d.a}/${d.b} ${fmtRho(d.baselineRho)} → ${fmtRho(d.rho)}`).join('\n'), inline: false });
  let chart;
  if (ctx.renderCharts && ctx.services.charts) {
    const recent = readings.slice(-Math.min(readings.length, 4 * detectorConfigFor(b, ctx.config).window));
    chart = await ctx.services.charts.regime({
      timestamps: recent.map((x) => x.at),
      avgCorrelation: recent.map((x) => x.avgCorrelation),
      regimes: recent.map((x) => x.regime),
      entryThreshold: recent.map((x) => x.enterRho),
      exitThreshold: recent.map((x) => x.exitRho),
      basket: b.name,
      title: `${b.name}: average correlation and regime (${b.timeframe} bars, window ${b.window})`,
    });
  }
  return {
    title: `${EMOJI[r.regime]} ${b.name}: ${r.regime}`,
    text: r.why.charAt(0).toUpperCase() + r.why.slice(1) + '.',
    fields,
    chart,
    footer: `${b.symbols.join(' ')} · source ${ctx.market.venue} · bar ${isoTime(r.at)}`,
    data: { basket: b.name, regime: r.regime, since: isoTime(since), alert: phase ?? null, reading: { ...r, at: isoTime(r.at) } },
  };
}

export const regimeCommand: CommandSpec = {
  name: 'regime',
  summary: 'current correlation regime of a basket (or all): since when, why, the pairs that moved most',
  adminOnly: false,
  args: [{ name: 'basket', type: 'basket', positional: true, description: 'basket name', default: 'every basket', autocomplete: 'basket' }, sourceArg, jsonArg, chartArg],
  examples: ['regime majors', 'regime'],
  async handler(ctx, args) {
    const name = args.basket as string | undefined;
    if (name) return oneBasket(ctx, await requireBasket(ctx, name));
    const baskets = await listBaskets(ctx);
    if (!baskets.length) return { title: 'No baskets yet', text: 'An admin can create one: basket create NAME SYM SYM ...', data: [] };
    const rows = [['basket', 'regime', 'avg ρ', 'z', 'since']];
    const data = [];
    for (const b of baskets) {
      try {
        const readings = await readingsOf(ctx, b);
        const r = readings[readings.length - 1];
        if (!r) {
          rows.push([b.name, 'warming up', '-', '-', '-']);
          data.push({ basket: b.name, regime: null });
          continue;
        }
        rows.push([b.name, `${EMOJI[r.regime]} ${r.regime}`, fmtRho(r.avgCorrelation), r.z.toFixed(1), fmtTime(isoTime(sinceOf(readings)))]);
        data.push({ basket: b.name, regime: r.regime, avgCorrelation: r.avgCorrelation, z: r.z, since: isoTime(sinceOf(readings)) });
      } catch (e) {
        let message: string;
        if (e instanceof UserError || e instanceof SourceError) message = e.message;
        else {
          const errorId = randomBytes(4).toString('hex');
          ctx.log.error('regime failed', { errorId, basket: b.name, error: e });
          message = `internal error (error id ${errorId})`;
        }
        rows.push([b.name, `error: ${message.slice(0, 60)}`, '-', '-', '-']);
        data.push({ basket: b.name, regime: null, error: message });
      }
    }
    return { title: 'Regimes', text: '```\n' + table(rows) + '\n```', data };
  },
};
