import type { ArgSpec } from './types.js';

/** Options shared by the market queries (corr, matrix, compare), declared once. */
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

export const queryOptions: ArgSpec[] = [atArg, timeframeArg, sourceArg, jsonArg];
