import { DataError } from '../domain/errors.js';

/** Run a statistic; a DataError about series i is rewritten to name the symbol, and a "too few returns" one the window. */
export function withSymbols<T>(symbols: string[], fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    const sym = e.series !== undefined ? symbols[e.series] : undefined;
    switch (e.code) {
      case 'zero_variance':
        throw new DataError('zero_variance', `${sym ?? 'a series'} has zero variance over the window (its price did not move), so its correlation is undefined; pick another symbol or a longer window`, e.series);
      case 'too_few_returns':
        throw new DataError('too_few_returns', `${e.message}; use a longer window (at least 20 returns) or a smaller timeframe`, e.series);
      default:
        throw new DataError(e.code as 'non_finite_price', sym ? `${sym}: ${e.message}` : e.message, e.series);
    }
  }
}
