import type { Calendar } from '../src/domain/calendar.js';
import { resolveWindowText } from '../src/domain/default-window.js';
import { checkSymbolCount } from '../src/domain/limits.js';
import { parseWindow, type WindowSpec } from '../src/domain/timeframe.js';
import { loadReturns } from '../src/query/load-returns.js';
import type { ReturnsWindow } from '../src/query/returns-window.js';
import { timeframeMs } from '../src/domain/timeframe.js';
import type { CommandContext, ParsedArgs } from './types.js';

export interface QueryInputs {
  timeframe: string;
  window: WindowSpec;
  /** The window as returns (or 'all') for replies and JSON. */
  windowLabel: number | 'all';
  at?: number;
  /** Every return loaded (ending at --at or the latest bar); handlers take their window from it. */
  returns: ReturnsWindow;
}

/**
 * Resolve timeframe (option, a CSV file's own interval, config), window (option, config, sized to the timeframe)
 * and load the returns of `symbols` for `windows` windows ending at --at.
 */
export async function loadQueryInputs(
  ctx: CommandContext,
  args: ParsedArgs,
  symbols: string[],
  opts: { windows?: number; timeframe?: string; window?: string } = {},
): Promise<QueryInputs> {
  const timeframe = (args.timeframe as string | undefined) ?? opts.timeframe ?? (await ctx.market.nativeTimeframe?.()) ?? ctx.config.defaults.timeframe;
  timeframeMs(timeframe);
  const windowText = resolveWindowText((args.window as string | undefined) ?? opts.window ?? ctx.config.defaults.window, timeframe);
  const window = parseWindow(windowText, timeframe);
  const at = args.at as number | undefined;
  checkSymbolCount(symbols.length);
  // Unknown symbols fail fast, with a suggestion, before any candles are fetched.
  await Promise.all(symbols.map((s) => ctx.market.resolveSymbol(s)));
  const returns = await loadReturns(ctx.market, symbols, timeframe, window, at, {
    clock: ctx.clock,
    maxBars: ctx.config.market.maxBars,
    windows: opts.windows,
    calendar: args.calendar as Calendar | undefined,
  });
  return { timeframe, window, windowLabel: window.kind === 'all' ? 'all' : window.returns, at, returns };
}
