import { CALENDARS } from '../src/domain/calendar.js';
import type { ArgSpec } from './types.js';

/** Options shared by the market queries (corr, matrix, compare; regime and backtest take some), declared once. */
export const windowArg = (positional: boolean): ArgSpec => ({
  name: 'window',
  type: 'window',
  positional,
  description: 'returns in the window, ending at the --at bar',
  default: 'auto (sized to the timeframe: 7d of 1h bars)',
});

export const methodArg = (positional: boolean): ArgSpec => ({
  name: 'method',
  type: 'method',
  positional,
  choices: ['pearson', 'spearman'],
  description: 'correlation method',
  default: 'pearson',
});

export const atArg: ArgSpec = { name: 'at', type: 'time', description: 'the last bar of the window (inclusive)', default: 'the latest closed bar' };

export const timeframeArg: ArgSpec = {
  name: 'timeframe',
  type: 'timeframe',
  description: 'bar size',
  default: "1h (config defaults.timeframe; a CSV file's own interval)",
};

export const sourceArg: ArgSpec = { name: 'source', type: 'source', cliOnly: true, description: 'market data source', default: 'config market.source (ccxt:binance)' };
export const jsonArg: ArgSpec = { name: 'json', type: 'word', flag: true, cliOnly: true, description: 'print one JSON object on stdout and nothing else' };
export const chartArg: ArgSpec = { name: 'chart', type: 'file', cliOnly: true, description: 'save the chart as a PNG to this file' };

/** Which bars the market is expected to have: closures (weekends, holidays) are not missing data. */
export const calendarArg: ArgSpec = {
  name: 'calendar',
  type: 'word',
  choices: CALENDARS,
  description: 'which bars the market has (a closure is not missing data)',
  default: "inferred (a CSV file's timestamps; exchanges 24/7)",
};

/** The two assets of a pair query (corr, compare). */
export const pairArgs: ArgSpec[] = [
  { name: 'a', type: 'symbol', positional: true, required: true, description: 'first asset', autocomplete: 'symbol' },
  { name: 'b', type: 'symbol', positional: true, required: true, description: 'second asset', autocomplete: 'symbol' },
];

export const queryOptions: ArgSpec[] = [atArg, timeframeArg, calendarArg, sourceArg, jsonArg];
