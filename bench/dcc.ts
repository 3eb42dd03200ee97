/**
 * DCC(1,1) cost (src/forecast/dcc.ts), N = 10/20/50 assets, 2,000 bars of seeded returns simulated from a DCC with
 * GARCH volatilities (a = 0.05, b = 0.90; test/forecast/simulate.ts), all measured in the same run:
 *   fit      fitCorrelationForecaster on the 2,000 bars: N GARCH fits, then (a, b) by the full likelihood (N ≤ 10) or
 *            the pairwise composite one (N > 10), then the filter through the history; also the two steps apart
 *   update   CorrelationForecaster.update per bar over the next 2,000 bars, and forecast(1) (one R_{t+1|t})
 * against two baselines of the same run:
 *   corr     one sample correlation matrix of the same 2,000 × N data (correlationMatrix, src/stats/correlation.ts):
 *            the fit is reported as a multiple of it
 *   rank-1   one rank-1 update of an N×N upper triangle (N(N+1)/2 Float64Array multiply-adds, as in bench/rolling.ts),
 *            the floor for any O(N²) per-bar update: update and forecast(1) are reported as multiples of it
 * CPU time (process.cpuUsage), best of a few runs. Run alone with `npx tsx bench/dcc.ts`; exports benchDcc().
 */
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { fitCorrelationForecaster, fitDcc } from '../src/forecast/dcc.js';
import { fitGarch } from '../src/forecast/garch.js';
import { correlationMatrix } from '../src/stats/index.js';
import { assetGarch, factorCorrelation, simulateDcc } from '../test/forecast/simulate.js';

const T = 2000;
let sink = 0;

function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Smallest of `repeats` CPU timings in µs (after one warm-up run): the least disturbed by other processes. */
function best(repeats: number, run: () => void): number {
  run();
  let m = Infinity;
  for (let k = 0; k < repeats; k++) {
    const start = cpuNow();
    run();
    m = Math.min(m, cpuNow() - start);
  }
  return m;
}

function rank1(N: number, bars: number): number {
  const a = Float64Array.from({ length: N }, (_, i) => 1 / (i + 1));
  const b = Float64Array.from({ length: N }, (_, i) => 1 / (i + 2));
  const c = new Float64Array(N * N);
  return (
    best(5, () => {
      for (let rep = 0; rep < bars; rep++) {
        for (let i = 0; i < N; i++) {
          const ai = a[i];
          const o = i * N;
          for (let j = i; j < N; j++) c[o + j] += ai * b[j];
        }
      }
      sink += c[1];
    }) / bars
  );
}

export async function benchDcc(): Promise<void> {
  const table: string[][] = [];
  for (const N of [10, 20, 50]) {
    const all = simulateDcc({ T: 2 * T, a: 0.05, b: 0.9, qbar: factorCorrelation(N), garch: assetGarch(N), seed: 500 + N });
    const train = all.map((x) => x.slice(0, T));
    const rows = Array.from({ length: T }, (_, t) => Float64Array.from(all, (x) => x[T + t]));
    const repeats = N >= 50 ? 2 : 3;

    const corr = best(5, () => {
      sink += correlationMatrix(train).corr[1];
    });
    let fitted = fitCorrelationForecaster(train);
    const fit = best(repeats, () => {
      fitted = fitCorrelationForecaster(train);
    });
    const garch = best(repeats, () => {
      for (const x of train) sink += fitGarch(x).params.alpha;
    });
    const eps = train.map((x) => {
      const v = fitGarch(x).variances;
      return Float64Array.from(x, (r, t) => r / Math.sqrt(v[t]));
    });
    const dccStep = best(repeats, () => {
      sink += fitDcc(eps).params.a;
    });
    const update =
      best(3, () => {
        const f = fitted;
        for (const r of rows) f.update(r);
      }) / T;
    const fc1 =
      best(3, () => {
        for (let k = 0; k < 500; k++) sink += fitted.forecast(1)[0][1];
      }) / 500;
    const base = rank1(N, T);
    const m = fitted.model;
    table.push([
      String(N),
      m.kind === 'dcc' ? `${m.likelihood ?? 'full'} a=${m.a.toFixed(3)} b=${m.b.toFixed(3)}` : `ewma (${m.reason})`,
      (corr / 1000).toFixed(2),
      (fit / 1000).toFixed(0),
      (fit / corr).toFixed(0),
      (garch / 1000).toFixed(0),
      (dccStep / 1000).toFixed(0),
      base.toFixed(3),
      update.toFixed(2),
      (update / base).toFixed(1),
      fc1.toFixed(2),
      (fc1 / base).toFixed(1),
    ]);
  }
  const head = ['N', 'model', 'corr ms', 'fit ms', 'fit/corr', 'GARCH step ms', 'DCC step ms', 'rank-1 µs', 'update µs', 'update/rank-1', 'forecast(1) µs', 'forecast/rank-1'];
  const widths = head.map((h, k) => Math.max(h.length, ...table.map((r) => r[k].length)) + 2);
  console.log(`\nDCC(1,1) on ${T} bars simulated with a = 0.05, b = 0.90; CPU time, best of 2–5 runs; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs;`);
  console.log('fit = fitCorrelationForecaster (GARCH step + DCC step + filter); corr = one correlationMatrix of the same data;');
  console.log('update = CorrelationForecaster.update per bar over the next 2,000 bars; rank-1 = N(N+1)/2 multiply-adds (the O(N²) floor)');
  console.log(head.map((h, k) => h.padStart(widths[k])).join(''));
  for (const r of table) console.log(r.map((v, k) => v.padStart(widths[k])).join(''));
  if (Number.isNaN(sink)) console.log('(unreachable: keeps results alive)');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchDcc();
}
