import { UserError } from '../src/domain/errors.js';
import { SYMBOL_HINT, SYMBOL_PATTERN } from '../src/domain/patterns.js';
import type { Reply } from '../src/domain/reply.js';
import { matrixOf, type MatrixResult, type Method } from '../src/query/queries.js';
import { takeWindow } from '../src/query/returns-window.js';
import { topPairs } from '../src/stats/index.js';
import { requireBasket, findBasket } from './basket-lookup.js';
import { chartArg, methodArg, queryOptions, windowArg } from './common-args.js';
import { csvArg, matrixCsv } from './csv-export.js';
import { displayZone, fmtNum, fmtRho, fmtTime, table } from './format.js';
import { loadQueryInputs } from './query-inputs.js';
import type { CommandSpec } from './types.js';
import { MAX_SYMBOLS } from '../src/domain/limits.js';

/** The matrix as a monospace table (3 decimals), for terminals and code blocks in chat. */
export function matrixTable(r: MatrixResult): string {
  const header = ['', ...r.symbols];
  const rows = r.symbols.map((s, i) => [s, ...r.matrix[i].map((v, j) => (i === j ? '1' : v.toFixed(2)))]);
  return table([header, ...rows]);
}

function pairsText(r: MatrixResult, which: 'most' | 'least'): string {
  const N = r.symbols.length;
  const flat = new Float64Array(N * N);
  r.matrix.forEach((row, i) => row.forEach((v, j) => (flat[i * N + j] = v)));
  return topPairs(flat, N, 3, which).map((p) => `${r.symbols[p.i]}/${r.symbols[p.j]} ${fmtRho(p.rho)}`).join(', ');
}

function matrixReply(r: MatrixResult, title: string, timeframe: string, venue: string, timeZone?: string): Reply {
  const N = r.symbols.length;
  const fields = [
    { name: 'avg ρ', value: fmtRho(r.avgCorrelation), inline: true },
    { name: 'dispersion', value: fmtNum(r.dispersion), inline: true },
    { name: 'absorption ratio', value: fmtNum(r.absorptionRatio), inline: true },
    { name: 'λ1/N', value: fmtNum(r.largestEigenShare), inline: true },
    { name: 'returns', value: `${r.n} × ${timeframe}`, inline: true },
    { name: 'window', value: `${fmtTime(r.from, timeZone)} → ${fmtTime(r.to, timeZone)}`, inline: false },
    { name: 'most correlated', value: pairsText(r, 'most'), inline: false },
  ];
  if (N > 2) fields.push({ name: 'least correlated', value: pairsText(r, 'least'), inline: false });
  return {
    title,
    text: N <= 12 ? '```\n' + matrixTable(r) + '\n```' : `${N}×${N} matrix (see the chart or --json)`,
    fields,
    footer: [`source: ${venue}`, `${r.method} on ${timeframe} log returns`, ...r.notes].join(' · '),
    severity: 'info',
    data: r,
  };
}

export const matrixCommand: CommandSpec = {
  name: 'matrix',
  heavy: true,
  summary: 'correlation matrix of a basket or of symbols, with avg ρ, dispersion and absorption ratio',
  adminOnly: false,
  args: [
    { name: 'targets', type: 'word', positional: true, variadic: true, description: 'a basket name, or two or more symbols', autocomplete: 'basket' },
    { name: 'basket', type: 'basket', description: 'a basket name (instead of symbols)', autocomplete: 'basket' },
    windowArg(false),
    methodArg(false),
    ...queryOptions,
    chartArg,
    csvArg,
  ],
  csv: matrixCsv,
  examples: ['matrix majors', 'matrix BTC ETH SOL --window 30d', 'matrix --basket majors --method spearman'],
  async handler(ctx, args) {
    const targets = (args.targets as string[] | undefined) ?? [];
    let symbols: string[];
    let title: string;
    let basketName = args.basket as string | undefined;
    if (!basketName && targets.length === 1 && (await findBasket(ctx, targets[0].toLowerCase()))) basketName = targets[0].toLowerCase();
    let basketDefaults: { timeframe?: string; window?: string } = {};
    if (basketName) {
      if (targets.length > (args.basket ? 0 : 1)) throw new UserError('bad_usage', 'give either a basket or symbols, not both');
      const b = await requireBasket(ctx, basketName);
      symbols = b.symbols;
      basketDefaults = { timeframe: b.timeframe, window: b.window };
      title = `Correlation matrix: ${b.name}`;
    } else {
      symbols = targets.map((t) => t.toUpperCase());
      if (symbols.length === 1) throw new UserError('unknown_basket', `"${targets[0]}" is not a basket; give a basket name or at least two symbols`);
      if (symbols.length < 2) throw new UserError('bad_usage', 'matrix needs a basket name or at least two symbols');
      if (symbols.length > MAX_SYMBOLS) throw new UserError('bad_usage', `matrix takes at most ${MAX_SYMBOLS} symbols, got ${symbols.length}`);
      const bad = symbols.find((s) => !SYMBOL_PATTERN.test(s));
      if (bad) throw new UserError('bad_argument', `"${bad}" is not ${SYMBOL_HINT}`);
      const dup = symbols.find((s, i) => symbols.indexOf(s) !== i);
      if (dup) throw new UserError('bad_argument', `${dup} is listed twice`);
      title = `Correlation matrix: ${symbols.join(' ')}`;
    }
    const method = (args.method as Method | undefined) ?? ctx.config.defaults.method;
    const q = await loadQueryInputs(ctx, args, symbols, basketDefaults);
    const r = matrixOf(takeWindow(q.returns, q.window, q.at), method, q.windowLabel);
    const reply = matrixReply(r, title, q.timeframe, ctx.market.venue, displayZone(ctx));
    if (ctx.renderCharts && ctx.services.charts) {
      reply.chart = await ctx.services.charts.heatmap({
        symbols: r.symbols,
        matrix: r.matrix.flat(),
        title,
        subtitle: `${r.method} ρ of ${q.timeframe} log returns · ${r.n} returns to ${fmtTime(r.to, displayZone(ctx))} · avg ρ ${r.avgCorrelation.toFixed(2)}`,
      });
    }
    return reply;
  },
};
