// Backtest and detector throughput, each against a baseline measured in the same run:
// - the detector's per-bar cost against the rolling-correlation kernel alone (issue 9 target: within 5x at N = 50);
// - the whole 50-asset × 20,000-bar backtest (detector + alert policy) against pandas computing only the rolling
//   correlation matrices of the same returns (`DataFrame.rolling(W).corr()`, Debian's python3-pandas; skipped with a
//   message when it is not installed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runBacktest } from '../src/backtest/run.js';
import { RegimeDetector } from '../src/regime/detector.js';
import { RollingCorrelation } from '../src/stats/index.js';
import { generate } from '../test/quality/generate.js';
import { shippedSettings } from '../test/quality/scenarios.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function returnsOf(assets: number, bars: number) {
  return generate({ name: 'bench', assets, bars, seed: 3, df: 5, segments: [{ from: 0, rho: 0.3, vol: 0.01 }, { from: Math.floor(bars / 2), rho: 0.7, vol: 0.02 }] });
}

/** Per-bar µs of the detector (push, no per-pair detail) and of the rolling-correlation kernel (push + matrix). */
function perBar(assets: number, bars: number): { kernel: number; detector: number } {
  const rw = returnsOf(assets, bars);
  const { detector: cfg } = shippedSettings(rw);
  const row = new Float64Array(assets);
  const kernel: number[] = [];
  const det: number[] = [];
  for (let r = 0; r < 3; r++) {
    let t = performance.now();
    const rc = new RollingCorrelation(assets, cfg.window);
    const out = new Float64Array(assets * assets);
    for (let k = 0; k < bars; k++) {
      for (let i = 0; i < assets; i++) row[i] = rw.returns[i][k];
      rc.push(row);
      if (rc.isFull) rc.correlation(out);
    }
    kernel.push(((performance.now() - t) * 1000) / bars);
    t = performance.now();
    const d = new RegimeDetector(cfg);
    for (let k = 0; k < bars; k++) {
      for (let i = 0; i < assets; i++) row[i] = rw.returns[i][k];
      d.push(rw.times[k], row, false);
    }
    det.push(((performance.now() - t) * 1000) / bars);
  }
  return { kernel: median(kernel), detector: median(det) };
}

function pandasRollingSeconds(rw: ReturnsType, window: number): number | string {
  const dir = mkdtempSync(join(tmpdir(), 'corrwatch-bench-'));
  try {
    const csv = join(dir, 'returns.csv');
    const lines = [rw.symbols.join(',')];
    for (let k = 0; k < rw.times.length; k++) lines.push(rw.returns.map((r) => r[k]).join(','));
    writeFileSync(csv, lines.join('\n'));
    const py = `import sys, time\nimport pandas as pd\ndf = pd.read_csv(sys.argv[1])\nt = time.perf_counter()\nc = df.rolling(${window}).corr()\nprint(time.perf_counter() - t)\n`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, csv], { encoding: 'utf8' });
    if (r.status !== 0) return `pandas not available (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
    return Number(r.stdout.trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type ReturnsType = ReturnType<typeof returnsOf>;

export async function benchBacktest(): Promise<void> {
  console.log('\nDetector per bar against the rolling-correlation kernel (push + matrix), W = 168, median of 3 runs');
  for (const n of [6, 20, 50]) {
    const { kernel, detector } = perBar(n, 6000);
    console.log(`  N = ${String(n).padStart(2)}: kernel ${kernel.toFixed(1).padStart(6)} µs/bar, detector ${detector.toFixed(1).padStart(6)} µs/bar  (${(detector / kernel).toFixed(1)}x the kernel; target ≤ 5x at N = 50)`);
  }

  const rw = returnsOf(50, 20000);
  const { detector, policy } = shippedSettings(rw);
  const rss0 = process.memoryUsage().rss;
  const t = performance.now();
  const res = runBacktest(rw, detector, policy, { keepReadings: false });
  const secs = (performance.now() - t) / 1000;
  const rss = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const pandas = pandasRollingSeconds(rw, detector.window);
  console.log('\nBacktest: 50 assets × 20,000 hourly bars (detector + alert policy), shipped 1h defaults');
  console.log(`  corrwatch backtest                    ${secs.toFixed(2)} s   (${res.summary.episodes} episodes; RSS +${rss.toFixed(0)} MB)`);
  if (typeof pandas === 'number') {
    console.log(`  pandas rolling(${detector.window}).corr() only        ${pandas.toFixed(2)} s   (backtest takes ${(secs / pandas).toFixed(2)}x pandas; target < 1x)`);
  } else {
    console.log(`  pandas baseline skipped: ${pandas}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchBacktest();
