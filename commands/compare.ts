import { UserError } from '../src/domain/errors.js';
import { compareOf } from '../src/query/queries.js';
import { takeWindow } from '../src/query/returns-window.js';
import { pairArgs, queryOptions, windowArg } from './common-args.js';
import { displayZone, fmtP, fmtRho, fmtTime } from './format.js';
import { loadQueryInputs } from './query-inputs.js';
import type { CommandSpec } from './types.js';

export const compareCommand: CommandSpec = {
  name: 'compare',
  heavy: true,
  summary: 'has the correlation changed? Fisher z test of the latest window against the one before it',
  adminOnly: false,
  args: [
    ...pairArgs,
    windowArg(true),
    ...queryOptions,
  ],
  examples: ['compare BTC ETH 7d', 'compare BTC SOL --window 100 --at 2024-03-01'],
  async handler(ctx, args) {
    const a = args.a as string;
    const b = args.b as string;
    if (a === b) throw new UserError('same_symbol', `compare needs two different symbols, got ${a} twice`);
    const q = await loadQueryInputs(ctx, args, [a, b], { windows: 2 });
    if (q.window.kind === 'all') throw new UserError('bad_window', 'compare needs a window size (a bar count or a duration), not "all"');
    const w = q.window.returns;
    const r = compareOf(takeWindow(q.returns, { kind: 'count', returns: 2 * w }, q.at), w);
    const tz = displayZone(ctx);
    const verdict = r.pValue < 0.05 ? (r.z > 0 ? 'significantly higher' : 'significantly lower') : 'not significantly different';
    return {
      title: `${a} / ${b}: ρ ${fmtRho(r.rhoBefore)} → ${fmtRho(r.rho)}`,
      text: `The latest ${w} returns are ${verdict} than the ${w} before them.`,
      fields: [
        { name: 'latest ρ', value: `${fmtRho(r.rho)} (${fmtTime(r.from, tz)} → ${fmtTime(r.to, tz)})`, inline: false },
        { name: 'previous ρ', value: `${fmtRho(r.rhoBefore)} (${fmtTime(r.fromBefore, tz)} → ${fmtTime(r.toBefore, tz)})`, inline: false },
        { name: 'Fisher z', value: r.z.toFixed(3), inline: true },
        { name: 'p-value', value: fmtP(r.pValue), inline: true },
      ],
      footer: [`source: ${ctx.market.venue}`, `${q.timeframe} log returns`, ...r.notes].join(' · '),
      severity: 'info',
      data: r,
    };
  },
};
