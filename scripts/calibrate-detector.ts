// Calibrates the detector's alarm threshold: false convergence episodes per 100,000 bars on null data (no change of
// correlation) for several thresholds, basket sizes, correlation levels and volatility models, through the full
// backtest (detector + alert policy) with the shipped defaults for the timeframe.
//   npx tsx scripts/calibrate-detector.ts [bars=100000] [timeframe=1h] [enterZ list=4,4.5,5,5.5]
// docs/methods.md ("Calibration") and config/default.yaml quote its output.
import { runBacktest } from '../src/backtest/run.js';
import { generate, type Scenario } from '../test/quality/generate.js';
import { shippedSettings } from '../test/quality/scenarios.js';

const bars = Number(process.argv[2] ?? 100_000);
const timeframe = process.argv[3] ?? '1h';
const zs = (process.argv[4] ?? '4,4.5,5,5.5').split(',').map(Number);
const calendar = timeframe === '1d' ? 'business-daily' : 'hourly';

const models: { name: string; make: (n: number, rho: number, seed: number) => Scenario }[] = [
  { name: 't5 factor model', make: (n, rho, seed) => ({ name: '', assets: n, bars, seed, df: 5, calendar, segments: [{ from: 0, rho, vol: 0.01 }] }) },
  { name: 'GARCH(1,1) t4', make: (n, rho, seed) => ({ name: '', assets: n, bars, seed, df: 4, calendar, garch: { alpha: 0.08, beta: 0.9 }, segments: [{ from: 0, rho, vol: 0.01 }] }) },
];

console.log(`false convergence episodes per 100,000 ${timeframe} bars (${bars} bars per cell)`);
console.log(['model'.padEnd(18), 'N', 'rho', ...zs.map((z) => `z=${z} (h=${((z * z) / 2).toFixed(1)})`)].join('\t'));
const totals = zs.map(() => 0);
let cells = 0;
for (const model of models) {
  for (const n of [3, 6, 12, 25]) {
    for (const rho of [0.1, 0.3, 0.6]) {
      const rw = generate(model.make(n, rho, 1000 + n * 10 + Math.round(rho * 10)));
      const { detector, policy } = shippedSettings(rw);
      const row = zs.map((enterZ, k) => {
        const r = runBacktest(rw, { ...detector, thresholds: { ...detector.thresholds, enterZ } }, { ...policy, enterZ }, { keepReadings: false });
        const per = (r.summary.notifications.firing * 100_000) / bars;
        totals[k] += per;
        return per.toFixed(1);
      });
      cells++;
      console.log([model.name.padEnd(18), n, rho, ...row].join('\t'));
    }
  }
}
console.log(['mean'.padEnd(18), '', '', ...totals.map((t) => (t / cells).toFixed(2))].join('\t'));
