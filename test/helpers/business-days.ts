/**
 * Daily closes on business days (Monday to Friday, minus the holidays given) for tests of market calendars:
 * a one-factor model with Gaussian shocks from the shared seeded PRNG, written as a wide CSV.
 */
import { writeFile } from 'node:fs/promises';
import { mulberry32 } from '../../src/domain/random.js';

const DAY = 86_400_000;

export interface BusinessDays {
  /** Open times (midnight UTC) of the trading days. */
  times: number[];
  symbols: string[];
  /** closes[i][k]: symbol i on day k. */
  closes: number[][];
}

/** Trading days from `from` (YYYY-MM-DD) on: `days` weekdays that are not in `holidays` (YYYY-MM-DD). */
export function tradingDays(from: string, days: number, holidays: string[] = []): number[] {
  const skip = new Set(holidays);
  const out: number[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); out.length < days; t += DAY) {
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6 && !skip.has(new Date(t).toISOString().slice(0, 10))) out.push(t);
  }
  return out;
}

/** Closes of `symbols` on `times`: returns ρ-correlated through one common factor, daily volatility `vol`. */
export function businessDayCloses(times: number[], symbols: string[], seed: number, rho = 0.4, vol = 0.01): BusinessDays {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const closes = symbols.map((_, i) => [100 * (i + 1)]);
  for (let k = 1; k < times.length; k++) {
    const f = gauss();
    symbols.forEach((_, i) => {
      const r = vol * (Math.sqrt(rho) * f + Math.sqrt(1 - rho) * gauss());
      closes[i].push(closes[i][k - 1] * Math.exp(r));
    });
  }
  return { times, symbols, closes };
}

/** Write a wide CSV `date,SYM1,...` (dates as YYYY-MM-DD). */
export async function writeWideCsv(path: string, data: BusinessDays): Promise<void> {
  const lines = ['date,' + data.symbols.join(',')];
  data.times.forEach((t, k) => lines.push([new Date(t).toISOString().slice(0, 10), ...data.closes.map((c) => c[k].toFixed(6))].join(',')));
  await writeFile(path, lines.join('\n') + '\n');
}
