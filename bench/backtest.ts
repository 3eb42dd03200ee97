// Backtest throughput: the detector + alert policy replaying 6 assets × 6,000 hourly bars, against a baseline measured
// in the same run (computing only the rolling correlation matrices of the same data).
import { pathToFileURL } from 'node:url';
import { runBacktest } from '../src/backtest/run.js';
import { RollingCorrelation } from '../src/stats/index.js';
import { generate } from '../test/quality/generate.js';
import { DETECTOR, POLICY } from '../test/quality/scenarios.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchBacktest(): Promise<void> {
  const rw = generate({ name: 'bench', assets: 6, bars: 6000, seed: 3, segments: [{ from: 0, rho: 0.3, vol: 0.01 }, { from: 3000, rho: 0.7, vol: 0.02 }] });
  const runs = 5;
  const base: number[] = [];
  const full: number[] = [];
  const row = new Float64Array(6);
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    const rc = new RollingCorrelation(6, DETECTOR.window);
    const out = new Float64Array(36);
    for (let k = 0; k < rw.times.length; k++) {
      for (let i = 0; i < 6; i++) row[i] = rw.returns[i][k];
      rc.push(row);
      if (rc.isFull) rc.correlation(out);
    }
    base.push(performance.now() - t);
    t = performance.now();
    runBacktest(rw, { ...DETECTOR, symbols: rw.symbols }, POLICY, { keepReadings: false });
    full.push(performance.now() - t);
  }
  const b = median(base);
  const f = median(full);
  console.log('\nBacktest: 6 assets × 6,000 hourly bars, window 168, baseline 2160 (median of 5 runs)');
  console.log(`  baseline: rolling correlation only   ${b.toFixed(1)} ms`);
  console.log(`  full backtest (detector + policy)    ${f.toFixed(1)} ms   (${(f / b).toFixed(1)}x the baseline, ${((f * 1000) / 6000).toFixed(1)} µs/bar)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchBacktest();
